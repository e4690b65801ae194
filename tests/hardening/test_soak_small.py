"""CI-sized soak: about fifteen seconds of mixed load, no 5xx, no leak, every job terminal."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "soak.py"


def test_short_soak_is_clean():
    run = subprocess.run([sys.executable, str(SCRIPT), "--seconds", "15", "--warmup", "4", "--workers", "4",
                          "--distinct-files", "2", "--queued", "0.2", "--processing", "0.4",
                          "--finish-timeout", "30"], capture_output=True, text=True, timeout=150)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    requests = int(re.search(r"requests: (\d+)", run.stdout).group(1))
    jobs = int(re.search(r"jobs created: (\d+)", run.stdout).group(1))
    assert requests > 200 and jobs > 10, run.stdout
    assert "5xx: 0; unexpected statuses: 0; transport errors: 0" in run.stdout
    assert "unfinished jobs: 0" in run.stdout
