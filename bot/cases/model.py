"""The case's fixed status types, the notice a change causes, and reading a case's steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.db.models import Case


class CaseStatus(StrEnum):
    """Fixed types: what the system relies on. Officers and citizens see their labels (``handlers.messages``)."""

    OPEN = "open"
    WAITING = "waiting"  # waiting for the citizen: the clock is paused
    RESOLVED = "resolved"
    REJECTED = "rejected"


CLOSED = (CaseStatus.RESOLVED, CaseStatus.REJECTED)


class CaseError(Exception):
    """A change the case's state does not allow (the API answers 409 with the current state)."""


class StaleCase(CaseError):
    """The case changed since the caller read it (another officer acted first)."""


@dataclass(frozen=True)
class Notice:
    """A message to the citizen a change causes: free text inside WhatsApp's window, else ``template`` with
    ``variables`` (one line each)."""

    contact_id: int
    channel: str
    body: str
    template: str | None = None
    variables: dict[str, str] | None = None
    asks: tuple[str, str] | None = None  # (question kind, ticket): "case-feedback" or "case-waiting"


def step_name(case: Case) -> str:
    return str(case.steps[case.step - 1]["name"])


def due_of(step: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(step["due_at"])
