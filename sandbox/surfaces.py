"""The API surfaces the sandbox serves: which document, at which public URL, in which vendor's voice.

Everything that differs between vendors at the HTTP edge (base path, error envelope, auth style,
body limits) is a row here, so the dispatcher and the error layer carry no vendor branches.
"""

from __future__ import annotations

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


@cache
def _parsed(name: str) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(document_text(name), Loader=loader)


def load_document(name: str) -> dict:
    """A fresh copy of a document, so callers may annotate it without touching the served original."""
    import copy

    return copy.deepcopy(_parsed(name))
