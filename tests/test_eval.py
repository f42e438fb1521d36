"""The question sets score at least 95% through the real `ask` command, with no answer about a wrong service."""

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


OWN = Path(__file__).resolve().parent / "eval"


@pytest.mark.parametrize("name", ["real-phrasing.jsonl", "understanding.jsonl", "heldout.jsonl", "heldout2.jsonl"])
def test_every_set_scores_95_percent_with_no_wrong_service(name: str, tmp_path: Path) -> None:
    path = OWN / name if (OWN / name).exists() else EVAL / name
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing")
        pytest.skip(f"the shared eval set is not beside this checkout ({path})")
    env = clean_env() | {"PYTHONPATH": str(Path(__file__).resolve().parents[1])}  # tests.eval, from anywhere
    proc = subprocess.run(  # run outside the checkout: a developer's .env there must not change the answers
        [sys.executable, "-m", "tests.eval.report", str(path), "--cmd", f"{sys.executable} -m bot ask"],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )
    match = re.search(r"(\d+)/(\d+) passed \([\d.]+%\), wrong-service answers: (\d+)", proc.stdout)
    assert match, proc.stdout + proc.stderr
    passed, scored, wrong = (int(g) for g in match.groups())
    assert passed / scored >= 0.95 and wrong == 0, proc.stdout
