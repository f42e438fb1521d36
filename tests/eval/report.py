"""Score question sets through the real `dinsos-bot ask` and say how the bot misreads them.

    .venv/bin/python tests/eval/report.py [FILE.jsonl ...] [--failures]

Default sets: ../shared/eval/dev-questions.jsonl, ../shared/eval/real-phrasing.jsonl (public) and
the sets written for this project: tests/eval/understanding.jsonl (by the author of the rules, so it flatters them),
tests/eval/heldout.jsonl and heldout2.jsonl (written apart, by someone who saw only the curated standards: 88.1% and
88.3% when first run; see docs/testing.md). For each:
the score with the same rules as ``../shared/eval/score.py``, a confusion table of intents (expected rows,
replied columns), and the count of **wrong-service answers** (an answer about another service than the one
asked: worse than a question back), which must be 0.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "eval"
OWN = ROOT / "tests" / "eval"
SETS = [SHARED / "dev-questions.jsonl", SHARED / "real-phrasing.jsonl", OWN / "understanding.jsonl",
        OWN / "heldout.jsonl", OWN / "heldout2.jsonl"]
KINDS = ["answer", "clarify", "complaint", "fallback"]


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("\u2013", "-").replace("\u2014", "-"))


def has(reply: str, alt: str) -> bool:
    if norm(alt) in norm(reply):
        return True
    digits = re.sub(r"\D", "", alt)
    if len(digits) >= 6 and len(digits) >= len(alt) * 0.6:
        found = re.sub(r"\D", "", reply)
        return digits in found or digits.lstrip("0") in found
    return False


def passed(item: dict[str, object], out: dict[str, object]) -> bool | None:
    """True or False as score.py decides; None when score.py would not count the item."""
    reply, intent = str(out.get("reply", "")), str(out.get("intent", ""))
    wanted = str(item.get("intent") or "answer")
    if wanted != "answer":
        return intent == wanted
    include = item.get("include") or []
    if not include:
        return None
    return (intent != "fallback" and all(any(has(reply, alt) for alt in group) for group in include)  # type: ignore[union-attr]
            and not any(has(reply, x) for x in item.get("exclude") or []))  # type: ignore[union-attr]


def ask(items: list[dict[str, object]], command: list[str]) -> list[dict[str, object]]:
    lines = "".join(json.dumps({"text": it["text"], "agency": it.get("agency"), "user": it.get("user")},
                               ensure_ascii=False) + "\n" for it in items)
    proc = subprocess.run(command, input=lines, capture_output=True, text=True, timeout=600, check=True)
    return [json.loads(line) for line in proc.stdout.splitlines()]


def report(path: Path, command: list[str], failures: bool) -> dict[str, int]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    outs = ask(items, command)
    scored = ok = wrong_service = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for item, out in zip(items, outs, strict=True):
        verdict = passed(item, out)
        wanted, got = str(item.get("intent") or "answer"), str(out.get("intent"))
        confusion[(wanted, got if got in KINDS else "other")] += 1
        service = item.get("service")
        if service and got == "answer" and out.get("service") not in (None, service):
            wrong_service += 1
            if failures:
                print(f"  WRONG SERVICE {item.get('id')} {item['text']!r}: {out.get('service')} (wanted {service})")
        if verdict is None:
            continue
        scored += 1
        ok += verdict
        if failures and not verdict:
            reply = str(out.get("reply"))[:160]
            print(f"  FAIL {item.get('id')} [{item.get('agency')}] {item['text']!r}\n"
                  f"       want {wanted} {item.get('include') or ''}\n       got  {got}: {reply!r}")
    name = path.relative_to(ROOT.parent) if path.is_relative_to(ROOT.parent) else path
    print(f"{name}: {ok}/{scored} passed ({100 * ok / max(1, scored):.1f}%), wrong-service answers: {wrong_service}")
    columns = [*KINDS, "other"]
    print("  expected \\ replied " + " ".join(f"{c:>9}" for c in columns))
    for row in KINDS:
        if any(confusion[(row, c)] for c in columns):
            print(f"  {row:<19}" + " ".join(f"{confusion[(row, c)]:>9}" for c in columns))
    return {"passed": ok, "scored": scored, "wrong_service": wrong_service}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--failures", action="store_true", help="list every failed item")
    parser.add_argument("--cmd", default=f"{sys.executable} -m bot ask")
    args = parser.parse_args()
    results = [report(path, args.cmd.split(), args.failures) for path in (args.sets or SETS) if path.exists()]
    return 1 if any(r["wrong_service"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
