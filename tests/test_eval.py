"""The public question set scores at least 95% through the real `ask` command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.support import clean_env

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def test_dev_questions_score_at_least_95_percent(tmp_path: Path) -> None:
    if not (EVAL / "score.py").exists():
        if IN_CI:
            pytest.fail(f"{EVAL} is missing")
        pytest.skip(f"the shared eval set is not beside this checkout ({EVAL})")
    proc = subprocess.run(
        [sys.executable, str(EVAL / "score.py"), str(EVAL / "dev-questions.jsonl"), "--cmd",
         f"{sys.executable} -m bot ask"],
        capture_output=True, text=True, timeout=300, check=True, env=clean_env(), cwd=tmp_path,
    )
    match = re.search(r"score: (\d+)/(\d+) passed", proc.stdout)
    assert match, proc.stdout + proc.stderr
    passed, scored = int(match.group(1)), int(match.group(2))
    assert passed / scored >= 0.95, proc.stdout
