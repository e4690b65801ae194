"""Start-up: keep the client libraries Connexion imports eagerly out of a serving process.

Connexion imports ``httpx`` (OAuth token-info calls; httpx in turn imports click, rich and
pygments), ``requests`` (remote ``$ref`` resolution; urllib3, charset_normalizer) and Starlette's
test client as soon as it is imported, although a sandbox that serves local documents with key
callbacks never calls them. While Connexion is imported here, those names are placeholders that
load the real module on first use; afterwards every other importer gets the real module as usual.
"""

from __future__ import annotations

import importlib
import sys
import types

DEFERRED = ("httpx", "requests")


class _Placeholder(types.ModuleType):
    """A module that imports the real one the first time one of its attributes is read."""

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attr)


class _TestClient:
    """Stands in for ``starlette.testclient.TestClient`` inside Connexion until a test builds one."""

    def __new__(cls, *args, **kwargs):
        from starlette.testclient import TestClient

        return TestClient(*args, **kwargs)


def import_connexion() -> None:
    """Import Connexion with its client libraries deferred. A no-op once Connexion is loaded."""
    if "connexion" in sys.modules:
        return
    placeholders = {name: _Placeholder(name) for name in DEFERRED if name not in sys.modules}
    if "starlette.testclient" not in sys.modules:
        placeholders["starlette.testclient"] = _Placeholder("starlette.testclient")
        placeholders["starlette.testclient"].TestClient = _TestClient
    sys.modules.update(placeholders)
    try:
        import connexion  # noqa: F401
    finally:
        for name, placeholder in placeholders.items():
            if sys.modules.get(name) is placeholder:
                del sys.modules[name]
