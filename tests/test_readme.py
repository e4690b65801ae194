"""The README cannot rot: its tables match the documents, and its snippets run against a live sandbox."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import config as config_module
from sandbox.surfaces import VENDOR_DOCUMENTS, load_document
from sandbox.webhooks import sign
from tests.serverlib import live_server

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, re.S)


def test_opens_with_the_two_setup_commands():
    first = BLOCKS[0]
    lines = first[1].strip().splitlines()
    assert first[0] == "sh" and len(lines) == 2
    assert lines[0].endswith("darkroom serve") and lines[1].endswith("pytest -q")
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "pytest -q" in ci


def _operations():
    for name in VENDOR_DOCUMENTS:
        for path, item in load_document(name)["paths"].items():
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    yield name, method.upper(), path, op


@pytest.mark.parametrize(("name", "method", "path", "op"), list(_operations()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_documented_vs_inferred_table_lists_every_operation(name, method, path, op):
    row = re.search(rf"^\| `{re.escape(name)}` \| `{method} {re.escape(path)}` \| `{op['operationId']}` \| (\w+)",
                    README, re.M)
    assert row, f"README lacks a row for {name} {method} {path}"
    assert row.group(1) == ("inferred" if op.get("x-inferred") else "documented")


def test_config_example_is_valid(tmp_path):
    toml = next(body for lang, body in BLOCKS if lang == "toml")
    path = tmp_path / "darkroom.toml"
    path.write_text(toml)
    config = config_module.load(path)
    assert config.seed == 42 and any(a.id == "shop" for a in config.accounts)


def test_webhook_verification_snippet_accepts_our_signature():
    snippet = next(body for lang, body in BLOCKS if lang == "python" and "def verify" in body)
    scope: dict = {}
    exec(snippet, scope)
    secret = "whsec_" + "a" * 44
    body = b'{"type":"job.completed"}'
    headers = {"webhook-id": "msg_1", "webhook-timestamp": "1700000000",
               "webhook-signature": sign(secret, "msg_1", 1700000000, body)}
    assert scope["verify"](secret, headers, body)
    assert not scope["verify"](secret, headers, body + b"x")


@pytest.fixture(scope="module")
def server():
    with live_server(seed=3, rate_limits=False) as live:
        yield live


def test_curl_quick_starts_run(server):
    snippets = [body for lang, body in BLOCKS if lang == "sh" and body.lstrip().startswith("curl")]
    assert len(snippets) >= 2
    for snippet in snippets:
        command = snippet.replace("http://127.0.0.1:8080", server.url)
        run = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
        assert run.returncode == 0, run.stderr
        body = json.loads(run.stdout)
        assert "error" not in body and body.get("status") != "ERROR", body


def test_clock_commands_run(server):
    block = next(body for lang, body in BLOCKS if lang == "sh" and "clock/advance" in body)
    commands = [line for line in block.splitlines() if line.startswith("curl")]
    server.client.put("/_sandbox/clock", json={"mode": "manual"})
    for command in commands:
        run = subprocess.run(["bash", "-c", command.replace("http://127.0.0.1:8080", server.url)],
                             capture_output=True, text=True, timeout=30)
        assert run.returncode == 0 and "mode" in json.loads(run.stdout)


def test_python_quick_start_runs(server, capsys):
    snippet = next(body for lang, body in BLOCKS if lang == "python" and "requests" in body)
    exec(snippet.replace("http://127.0.0.1:8080", server.url), {})
    printed = capsys.readouterr().out
    assert "'status': 'OK'" in printed and "NOT_STARTED" in printed


def test_mock_snippet_runs():
    snippet = next(body for lang, body in BLOCKS if lang == "python" and "sandbox.testing" in body)
    scope: dict = {}
    exec(snippet, scope)
    assert scope["done"]["status"] == "COMPLETED"
    assert scope["png"].startswith(b"\x89PNG")


def test_conformance_quick_start_runs(server, tmp_path):
    block = next(body for lang, body in BLOCKS if lang == "sh" and "darkroom check" in body)
    command = next(line for line in block.splitlines() if line.startswith("darkroom check"))
    command = command.replace("http://127.0.0.1:8080", server.url).replace("reports", str(tmp_path))
    scripts = str(Path(sys.executable).parent)  # where the venv put the darkroom command
    run = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")})
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert {p.suffix for p in tmp_path.iterdir()} >= {".xml", ".json", ".md"}
