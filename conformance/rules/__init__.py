"""Rule modules; importing this package registers every rule in the catalog."""

from conformance.rules import (  # noqa: F401
    auth,
    credits,
    envelope,
    idempotency,
    jobs,
    rate_limit,
    request_id,
    results,
    schema,
    tenancy,
)
