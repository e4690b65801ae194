"""Browser pages under ``/_sandbox`` that are not API operations (Swagger UI, inspector)."""

from __future__ import annotations


class Pages:
    """ASGI app for the HTML pages; the dispatcher asks :meth:`handles` before routing to the APIs."""

    def __init__(self, sandbox):
        self.sandbox = sandbox

    async def handles(self, scope) -> bool:
        return False

    async def __call__(self, scope, receive, send):
        raise NotImplementedError
