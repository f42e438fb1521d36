"""After a pengaduan: ``status`` (or a ticket typed alone) lists the citizen's cases; the answer to "Masalahnya
sudah selesai?"; and the SKM survey (PermenPANRB 14/2017) offered once a case is resolved.

The cases themselves are read by the host (``LookupCases``): this handler only understands what was asked. A
ticket from another channel needs the last four digits of the NIK on it; too many tickets not found in an hour
are refused without looking (``state.misses``, counted by the host).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.domain.tickets import CODES, find_ticket
from handlers import messages as m
from handlers.about import STATUS
from handlers.context import Turn
from handlers.effects import AttachToCase, CaseFeedback, Effect, LookupCases, PhotoRef, SaveSurvey
from handlers.types import Choice, ConversationState, FormState, OutboundMessage, Question, Reply

STATUS_WORDS = {"status", "cek status", "status pengaduan", "status laporan", "status saya", "/status",
                "cek pengaduan", "cek laporan", "lacak", "tiket"}
MISSES_PER_HOUR = 5
FEEDBACK = {"ya": "ya", "iya": "ya", "sudah": "ya", "sudah selesai": "ya", "ya sudah": "ya", "belum": "belum",
            "belum selesai": "belum", "tidak": "belum", "blm": "belum", "tidak tahu": "tidak-tahu",
            "tidak tau": "tidak-tahu", "gak tau": "tidak-tahu", "ga tau": "tidak-tahu", "entah": "tidak-tahu"}
SURVEY = "skm"
YES = {"ya", "iya", "mau", "boleh", "bersedia", "ok", "oke", "siap"}
STOP = {"stop", "berhenti", "batal", "tidak", "nanti", "skip", "lewati", "tidak mau"}
LAST4 = re.compile(r"(?<!\d)(\d{4})(?!\d)")



def _recent(misses: list[str], now: datetime) -> list[str]:
    return [t for t in misses if datetime.fromisoformat(t) > now - timedelta(hours=1)]


class Status:
    """``status``, "status pengaduan saya", a ticket (with the NIK's last four digits from another channel)."""

    def matches(self, turn: Turn) -> bool:
        said = turn.said
        return (said in STATUS_WORDS or bool(STATUS.search(turn.u.text) and turn.u.problem is None)
                or find_ticket(turn.msg.text, CODES.values()) is not None)

    def handle(self, turn: Turn) -> Reply:
        ticket = find_ticket(turn.msg.text, CODES.values())
        rest = turn.msg.text.upper().replace(ticket or "", " ")
        found = LAST4.search(rest)
        now = turn.ctx.clock()
        turn.state.misses = _recent(turn.state.misses, now)
        if ticket is not None and len(turn.state.misses) >= MISSES_PER_HOUR:
            return turn.say(m.STATUS_TOO_MANY, "status")
        return Reply([OutboundMessage(m.STATUS_NONE)], "status", agency=turn.state.agency,
                     effects=[LookupCases(ticket, found.group(1) if found else None)])


class Feedback:
    """The answer to "Masalahnya sudah selesai? Ya / Belum / Tidak tahu" after a resolved case."""

    def matches(self, turn: Turn) -> bool:
        question = turn.state.question
        return question is not None and question.kind == "case-feedback" and turn.said in FEEDBACK

    def handle(self, turn: Turn) -> Reply:
        question = turn.state.question
        assert question is not None
        ticket, answer = question.text, FEEDBACK[turn.said]
        turn.state.question = None
        effects: list[Effect] = [CaseFeedback(ticket, answer)]
        if answer == "belum":
            return Reply([OutboundMessage(m.FEEDBACK_REOPENED.format(ticket=ticket))], "feedback",
                         agency=turn.state.agency, effects=effects)
        turn.state.question = Question("survey-offer", text=ticket)
        lead = m.FEEDBACK_THANKS if answer == "ya" else m.FEEDBACK_NOTED
        offer = OutboundMessage(lead + "\n\n" + m.SURVEY_OFFER, (Choice("ya", m.SURVEY_YES),
                                                                  Choice("tidak", m.SURVEY_NO)))
        return Reply([offer], "feedback", agency=turn.state.agency, effects=effects)


class Survey:
    """The SKM: nine unsur, each answered 1-4 with its own labels; ``stop`` ends it (what was answered counts)."""

    def matches(self, turn: Turn) -> bool:
        question = turn.state.question
        if question is not None and question.kind == "survey-offer":
            return turn.said in YES | STOP
        form = turn.state.form
        return form is not None and form.name == SURVEY

    def handle(self, turn: Turn) -> Reply:
        state = turn.state
        question = state.question
        if question is not None and question.kind == "survey-offer":
            state.question = None
            if turn.said in STOP:
                return turn.say(m.SURVEY_DECLINED, "survey")
            state.form = FormState(SURVEY, "1", {"ticket": question.text, "answers": []},
                                   turn.ctx.clock() + timedelta(hours=24))
            return ask(turn, 1)
        form = state.form
        assert form is not None
        data = form.data
        said = turn.said
        if said in STOP:
            state.form = None
            effects: list[Effect] = [SaveSurvey(data["ticket"], tuple(data["answers"]))] if data["answers"] else []
            return Reply([OutboundMessage(m.SURVEY_STOPPED)], "survey", agency=state.agency, effects=effects)
        unsur = len(data["answers"]) + 1
        if not (said.isdigit() and 1 <= int(said) <= 4):
            reply = ask(turn, unsur)
            reply.messages.insert(0, OutboundMessage(m.SURVEY_PICK))
            return reply
        data["answers"].append(int(said))
        if unsur < len(m.SURVEY_QUESTIONS):
            form.step = str(unsur + 1)
            return ask(turn, unsur + 1)
        state.form = None
        return Reply([OutboundMessage(m.SURVEY_DONE)], "survey", agency=state.agency,
                     effects=[SaveSurvey(data["ticket"], tuple(data["answers"]))])


class WaitedDocument:
    """A photo or PDF sent while a case waits for the citizen ("Petugas memerlukan: ..."): attached to it."""

    def matches(self, turn: Turn) -> bool:
        question = turn.state.question
        return question is not None and question.kind == "case-waiting" and bool(turn.msg.media)

    def handle(self, turn: Turn) -> Reply:
        question = turn.state.question
        assert question is not None
        turn.state.question = None
        photos = tuple(PhotoRef(m.FORM_EXTRA_ITEM, media.source, media.declared_type) for media in turn.msg.media)
        return Reply([OutboundMessage(m.CASE_DOCUMENT_RECEIVED.format(ticket=question.text, n=len(photos)))],
                     "case-document", agency=turn.state.agency, effects=[AttachToCase(question.text, photos)])


def takes_documents(state: ConversationState) -> bool:
    """A photo sent now is answered by the conversation (a form's checklist, the case that waits for it, the
    question which case it is for) rather than only acknowledged by the host."""
    waiting = state.question is not None and state.question.kind == "case-waiting"
    return state.form is not None or state.case_ticket is not None or waiting


class PhotoForCase:
    """A photo sent outside a form by a citizen who has a case: attach it to that case, or start a new one?"""

    def matches(self, turn: Turn) -> bool:
        question = turn.state.question
        if question is not None and question.kind == "photo-where":
            return turn.said in {"1", "2"}
        return bool(turn.msg.media) and turn.state.case_ticket is not None and turn.state.form is None

    def handle(self, turn: Turn) -> Reply:
        state = turn.state
        if state.retake and turn.msg.media and state.case_ticket:  # the better photo we asked for: no question
            replaces, state.retake = state.retake, None
            photos = tuple(PhotoRef(m.FORM_EXTRA_ITEM, media.source, None) for media in turn.msg.media)
            return Reply([OutboundMessage(m.CASE_PHOTO_REPLACED.format(ticket=state.case_ticket))], "case-document",
                         agency=state.agency, effects=[AttachToCase(state.case_ticket, photos, replaces)])
        question = state.question
        if question is not None and question.kind == "photo-where":
            state.question = None
            if turn.said == "2":
                return turn.ctx.dispatch(turn.again("lapor"))
            photos = tuple(PhotoRef(m.FORM_EXTRA_ITEM, source, None) for source in question.options)
            text = m.CASE_DOCUMENT_RECEIVED.format(ticket=question.text, n=len(photos))
            return Reply([OutboundMessage(text)], "case-document", agency=state.agency,
                         effects=[AttachToCase(question.text, photos)])
        ticket = state.case_ticket
        assert ticket is not None
        state.question = Question("photo-where", text=ticket, options=[media.source for media in turn.msg.media])
        choices = [Choice("1", m.PHOTO_FOR_CASE.format(ticket=ticket)), Choice("2", m.PHOTO_FOR_NEW)]
        return turn.ctx.ask(m.PHOTO_WHERE.format(n=len(turn.msg.media)), choices, "case-document",
                            agency=state.agency)


def ask(turn: Turn, unsur: int) -> Reply:
    question, labels = m.SURVEY_QUESTIONS[unsur - 1]
    choices = [Choice(str(i), label) for i, label in enumerate(labels, 1)]
    lead = m.SURVEY_QUESTION.format(n=unsur, total=len(m.SURVEY_QUESTIONS), question=question)
    return turn.ctx.ask(lead, choices, "survey", after=m.SURVEY_TAIL, agency=turn.state.agency)
