"""pytest fixtures for testing a client of the product-photo APIs against Darkroom.

- ``darkroom``: the sandbox in process, answering the vendors' real URLs (``requests``/``httpx``).
- ``darkroom_server``: the sandbox on a free local port (one per test run, state reset per test).
- ``darkroom_clock``: the sandbox clock in manual mode; ``.advance(seconds)`` moves every job on.

Both sandboxes expose ``.url``, ``.base_urls``, ``.keys``, ``.clock``, ``.sandbox`` and ``.reset()``.
Options: ``--darkroom-config PATH`` (a ``darkroom serve`` TOML) and ``--darkroom-no-rate-limits``.
"""

from __future__ import annotations

import dataclasses

import pytest

from sandbox.testing import MOCK_URL, DarkroomMock, DarkroomServer


def pytest_addoption(parser):
    group = parser.getgroup("darkroom", "Darkroom sandbox")
    group.addoption("--darkroom-config", metavar="PATH", default=None,
                    help="TOML config for the darkroom fixtures (as for `darkroom serve --config`)")
    group.addoption("--darkroom-no-rate-limits", action="store_true", default=False,
                    help="turn every rate and concurrency limit of the darkroom fixtures off")


def _config(pytestconfig):
    from sandbox.config import load

    no_limits = pytestconfig.getoption("darkroom_no_rate_limits", False)
    return load(pytestconfig.getoption("darkroom_config", None), rate_limits=False if no_limits else None)


@pytest.fixture(scope="session")
def _darkroom_shared_server(pytestconfig):
    with DarkroomServer(_config(pytestconfig)) as server:
        yield server


@pytest.fixture
def darkroom_server(_darkroom_shared_server):
    """A real HTTP sandbox (uvicorn in a thread); every test starts from fresh state."""
    _darkroom_shared_server.reset()
    return _darkroom_shared_server


@pytest.fixture(scope="session")
def _darkroom_mock_app(pytestconfig):
    """One app for every in-process test (building it costs more than resetting it)."""
    from sandbox.app import create_app

    config = _config(pytestconfig)
    if not config.public_url:
        config = dataclasses.replace(config, public_url=MOCK_URL)
    return create_app(config)


@pytest.fixture
def darkroom(_darkroom_mock_app):
    """The sandbox in process: requests to the vendors' URLs are answered by it, on fresh state."""
    mock = DarkroomMock(app=_darkroom_mock_app)
    mock.reset()
    with mock:
        yield mock


@pytest.fixture
def darkroom_clock(request):
    """The clock of whichever sandbox this test uses (``darkroom`` if active, else ``darkroom_server``),
    switched to manual mode; the configured mode comes back afterwards."""
    name = "darkroom" if "darkroom" in request.fixturenames else "darkroom_server"
    handle = request.getfixturevalue(name)
    clock = handle.clock
    clock.manual()
    yield clock
    handle.sandbox.clock.set_mode(handle.config.clock, None)
