"""The Dockerfile, checked without Docker: its shape, then its commands run here.

The image builds the project's wheel, installs it, runs ``darkroom serve`` and probes
``/_sandbox/health``. The same steps run here in a fresh virtual environment: the wheel is built
with ``pip wheel --no-deps``, installed from a local folder only (``--no-index --find-links``),
and the dependencies come from the running interpreter's site-packages, so nothing is downloaded.
The server then runs from outside the checkout, so every file it serves must come from the wheel.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ACCOUNT_TOML = '[[accounts]]\nid = "docker_probe"\nkeys = ["docker_probe_key"]\nmode = "live"\n'


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in (REPO / "Dockerfile").read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1].strip()) for text in logical]


def _one(name: str) -> str:
    (value,) = [args for instruction, args in instructions() if instruction == name]
    return value


def test_dockerfile_shape():
    found = instructions()
    froms = [args for instruction, args in found if instruction == "FROM"]
    assert froms == ["python:3.11-slim AS builder", "python:3.11-slim"]
    runs = [args for instruction, args in found if instruction == "RUN"]
    assert any("pip wheel" in run and run.rstrip().endswith(" .") for run in runs)
    assert any("pip install --no-index --find-links /wheels darkroom" in run for run in runs)
    assert _one("USER") not in ("root", "0")
    assert _one("EXPOSE") == "8080"
    assert json.loads(_one("CMD")) == ["darkroom", "serve", "--host", "0.0.0.0"]
    health = _one("HEALTHCHECK")
    assert "/_sandbox/health" in health and "curl" not in health
    assert "DARKROOM_CONFIG" not in dict(found).get("ENV", "")  # an unset variable means embedded defaults


def test_dockerignore_sends_only_the_package_sources():
    lines = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[0] == "*"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert allowed == {"pyproject.toml", "README.md", "openapi", "sandbox", "conformance"}
    copied = [args.split()[0] for instruction, args in instructions() if instruction == "COPY" and "--from" not in args]
    assert {c.rstrip("/") for c in copied} | {"README.md"} >= {"pyproject.toml", "openapi", "sandbox", "conformance"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, **kwargs)
    assert done.returncode == 0, f"{shlex.join(command)}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv holding the wheel built from this checkout (dependencies borrowed, offline)."""
    root = tmp_path_factory.mktemp("image")
    wheels, venv = root / "wheels", root / "venv"
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "--wheel-dir", str(wheels), str(REPO)])
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
          "--find-links", str(wheels), "darkroom"])
    # Only now borrow the dependencies: the borrowed folder may hold a development install of darkroom
    # itself, which pip would otherwise take as already satisfied.
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "borrowed-dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    assert (venv / "bin" / "darkroom").exists()
    return root, venv


@pytest.fixture(scope="module")
def container(installed):
    """``CMD`` of the Dockerfile, from the venv, outside the checkout, configured via DARKROOM_CONFIG."""
    root, venv = installed
    config = root / "mounted" / "darkroom.toml"
    config.parent.mkdir()
    config.write_text(ACCOUNT_TOML)
    port = _free_port()
    command = json.loads(_one("CMD"))
    command[command.index("--host") + 1] = "127.0.0.1"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DARKROOM_CONFIG")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", DARKROOM_CONFIG=str(config))
    process = subprocess.Popen([*command, "--port", str(port)], cwd=root, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    health = json.loads(_one("HEALTHCHECK").split("CMD", 1)[1].strip())
    health = [part.replace("127.0.0.1:8080", f"127.0.0.1:{port}") for part in health]
    deadline = time.monotonic() + 45
    try:
        while subprocess.run([str(venv / "bin" / health[0]), *health[1:]], cwd=root, env=env,
                             capture_output=True).returncode != 0:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"darkroom serve never became healthy:\n{process.stdout.read()[-3000:]}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", venv, env
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        return response.status, response.read()


def test_the_installed_package_is_the_one_serving(container):
    url, venv, env = container
    where = _run([str(venv / "bin" / "python"), "-c", "import sandbox.surfaces as s; print(s.documents_dir())"],
                 cwd=venv, env=env).stdout.strip()
    assert Path(where).is_relative_to(venv) and Path(where).name == "openapi"
    status, body = _get(url + "/_sandbox/openapi/productai.yaml")
    assert status == 200
    assert body.decode() == (REPO / "openapi" / "productai.yaml").read_text()
    assert body.decode() == (Path(where) / "productai.yaml").read_text()


def test_health_and_config_from_the_environment(container):
    url, _, _ = container
    status, body = _get(url + "/_sandbox/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    accounts = json.loads(_get(url + "/_sandbox/accounts")[1])["accounts"]
    assert "docker_probe" in [a["id"] for a in accounts]


def test_bundled_swagger_ui_ships_in_the_wheel(container):
    url, venv, _ = container
    status, body = _get(url + "/_sandbox/docs/assets/swagger-ui-bundle.js")
    assert status == 200 and body == (REPO / "sandbox" / "static" / "swagger-ui" / "swagger-ui-bundle.js").read_bytes()
    assert _get(url + "/_sandbox/docs/productai/")[0] == 200
    assert _get(url + "/_sandbox/ui/assets/inspector.js")[0] == 200
