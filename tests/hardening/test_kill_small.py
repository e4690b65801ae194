"""CI-sized kill campaign: two SIGKILL rounds against the SQLite store, then every check."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "kill_campaign.py"


def test_two_kill_rounds_lose_nothing_acknowledged(tmp_path):
    db = tmp_path / "state.db"
    run = subprocess.run([sys.executable, str(SCRIPT), "--state", f"sqlite:{db}", "--rounds", "2",
                          "--kill-min", "10", "--kill-max", "30", "--seed", "7"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    summary = re.search(r"(\d+) kills, (\d+) creates sent, (\d+) acknowledged", run.stdout)
    assert summary, run.stdout
    kills, sent, acknowledged = map(int, summary.groups())
    assert kills == 2 and acknowledged >= 20 and sent >= acknowledged
    assert "violations: 0" in run.stdout
