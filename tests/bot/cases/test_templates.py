"""The WhatsApp templates follow Meta's rules, and docs/whatsapp-templates.md holds exactly their texts."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from bot.cases import notices
from bot.db.models import Case
from handlers.messages import WHATSAPP_TEMPLATES
from knowledge.model import KnowledgeBase
from knowledge.understand import Lexicon

DOC = Path(__file__).resolve().parents[3] / "docs" / "whatsapp-templates.md"
VARIABLE = re.compile(r"\{\{(\d+)\}\}")


def test_each_body_has_fixed_words_around_its_variables() -> None:
    for name, body in WHATSAPP_TEMPLATES.items():
        variables = VARIABLE.findall(body)
        assert variables == [str(n) for n in range(1, len(variables) + 1)], name  # {{1}}, {{2}}... in order
        assert not VARIABLE.match(body) and not VARIABLE.search(body.rstrip(".?! ")[-8:]), name  # not first, last
        fixed = len(VARIABLE.sub(" ", body).split())
        assert fixed >= 3 * len(variables) + 2, (name, fixed)
        assert "\n" not in body and "\t" not in body and len(body) <= 1024, name


def test_every_notice_names_a_template_that_exists_and_fills_its_variables(
        knowledge: tuple[KnowledgeBase, Lexicon]) -> None:
    for template in notices.TEMPLATES.values():
        assert template in WHATSAPP_TEMPLATES
    agency = knowledge[0].agencies["tanah-laut"]
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    steps = [{"name": f"Tahap {i}", "due_at": now.isoformat()} for i in range(1, 5)]
    for status, action in (("open", "advance"), ("waiting", "wait"), ("resolved", "resolve"),
                           ("rejected", "reject"), ("open", "extend")):
        case = Case(ticket="TLT-7K3QMR", agency="tanah-laut", contact_id=1, channel="whatsapp", status=status,
                    step=2, steps=steps, due_at=now)
        notice = notices.for_change(case, action, "foto KTP\nyang jelas", agency)
        assert notice.template is not None and notice.variables is not None
        assert set(notice.variables) == set(VARIABLE.findall(WHATSAPP_TEMPLATES[notice.template])), action
        assert all("\n" not in v for v in notice.variables.values())


def test_the_document_holds_each_text_and_a_content_api_request_for_it() -> None:
    text = DOC.read_text(encoding="utf-8")
    requests = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)]
    assert {r["friendly_name"]: r["types"]["twilio/text"]["body"] for r in requests} == WHATSAPP_TEMPLATES
    for request in requests:
        body = request["types"]["twilio/text"]["body"]
        assert set(request["variables"]) == set(VARIABLE.findall(body)), request["friendly_name"]


def test_variable_values_are_one_line() -> None:
    assert notices.one_line("Kartu\npengganti\t sudah  dicetak ") == "Kartu pengganti sudah dicetak"
    assert notices.one_line("   ") == "-"
    assert len(notices.one_line("x" * 500)) == notices.MAX_VARIABLE
