"""What the citizen is told when their case changes: the text (``handlers.messages``) and, for WhatsApp outside
the 24-hour window, the approved template and its variables (one line each: Meta refuses newlines and tabs)."""

from __future__ import annotations

import re

from bot.cases.local import NONE, Local
from bot.cases.model import CaseStatus, Notice, step_name
from bot.db.models import Case
from bot.domain.dates import local_moment
from handlers import messages as m
from knowledge.model import Agency

# Which approved template carries which notice (docs/whatsapp-templates.md has their texts).
TEMPLATES = {"status": "case_status", "waiting": "case_waiting", "resolved": "case_resolved",
             "received": "case_received", "survey": "case_survey"}
MAX_VARIABLE = 300


def one_line(text: str, limit: int = MAX_VARIABLE) -> str:
    """A template variable: newlines, tabs and runs of spaces become one space (Twilio 63040, WhatsApp
    132018), never empty, cut to ``limit``."""
    flat = re.sub(r"\s+", " ", text).strip() or "-"
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


def for_change(case: Case, action: str, note: str | None, agency: Agency, local: Local = NONE) -> Notice:
    assert case.contact_id is not None
    label = local.label
    due = local_moment(case.due_at, agency.timezone)
    note_line = m.CASE_NOTE.format(note=note) if note else ""
    if case.status == CaseStatus.WAITING:
        body = m.CASE_WAITING.format(ticket=case.ticket, note=note or "")
        return Notice(case.contact_id, case.channel, body, TEMPLATES["waiting"],
                      {"1": case.ticket, "2": one_line(note or m.CASE_WAITING_DEFAULT)},
                      asks=("case-waiting", case.ticket))
    if case.status == CaseStatus.RESOLVED:
        body = m.CASE_RESOLVED.format(ticket=case.ticket, note=note_line)
        return Notice(case.contact_id, case.channel, body, TEMPLATES["resolved"], {"1": case.ticket},
                      asks=("case-feedback", case.ticket))
    if case.status == CaseStatus.REJECTED:
        body = m.CASE_REJECTED.format(ticket=case.ticket, note=note or "")
        return Notice(case.contact_id, case.channel, body, TEMPLATES["status"],
                      {"1": case.ticket, "2": one_line(f"{label(case.status)}: {note or ''}"), "3": "-"})
    lead = m.CASE_EXTENDED if action == "extend" else m.CASE_MOVED
    body = lead.format(ticket=case.ticket, status=label(case.status), step=step_name(case), n=case.step,
                       total=len(case.steps), due=due, note=note_line)
    return Notice(case.contact_id, case.channel, body, TEMPLATES["status"],
                  {"1": case.ticket, "2": one_line(f"{label(case.status)} ({step_name(case)})"), "3": one_line(due)})


def for_message(case: Case, text: str, local: Local = NONE) -> Notice:
    """An officer's message about the case."""
    assert case.contact_id is not None
    label = local.label
    body = m.CASE_MESSAGE.format(ticket=case.ticket, text=text.strip())
    return Notice(case.contact_id, case.channel, body, TEMPLATES["status"],
                  {"1": case.ticket, "2": one_line(label(case.status)), "3": one_line(text, 200)})
