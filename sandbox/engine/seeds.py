"""Deterministic randomness: every seed is a SHA-256 of labelled parts, never Python's ``hash()``.

PCG64 from numpy gives the same stream on every platform for a given numpy release.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np


def digest(*parts: object) -> bytes:
    """SHA-256 of the parts as canonical JSON (sorted keys), so dict order never matters."""
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).digest()


def rng(*parts: object) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(int.from_bytes(digest(*parts)[:16], "big")))
