"""The API surfaces the sandbox serves: which document, at which public URL, in which vendor's voice.

Everything that differs between vendors at the HTTP edge (base path, error envelope, auth style,
body limits) is a row here, so the dispatcher and the error layer carry no vendor branches.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Surface:
    name: str  # document file name without extension
    vendor: str  # key into sandbox.codes.VENDORS
    ledger: str  # which balance of an account this surface draws on
    envelope: str  # key into sandbox.errors.ENVELOPES
    public_base: str  # where integrators find it on the sandbox host
    claims: str  # unmatched paths under this prefix answer in this surface's envelope
    handlers: str  # module holding the operation functions
    max_body: int = 1024 * 1024  # bytes of JSON; larger bodies get 413
    max_upload: int = 1024 * 1024  # bytes of multipart/form-data
    edge_envelope: str | None = None  # envelope for 404/405 that no single operation owns

    @property
    def internal_base(self) -> str:
        """Connexion mounts each document at its own private prefix; the dispatcher rewrites to it."""
        return f"/__doc/{self.name}"


SURFACES: tuple[Surface, ...] = (
    Surface(
        name="aigenstudio-product-photo",
        ledger="aigenstudio",
        vendor="aigenstudio",
        envelope="aigenstudio_nested",
        public_base="/aigenstudio/api/v1",
        claims="/aigenstudio/api/v1",
        handlers="sandbox.handlers.product_photo",
        edge_envelope="aigenstudio_both",
    ),
    Surface(
        name="aigenstudio-image",
        ledger="aigenstudio",
        vendor="aigenstudio",
        envelope="aigenstudio_top",
        public_base="/aigenstudio/api/v1",
        claims="/aigenstudio/api/v1",
        handlers="sandbox.handlers.image",
        edge_envelope="aigenstudio_both",
    ),
    Surface(
        name="productai",
        ledger="productai",
        vendor="productai",
        envelope="productai",
        public_base="/productai/v1",
        claims="/productai/v1/api",
        handlers="sandbox.handlers.productai",
    ),
    Surface(
        name="productai-v1",
        ledger="productai",
        vendor="productai_v1",
        envelope="productai_v1",
        public_base="/productai",
        claims="/productai",
        handlers="sandbox.handlers.productai_v1",
        max_upload=11 * 1024 * 1024,  # asset uploads: 10 MB images plus multipart framing
    ),
    Surface(
        name="sandbox-control",
        ledger="none",
        vendor="sandbox",
        envelope="control",
        public_base="/_sandbox",
        claims="/_sandbox",
        handlers="sandbox.handlers.control",
    ),
)

BY_NAME = {s.name: s for s in SURFACES}
VENDOR_DOCUMENTS = tuple(s.name for s in SURFACES if s.vendor != "sandbox")


def documents_dir() -> Path:
    """Installed wheels carry the documents inside the package; a checkout keeps them at the top."""
    here = Path(__file__).resolve().parent
    packaged = here / "openapi"
    return packaged if packaged.is_dir() else here.parent / "openapi"


def document_path(name: str) -> Path:
    return documents_dir() / f"{name}.yaml"


@cache
def document_text(name: str) -> str:
    return document_path(name).read_text(encoding="utf-8")


def _cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "darkroom" / "documents"


@cache
def _parsed(name: str) -> dict:
    """The parsed document. YAML is slow to build; a JSON copy keyed by the text's hash is not."""
    text = document_text(name)
    cached = _cache_dir() / f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(text, Loader=loader)
    try:
        encoded = json.dumps(document)
        if json.loads(encoded) == document:  # only plain JSON values survive a round trip
            cached.parent.mkdir(parents=True, exist_ok=True)
            temporary = cached.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(encoded, encoding="utf-8")
            temporary.replace(cached)
    except (OSError, TypeError, ValueError):
        pass  # a read-only home or a non-JSON value: parse the YAML every time
    return document


def parsed_document(name: str) -> dict:
    """The shared parsed document, for readers only (no copy)."""
    return _parsed(name)


def load_document(name: str) -> dict:
    """A fresh copy of a document, so callers may annotate it without touching the served original."""
    import copy

    return copy.deepcopy(_parsed(name))
