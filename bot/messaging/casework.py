"""Cases from the chat: what the case handlers ask (``OpenCase``, ``LookupCases``, ``CaseFeedback``,
``SaveSurvey``) carried out in the batch's transaction, correcting the reply already queued where the answer
depends on the database; and case changes with their notices queued in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.cases import local as rules
from bot.cases import work
from bot.cases.model import CaseStatus, Notice, step_name
from bot.cases.opening import open_case
from bot.db.models import Case, CaseEvent, CasePhoto, ConversationStateRow, Media, SurveyResponse, utcnow
from bot.domain.dates import local_moment
from bot.inbox import conversations
from bot.messaging import outbox
from bot.messaging.runtime import Runtime
from handlers import messages
from handlers.effects import AttachToCase, CaseFeedback, Effect, LookupCases, OpenCase, SaveSurvey
from handlers.types import ConversationState, Question

MAX_LISTED = 5


CASE_EFFECTS = (OpenCase, LookupCases, CaseFeedback, SaveSurvey, AttachToCase)


@dataclass
class Pending:
    """A case effect of a reply answered in this batch, carried out at flush; ``message`` and ``rows`` are the
    reply's first message (history row, outbox rows), corrected when the answer depends on what is stored."""

    contact_id: int
    channel: str
    effect: Effect
    state: ConversationState
    message: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def rewrite(self, text: str, queued: list[dict[str, Any]]) -> None:
        self.message["text"] = text
        first, *rest = self.rows
        first["body"] = text
        for row in rest:
            queued.remove(row)


def carry_out(session: Session, runtime: Runtime, pending: Pending, queued: list[dict[str, Any]]) -> None:
    effect = pending.effect
    if isinstance(effect, OpenCase):
        _open(session, runtime, pending, effect, queued)
    elif isinstance(effect, LookupCases):
        _lookup(session, runtime, pending, effect, queued)
    elif isinstance(effect, CaseFeedback):
        _feedback(session, runtime, pending, effect, queued)
    elif isinstance(effect, SaveSurvey):
        _survey(session, pending, effect)
    elif isinstance(effect, AttachToCase):
        _attach(session, runtime, pending, effect)
    else:  # a new kind of effect must be handled here, never dropped silently
        raise TypeError(f"no way to carry out {type(effect).__name__}")


def _open(session: Session, runtime: Runtime, pending: Pending, draft: OpenCase, queued: list[dict[str, Any]]) -> None:
    """The case is opened; the confirmation is corrected if the ticket had to change, or replaced when the
    citizen already has an open case of the same kind."""
    opened = open_case(session, draft, contact_id=pending.contact_id, channel=pending.channel,
                       kb=runtime.engine.kb, protector=runtime.protector)
    pending.state.case_ticket = opened.ticket
    conversations.with_case(session, pending.contact_id, utcnow())
    if opened.duplicate:
        pending.rewrite(messages.CASE_DUPLICATE.format(ticket=opened.ticket), queued)
        pending.message["intent"] = "complaint-duplicate"
    elif opened.ticket != draft.ticket:
        pending.message["text"] = pending.message["text"].replace(draft.ticket, opened.ticket)
        for row in pending.rows:
            row["body"] = row["body"].replace(draft.ticket, opened.ticket)


def _lookup(session: Session, runtime: Runtime, pending: Pending, asked: LookupCases,
            queued: list[dict[str, Any]]) -> None:
    """The citizen's own cases on this channel; another's ticket only with the last four digits of its NIK,
    and "not found" alike for a ticket that does not exist and one that is not theirs (misses are counted)."""
    if asked.ticket is None:
        cases = list(session.scalars(select(Case).where(Case.contact_id == pending.contact_id)
                                     .order_by(Case.id.desc()).limit(MAX_LISTED)))
    else:
        case = session.scalar(select(Case).where(Case.ticket == asked.ticket))
        mine = case is not None and (case.contact_id == pending.contact_id or (
            asked.last4 is not None and case.nik_masked is not None and case.nik_masked.endswith(asked.last4)))
        if not mine:
            pending.state.misses.append(utcnow().isoformat())
            pending.rewrite(messages.STATUS_NOT_FOUND.format(ticket=asked.ticket), queued)
            return
        cases = [case] if case is not None else []
    if cases:
        pending.rewrite(status_text(session, runtime, cases), queued)


def status_text(session: Session, runtime: Runtime, cases: list[Case]) -> str:
    lines = [messages.STATUS_HEAD]
    local = rules.load(session)
    for case in cases:
        agency = runtime.engine.kb.agencies.get(case.agency)
        due = ""
        if agency is not None and case.status in (CaseStatus.OPEN, CaseStatus.WAITING):
            due = messages.STATUS_DUE.format(due=local_moment(case.due_at, agency.timezone))
        note = session.scalar(select(CaseEvent.public_note).where(CaseEvent.case_id == case.id,
                                                                  CaseEvent.public_note.is_not(None))
                              .order_by(CaseEvent.id.desc()).limit(1))
        lines.append(messages.STATUS_LINE.format(
            ticket=case.ticket, topic=messages.FORM_TOPICS.get(case.topic, case.topic),
            status=local.label(case.status), n=case.step, total=len(case.steps),
            step=step_name(case), due=due, note=messages.STATUS_NOTE.format(note=note) if note else ""))
    lines.append(messages.STATUS_TAIL)
    return "\n".join(lines)


def _feedback(session: Session, runtime: Runtime, pending: Pending, answer: CaseFeedback,
              queued: list[dict[str, Any]]) -> None:
    """"Sudah selesai?": recorded on the case; *belum* reopens it at the step that resolved it (the officers
    see it in the history and the list)."""
    case = session.scalar(select(Case).where(Case.ticket == answer.ticket, Case.contact_id == pending.contact_id))
    if case is None:
        return
    if answer.answer == "belum" and case.status == CaseStatus.RESOLVED:
        work.act(session, case, "reopen", actor=work.Actor("warga"), now=utcnow(), kb=runtime.engine.kb,
                 internal_note="Warga menjawab masalahnya belum selesai.")
    case.feedback = answer.answer
    session.flush()


def _attach(session: Session, runtime: Runtime, pending: Pending, sent: AttachToCase) -> None:
    """The documents the case waited for: attached (linked to their downloads), and the case goes on."""
    case = session.scalar(select(Case).where(Case.ticket == sent.ticket, Case.contact_id == pending.contact_id))
    if case is None:
        return
    now = utcnow()
    unreadable = sent.replaces and session.scalar(select(CasePhoto).where(CasePhoto.case_id == case.id,
                                                                           CasePhoto.source == sent.replaces))
    for photo in sent.photos:
        media_id = session.scalar(select(Media.id).where(Media.contact_id == pending.contact_id,
                                                         Media.source == photo.source).order_by(Media.id.desc()))
        if unreadable:  # the better photo takes the unreadable one's place in the checklist
            unreadable.source, unreadable.media_id, unreadable = photo.source, media_id, None
            continue
        session.add(CasePhoto(case_id=case.id, item=photo.item, source=photo.source, media_id=media_id, created_at=now))
    if case.status == CaseStatus.WAITING:
        work.act(session, case, "resume", actor=work.Actor("warga"), now=now, kb=runtime.engine.kb,
                 internal_note=f"Warga mengirim {len(sent.photos)} dokumen.")


def _survey(session: Session, pending: Pending, survey: SaveSurvey) -> None:
    """One survey per case: answering again replaces the first answers."""
    case = session.scalar(select(Case).where(Case.ticket == survey.ticket, Case.contact_id == pending.contact_id))
    if case is None or not survey.answers:
        return
    found = session.scalar(select(SurveyResponse).where(SurveyResponse.case_id == case.id))
    if found is None:
        session.add(SurveyResponse(case_id=case.id, agency=case.agency, answers=list(survey.answers)))
    else:
        found.answers = list(survey.answers)


def ask_retake(session: Session, contact_id: int, source: str) -> None:
    """A kept photo cannot be read well: the citizen's next photo replaces it (in the form, or on the case)."""
    _change_state(session, contact_id, lambda state: setattr(state, "retake", source))


def _change_state(session: Session, contact_id: int, change: Callable[[ConversationState], None]) -> None:
    """Change a citizen's stored conversation state outside a batch (a notice's question, a retake)."""
    row = session.get(ConversationStateRow, contact_id)
    state = ConversationState.from_dict(row.state if row is not None else None)
    change(state)
    if row is None:
        session.add(ConversationStateRow(contact_id=contact_id, state=state.to_dict()))
    else:
        session.execute(update(ConversationStateRow).where(ConversationStateRow.contact_id == contact_id)
                        .values(state=state.to_dict()))


def queue(session: Session, notices: list[Notice]) -> None:
    """The notices of a case change, in the transaction of the change. A notice that asks "sudah selesai?"
    (or waits for a document) also sets the question in the citizen's conversation, so their *ya*/*belum*, or
    the photo they send, is understood."""
    for notice in notices:
        outbox.enqueue(session, contact_id=notice.contact_id, channel=notice.channel, body=notice.body,
                       kind="notification", template=notice.template, template_variables=notice.variables)
        if notice.asks:
            _change_state(session, notice.contact_id, _asking(Question(notice.asks[0], text=notice.asks[1])))


def _asking(question: Question) -> Callable[[ConversationState], None]:
    def change(state: ConversationState) -> None:
        state.question = question
    return change
