"""CI-sized kill campaign: two SIGKILL rounds against the SQLite store, then the Redis store."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.redislib import redis_server

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "kill_campaign.py"


@pytest.fixture(params=["sqlite", "redis"])
def state(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:{tmp_path / 'state.db'}"
        return
    with redis_server() as (url, _):
        yield url


def test_two_kill_rounds_lose_nothing_acknowledged(state):
    run = subprocess.run([sys.executable, str(SCRIPT), "--state", state, "--rounds", "2",
                          "--kill-min", "10", "--kill-max", "30", "--seed", "7"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    summary = re.search(r"(\d+) kills, (\d+) creates sent, (\d+) acknowledged", run.stdout)
    assert summary, run.stdout
    kills, sent, acknowledged = map(int, summary.groups())
    assert kills == 2 and acknowledged >= 20 and sent >= acknowledged
    assert "violations: 0" in run.stdout
