"""`dinsos-bot ask` as CONTRACTS.md defines it, run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support import clean_env, run_cli


def _ask(lines: list[str], cwd: Path) -> list[dict]:  # type: ignore[type-arg]
    proc = run_cli("ask", env=clean_env(), cwd=cwd, stdin="".join(lines))
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_one_json_line_per_input_line_in_order(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "mau tanya soal karang taruna", "agency": "tanah-laut", "user": "u1"}) + "\n",
        json.dumps({"text": "syaratnya apa?", "agency": "tanah-laut", "user": "u1"}) + "\n",
        json.dumps({"text": "syaratnya apa?", "agency": "tanah-laut", "user": None}) + "\n",
        "this is not json\n",
        "\n",
        json.dumps({"text": "syarat kks hilang", "agency": None, "user": None}) + "\n",
        json.dumps({"text": "halo", "agency": "nowhere", "user": None}) + "\n",
    ]
    out = _ask(lines, tmp_path)
    assert len(out) == len(lines)
    for row in out:
        assert set(row) == {"reply", "intent", "service", "aspect", "agency"}
    assert out[1]["intent"] == "answer" and "Kepala Desa" in out[1]["reply"]
    assert out[1]["service"] == "tanda-daftar-karang-taruna" and out[1]["aspect"] == "requirements"
    assert out[2]["intent"] == "clarify"  # user null: a fresh citizen, no context
    assert out[3]["intent"] == "error" and out[3]["reply"]
    assert out[4]["intent"] == "empty"
    assert out[5]["intent"] == "clarify" and out[5]["agency"] is None
    assert out[6]["intent"] == "greeting"


def test_replies_are_flushed_line_by_line(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "bot", "ask"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=clean_env(), cwd=tmp_path)
    assert proc.stdin and proc.stdout
    proc.stdin.write(json.dumps({"text": "jam buka", "agency": "tanah-laut", "user": None}) + "\n")
    proc.stdin.flush()
    first = json.loads(proc.stdout.readline())  # arrives before stdin is closed
    assert "16.30" in first["reply"]
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0
