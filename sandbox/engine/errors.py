"""The one exception a caller must expect from source loading.

A bad or missing source image is the *client's* problem, so it carries a stable code the server can
map onto each vendor's error envelope instead of an arbitrary library exception.
"""

from __future__ import annotations

SOURCE_ERROR_CODES = frozenset({"unreachable", "invalid_image", "too_large"})


class SourceError(Exception):
    """A source image could not be obtained (``unreachable``), decoded (``invalid_image``) or
    accepted because of its byte size or pixel count (``too_large``)."""

    def __init__(self, code: str, message: str) -> None:
        if code not in SOURCE_ERROR_CODES:
            raise ValueError(f"unknown source error code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
