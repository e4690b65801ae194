"""TENANT-ISOLATION: another account's job is invisible (404, never 403 or 200)."""

from __future__ import annotations

from conformance.catalog import rule
from conformance.context import CheckContext
from conformance.document import pointer_get
from conformance.envelopes import error_verdict
from conformance.verdicts import failed, not_applicable, passed


@rule(
    "TENANT-ISOLATION",
    title="Another tenant's job reads as 404",
    source="seed 002: 'JOB_NOT_FOUND 404: Job ID doesn't exist or belongs to another user'; inferred elsewhere",
)
def tenant_isolation(ctx: CheckContext):
    if ctx.other is None:
        return [not_applicable("needs --other-key")]
    operation, getter = ctx.surface.primary_create, ctx.surface.get_job
    if operation is None or getter is None:
        return [not_applicable("the document has no create operation with an example body and a job read")]
    create = ctx.create(operation)
    job_id = ctx.job_id(operation, create)
    if job_id is None:
        return [failed(operation.label, f"create answered {create.status} without a job id", create.evidence())]
    read = ctx.read_job(job_id, probe=ctx.other)
    verdicts = [error_verdict(ctx, getter.operation.label, read, (404,), "other tenant reading the job")]
    cancel = ctx.surface.cancel_job
    if cancel is not None:
        label = cancel.operation.label
        attempt = ctx.other.request("post", cancel.operation.fill_path({cancel.param: job_id}), operation=label)
        verdicts.append(error_verdict(ctx, label, attempt, (404,), "other tenant cancelling the job"))
    listing = ctx.surface.list_jobs
    if listing is not None:
        page = ctx.other.request("get", listing.fill_path(), operation=listing.label)
        jobs = [job for job in (pointer_get(page.json(), "/jobs") or []) if isinstance(job, dict)]
        leaked = any(job.get(ctx.profile.id_field) == job_id for job in jobs)
        verdicts.append(
            failed(listing.label, "the other tenant's listing shows the job", page.evidence())
            if leaked
            else passed(listing.label)
        )
    return verdicts
