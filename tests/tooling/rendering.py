"""Whether the sandbox renders result images yet (tests of downloads flip from xfail to pass with it)."""

from __future__ import annotations


def rendering_wired() -> bool:
    try:
        from sandbox.engine import RenderRequest  # noqa: F401
    except ImportError:
        return False
    return True
