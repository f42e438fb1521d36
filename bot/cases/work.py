"""Moving a case through its procedure: advance, return to an earlier step, wait for the citizen, resolve,
reject, reopen. Each change is an event in the case's history and the notice the citizen is sent; the caller
commits both together. A stale change (another officer acted first) raises ``StaleCase`` (the version column
makes the database refuse it even when two requests race)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.cases import local as rules
from bot.cases import notices
from bot.cases.local import Local
from bot.cases.model import CLOSED, CaseError, CaseStatus, Notice, StaleCase, due_of
from bot.db.models import Case, CaseEvent
from knowledge.model import KnowledgeBase

ACTIONS = ("advance", "return", "wait", "resume", "resolve", "reject", "reopen")
NOTE_REQUIRED = {"return", "wait", "reject"}


@dataclass(frozen=True)
class Actor:
    name: str  # the officer's username, "warga" or "sistem"
    user_id: int | None = None


def act(session: Session, case: Case, action: str, *, actor: Actor, now: datetime, kb: KnowledgeBase,
        note: str | None = None, internal_note: str | None = None, to_step: int | None = None,
        version: int | None = None, local: Local | None = None) -> list[Notice]:
    """Apply ``action`` to ``case`` (loaded in ``session``); returns what to tell the citizen. ``local``: the
    admin's holidays and labels, read here when not given."""
    if action not in ACTIONS:
        raise CaseError(f"unknown action {action!r}")
    current(case, version)
    note = (note or "").strip() or None
    if action in NOTE_REQUIRED and not note:
        raise CaseError(f"'{action}' needs a note for the citizen")
    status = CaseStatus(case.status)
    if action == "reopen":
        if status not in CLOSED:
            raise CaseError("only a resolved or rejected case can be reopened")
    elif status in CLOSED:
        raise CaseError(f"case {case.ticket} is {status.value}: reopen it first")
    before = case.step
    local = local or rules.load(session)
    if status == CaseStatus.WAITING and action != "wait":
        _resume(case, now, kb, local)
    if action == "advance":
        case.steps = _done(case, case.step, now)
        if case.step >= len(case.steps):
            _close(case, CaseStatus.RESOLVED, now)
        else:
            case.step += 1
            case.status = CaseStatus.OPEN
    elif action == "return":
        if to_step is None or not 1 <= to_step < case.step:
            raise CaseError(f"return needs a step before the current one (1-{case.step - 1})")
        case.step = to_step
        case.steps = [s | {"done_at": None} if i >= to_step else s for i, s in enumerate(case.steps, 1)]
        case.status = CaseStatus.OPEN
    elif action == "wait":
        if status == CaseStatus.WAITING:
            raise CaseError("the case is already waiting for the citizen")
        case.status, case.waiting_since = CaseStatus.WAITING, now
    elif action == "resume":
        if status != CaseStatus.WAITING:
            raise CaseError("the case is not waiting for the citizen")
        case.status = CaseStatus.OPEN
    elif action == "resolve":
        for index in range(case.step, len(case.steps) + 1):
            case.steps = _done(case, index, now)
        case.step = len(case.steps)
        _close(case, CaseStatus.RESOLVED, now)
    elif action == "reject":
        _close(case, CaseStatus.REJECTED, now)
    elif action == "reopen":
        case.status, case.closed_at, case.feedback = CaseStatus.OPEN, None, None
        case.steps = [s | {"done_at": None} if i >= case.step else s for i, s in enumerate(case.steps, 1)]
    case.updated_at = now
    session.add(CaseEvent(case_id=case.id, at=now, actor=actor.name, user_id=actor.user_id, action=action,
                          from_step=before, to_step=case.step, status=case.status, public_note=note,
                          internal_note=(internal_note or "").strip() or None))
    agency = kb.agencies.get(case.agency)
    if case.contact_id is None or agency is None:
        return []
    return [notices.for_change(case, action, note, agency, local)]


BULK_ACTIONS = ("advance", "wait", "resume", "resolve", "reject")  # "return" needs a step per case
BULK_MAX = 500


@dataclass(frozen=True)
class Refused:
    ticket: str
    reason: str


def act_many(session: Session, cases: list[Case], action: str, *, actor: Actor, now: datetime, kb: KnowledgeBase,
             note: str | None = None, internal_note: str | None = None) -> tuple[list[Notice], list[Refused]]:
    """The same action on many cases in the caller's transaction ("advance selected"). A case the action does
    not fit (already resolved, already waiting) is refused with the reason and left as it was; the others move.
    """
    if action not in BULK_ACTIONS:
        raise CaseError(f"'{action}' cannot be done on many cases at once")
    if action in NOTE_REQUIRED and not (note or "").strip():
        raise CaseError(f"'{action}' needs a note for the citizen")
    told: list[Notice] = []
    refused: list[Refused] = []
    local = rules.load(session)
    for case in cases:
        try:  # act checks everything before it changes anything, for every action of BULK_ACTIONS
            told += act(session, case, action, actor=actor, now=now, kb=kb, note=note, internal_note=internal_note,
                        local=local)
        except CaseError as error:
            refused.append(Refused(case.ticket, str(error)))
    return told, refused


def current(case: Case, version: int | None) -> None:
    """The caller acts on the version it read, or on whatever is there (``version`` None)."""
    if version is not None and version != case.version:
        raise StaleCase(f"case {case.ticket} changed since version {version}")


def _done(case: Case, index: int, now: datetime) -> list[dict[str, object]]:
    return [s | {"done_at": s.get("done_at") or now.isoformat()} if i == index else s
            for i, s in enumerate(case.steps, 1)]


def _close(case: Case, status: CaseStatus, now: datetime) -> None:
    case.status, case.closed_at, case.waiting_since = status, now, None


def _resume(case: Case, now: datetime, kb: KnowledgeBase, local: Local) -> None:
    """Leaving "waiting for the citizen": the working time spent waiting moves every open step's due time."""
    agency = kb.agencies.get(case.agency)
    if case.waiting_since is not None and agency is not None:
        calendar = local.calendar(agency)
        paused = calendar.working_minutes(case.waiting_since, now)
        if paused > 0:
            steps = []
            for i, step in enumerate(case.steps, 1):
                if i >= case.step and not step.get("done_at"):
                    step = step | {"due_at": calendar.add_working(due_of(step), paused).isoformat()}
                steps.append(step)
            case.steps = steps
            case.due_at = due_of(steps[-1])
    case.waiting_since = None
    case.status = CaseStatus.OPEN


def extend(session: Session, case: Case, *, days: int, reason: str, actor: Actor, now: datetime,
           kb: KnowledgeBase, version: int | None = None) -> list[Notice]:
    """Give the case more working days, with a reason the citizen is told."""
    current(case, version)
    if case.status in CLOSED:
        raise CaseError(f"case {case.ticket} is {case.status}")
    if not reason.strip() or not 1 <= days <= 60:
        raise CaseError("an extension needs a reason and 1-60 working days")
    agency = kb.agencies[case.agency]
    local = rules.load(session)
    calendar = local.calendar(agency)
    case.steps = [s | {"due_at": calendar.add_working_days(due_of(s) - timedelta(seconds=1), days).isoformat()}
                  if i >= case.step else s for i, s in enumerate(case.steps, 1)]
    case.due_at = due_of(case.steps[-1])
    case.updated_at = now
    session.add(CaseEvent(case_id=case.id, at=now, actor=actor.name, user_id=actor.user_id, action="extend",
                          from_step=case.step, to_step=case.step, status=case.status, public_note=reason.strip()))
    if case.contact_id is None:
        return []
    return [notices.for_change(case, "extend", reason.strip(), agency, local)]
