"""Benchmark: knowledge-base load time, one answer's latency, and `dinsos-bot ask`'s peak memory.

Usage: .venv/bin/python bench/answers.py [--repeat 50] [--questions FILE.jsonl ...]
(default: the public sets beside this checkout and tests/eval/*.jsonl, stories of 40 words included)
Prints a Markdown table; copy it into docs/benchmarks.md with the machine it ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handlers.engine import Engine
from handlers.types import ConversationState, InboundMessage
from knowledge.loader import load

FALLBACK_QUESTIONS = [
    {"text": "syarat kks hilang", "agency": "tanah-laut", "user": None},
    {"text": "brp lama adopsi", "agency": "tanah-laut", "user": None},
    {"text": "jam buka dinsos", "agency": "tanah-laut", "user": None},
    {"text": "persyaratan bpnt", "agency": "sragen", "user": None},
    {"text": "saldo kks kosong", "agency": "tarakan", "user": None},
    {"text": "qwerty", "agency": "magetan", "user": None},
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    shared, own = ROOT.parent / "shared" / "eval", ROOT / "tests" / "eval"
    parser.add_argument("--questions", nargs="+", type=Path, default=[
        shared / "dev-questions.jsonl", shared / "real-phrasing.jsonl", own / "understanding.jsonl",
        own / "heldout.jsonl", own / "heldout2.jsonl"])
    args = parser.parse_args()
    questions = [json.loads(x) for path in args.questions if path.exists()
                 for x in path.read_text().splitlines() if x.strip()] or FALLBACK_QUESTIONS
    for q in questions:  # conversations of different sets must not share a state
        q["user"] = f"{q.get('id', '')[:1]}-{q['user']}" if q.get("user") else None

    loads = []
    for _ in range(5):
        start = time.perf_counter()
        kb, lexicon = load()
        engine = Engine(kb, lexicon)
        loads.append(time.perf_counter() - start)

    latencies = []
    for _ in range(args.repeat):
        states: dict[str, ConversationState] = {}
        for q in questions:
            state = states.setdefault(q["user"], ConversationState()) if q.get("user") else ConversationState()
            start = time.perf_counter()
            engine.turn(InboundMessage("bench", str(q.get("user")), q["text"], q.get("agency")), state)
            latencies.append((time.perf_counter() - start) * 1000)

    stdin = "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "dinsos-bot"), "ask"], input=stdin, capture_output=True,
                          text=True, check=True)
    ask_seconds = time.perf_counter() - start
    peak_kb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    assert len(proc.stdout.splitlines()) == len(questions)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")
    print()
    print("| measure | result | target |")
    print("| --- | --- | --- |")
    print(f"| knowledge base + engine load (median of 5) | {statistics.median(loads) * 1000:.0f} ms | < 1 s |")
    print(f"| answer latency p50 ({len(latencies)} answers) | {percentile(latencies, 50):.2f} ms | |")
    print(f"| answer latency p99 | {percentile(latencies, 99):.2f} ms | < 20 ms |")
    print(f"| answer latency max | {max(latencies):.2f} ms | |")
    print(f"| `dinsos-bot ask` peak RSS ({len(questions)} questions) | {peak_kb / 1024:.0f} MB | < 200 MB |")
    print(f"| `dinsos-bot ask` wall time, process start to exit | {ask_seconds:.2f} s | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
