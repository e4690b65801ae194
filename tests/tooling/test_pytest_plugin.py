"""The pytest plugin, run the way integrators run it: ``pytest ... -p sandbox.pytest_plugin``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENTRY_POINT = "sandbox.pytest_plugin"  # pytest11 name: must equal the module so `-p` and autoload coexist


def _pytest(args: list[str], cwd: Path, extra_path: list[Path] = ()) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *map(str, extra_path), env.get("PYTHONPATH", "")])
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


def _outcomes(junit: Path) -> dict[str, str]:
    outcomes = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[case.get("name")] = kinds[0] if kinds else "passed"
    return outcomes


def test_example_suite_passes_in_process_and_over_http(tmp_path):
    junit = tmp_path / "examples.xml"
    run = _pytest(["examples/", "-p", "sandbox.pytest_plugin", f"--junitxml={junit}", "-q"], cwd=REPO)
    outcomes = _outcomes(junit)
    assert len(outcomes) >= 20, run.stdout[-3000:]
    for backend in ("darkroom", "darkroom_server"):
        assert sum(1 for name in outcomes if name.endswith(f"[{backend}]")) == len(outcomes) // 2
    assert any(name.startswith("test_lifestyle_result_downloads_as_png") for name in outcomes)
    for name, outcome in outcomes.items():
        assert outcome == "passed", f"{name}: {outcome}\n{run.stdout[-3000:]}"


OPTIONS_SUITE = '''
import requests

CUSTOM = "custom_tooling_key"


def test_config_and_no_rate_limits_reach_the_server(darkroom_server):
    assert darkroom_server.sandbox.config.rate_limits is False
    assert darkroom_server.keys["tooling"] == CUSTOM
    answer = requests.get(darkroom_server.base_urls["productai"] + "/api/key-check",
                          headers={"x-api-key": CUSTOM}, timeout=10)
    assert answer.json()["data"]["tokens_remaining"] == 77
    for _ in range(20):  # above the documented 15/minute: limits are off
        assert requests.get(darkroom_server.base_urls["productai"] + "/api/key-check",
                            headers={"x-api-key": CUSTOM}, timeout=10).status_code == 200


def test_config_reaches_the_mock(darkroom):
    assert darkroom.sandbox.config.rate_limits is False
    answer = requests.get("https://api.productai.photo/v1/api/key-check", headers={"x-api-key": CUSTOM}, timeout=10)
    assert answer.json()["data"]["tokens_remaining"] == 77


def test_server_state_1_create(darkroom_server):
    requests.post(darkroom_server.base_urls["productai"] + "/api/generate", headers={"x-api-key": CUSTOM},
                  json={"image_url": "https://example.com/a.jpg", "prompt": "x", "model": "nanobanana"}, timeout=10)
    assert len(darkroom_server.sandbox.store.all_jobs()) == 1
    assert darkroom_server.sandbox.accounts.by_id["tooling"].balances["productai"] == 74


def test_server_state_2_is_fresh(darkroom_server):
    assert darkroom_server.sandbox.store.all_jobs() == []
    assert darkroom_server.sandbox.accounts.by_id["tooling"].balances["productai"] == 77


def test_clock_follows_the_server(darkroom_server, darkroom_clock):
    before = darkroom_clock.now()
    assert darkroom_server.sandbox.clock.mode == "manual"
    assert darkroom_clock.advance(30)["epoch"] == before + 30


def test_clock_follows_the_mock_when_it_is_used(darkroom, darkroom_clock, darkroom_server):
    assert darkroom.sandbox.clock.mode == "manual"
    assert darkroom_server.sandbox.clock.mode == "real"


def test_clock_mode_is_restored_after_a_test(darkroom_server, darkroom):
    assert darkroom_server.sandbox.clock.mode == "real"
    assert darkroom.sandbox.clock.mode == "real"
'''

CONFIG = '''
[[accounts]]
id = "tooling"
keys = ["custom_tooling_key"]
mode = "live"
balances = { productai = 77 }
'''


def test_options_fixtures_and_entry_point_name(tmp_path):
    """Also installs the plugin under its pytest11 entry point: loading it with ``-p`` as well must not clash."""
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_options.py").write_text(textwrap.dedent(OPTIONS_SUITE))
    (tmp_path / "darkroom.toml").write_text(CONFIG)
    dist = tmp_path / "site" / "darkroom_plugin_probe-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: darkroom-plugin-probe\nVersion: 0\n")
    (dist / "entry_points.txt").write_text(f"[pytest11]\n{ENTRY_POINT} = sandbox.pytest_plugin\n")
    run = _pytest([str(suite), "-p", "sandbox.pytest_plugin", f"--darkroom-config={tmp_path / 'darkroom.toml'}",
                   "--darkroom-no-rate-limits", "-q", f"--rootdir={tmp_path}"], cwd=tmp_path,
                  extra_path=[tmp_path / "site"])
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "7 passed" in run.stdout
