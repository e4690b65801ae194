"""Where a source image comes from, in this order:

1. ``assets``: sandbox-hosted uploads, keyed by their URL.
2. ``data:`` URIs carrying a base64 (or percent-encoded) PNG, JPEG or WebP.
3. Magic URLs: a URL whose host is ``unreachable.invalid`` or whose path contains ``__unreachable__``
   raises ``SourceError("unreachable")`` (a scenario integrators can trigger on purpose).
4. ``fixtures``: a mapping of URL to a local file.
5. The network, only when ``allow_fetch`` is set: http(s) only, SSRF-guarded (see ``fetch``),
   ``max_bytes`` and ``timeout`` enforced, Content-Type and magic bytes checked.
6. Otherwise a deterministic synthetic product photo derived from the URL (``synthetic``).

Every failure is a :class:`SourceError` with code ``unreachable``, ``invalid_image`` or ``too_large``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

import numpy as np

from .decode import CONTENT_TYPES, decode_image
from .errors import SourceError
from .synthetic import DEFAULT_SIZE, product_photo

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 4096 * 4096
UNREACHABLE_HOST = "unreachable.invalid"
UNREACHABLE_MARKER = "__unreachable__"


@dataclass(frozen=True, eq=False)
class SourceImage:
    """Decoded pixels (HxWx3, or HxWx4 when the file had transparency; uint8, read-only)."""

    pixels: np.ndarray
    url: str
    origin: str  # "asset" | "data" | "fixture" | "fetch" | "synthetic"
    format: str | None = None  # "PNG" | "JPEG" | "WEBP"; None for synthetic

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


def _frozen(pixels: np.ndarray) -> np.ndarray:
    pixels.flags.writeable = False
    return pixels


def is_unreachable(url: str) -> bool:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return UNREACHABLE_MARKER in url
    return host == UNREACHABLE_HOST or UNREACHABLE_MARKER in parts.path


def parse_data_uri(url: str) -> bytes:
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise SourceError("invalid_image", "malformed data: URI")
    fields = [f.strip().lower() for f in header.split(";")]
    media_type = fields[0] if fields and fields[0] else None
    if media_type is not None and media_type not in CONTENT_TYPES:
        raise SourceError("invalid_image", f"data: URI of type {media_type!r} is not an accepted image type")
    if "base64" in fields[1:]:
        try:
            return base64.b64decode("".join(payload.split()), validate=True)
        except (binascii.Error, ValueError):
            raise SourceError("invalid_image", "data: URI is not valid base64") from None
    return unquote_to_bytes(payload)


def load_source(
    url: str,
    *,
    assets: Mapping[str, bytes] | None = None,
    fixtures: Mapping[str, Path] | None = None,
    allow_fetch: bool = False,
    allow_private: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = 5.0,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    synthetic_size: int = DEFAULT_SIZE,
) -> SourceImage:
    """Resolve ``url`` to pixels (see the module docstring for the order)."""

    def decoded(data: bytes, origin: str) -> SourceImage:
        pixels, fmt = decode_image(data, max_bytes=max_bytes, max_pixels=max_pixels)
        return SourceImage(_frozen(pixels), url, origin, fmt)

    if assets and url in assets:
        return decoded(assets[url], "asset")
    if url[:5].lower() == "data:":
        if len(url) > max_bytes * 4 // 3 + 1024:
            raise SourceError("too_large", f"data: URI is larger than {max_bytes} bytes")
        return decoded(parse_data_uri(url), "data")
    if is_unreachable(url):
        raise SourceError("unreachable", f"{url} is unreachable (sandbox scenario)")
    if fixtures and url in fixtures:
        path = Path(fixtures[url])
        try:
            if path.stat().st_size > max_bytes:
                raise SourceError("too_large", f"fixture for {url} is larger than {max_bytes} bytes")
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError("unreachable", f"fixture for {url} cannot be read: {exc.strerror}") from None
        return decoded(data, "fixture")
    if allow_fetch:
        from .fetch import fetch  # noqa: PLC0415 - http machinery only when fetching is enabled

        return decoded(fetch(url, allow_private=allow_private, max_bytes=max_bytes, timeout=timeout), "fetch")
    rgb, _mask = product_photo(url, synthetic_size)
    return SourceImage(rgb, url, "synthetic", None)
