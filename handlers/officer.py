"""``petugas``: the citizen wants a person. The conversation goes to the officers' inbox (``HandOff``), the
citizen is told when to expect an answer from the office's hours, and the bot stays quiet (``HandedOff``) until
an officer resolves it. A citizen the bot could not help twice in a row is handed over the same way."""

from __future__ import annotations

import re

from bot.domain.calendar import calendar_for
from bot.domain.dates import local_moment
from handlers import messages as m
from handlers import render
from handlers.answers import ask_agency
from handlers.context import Turn
from handlers.effects import HandOff
from handlers.subscription import OptIn, OptOut, Start
from handlers.types import OutboundMessage, Reply

OFFICER_WORDS = {"petugas", "operator", "cs", "manusia", "orang", "bicara dengan petugas", "hubungi petugas"}


class Officer:
    def matches(self, turn: Turn) -> bool:
        u = turn.u
        return turn.words in OFFICER_WORDS or ("petugas" in u.tokens and len(u.tokens) <= 7 and not u.services
                                              and not u.aspects and not u.complaint and u.problem is None)

    def handle(self, turn: Turn) -> Reply:
        served = [p for p in turn.u.places if p in turn.ctx.kb.agencies]
        note = ""
        if served and served[0] != turn.state.agency:  # "sy di magetan mau bicara dengan petugas"
            turn.state.agency = served[0]
            note = m.AGENCY_SET.format(region=turn.ctx.kb.agencies[served[0]].region) + "\n\n"
        agency = turn.ctx.agency(turn.state)
        if agency is None:
            return ask_agency(turn, "petugas")
        if not turn.ctx.inbox:  # a host without officers (`ask`, `chat`): how to reach the office
            contact = "\n".join(render.reach(agency))
            return turn.say(note + m.OFFICER.format(agency=agency.short_name, contact=contact), "handoff",
                            agency=agency.slug)
        return hand_off(turn, note + handed_text(turn), "asked")


# Words of a citizen who is angry or has lost trust: a person should answer, not the bot. Whole words only.
# (Not "penipuan" or "bohong": "apakah sms ini penipuan?" is a question, not anger.)
UPSET_WORDS = {"kecewa", "dikecewakan", "mengecewakan", "marah", "kesal", "kesel", "jengkel", "dongkol", "geram",
               "pembohong", "dibohongi", "becus", "keterlaluan", "sialan", "brengsek", "bangsat", "goblok", "tolol",
               "ombudsman", "viralkan", "dipersulit", "mempersulit", "pungli", "dipingpong", "diping-pong",
               "dilempar-lempar"}


def upset(turn: Turn) -> bool:
    """Anger or lost trust in the message: one of ``UPSET_WORDS``, or shouting (three '!' and mostly capitals)."""
    words = set(re.findall(r"[a-z-]+", turn.msg.text.lower()))
    if words & UPSET_WORDS:
        return True
    letters = [c for c in turn.msg.text if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) > 0.7 * len(letters)
    return shouting and turn.msg.text.count("!") >= 3


class Upset:
    """An upset citizen is handed to the officers at once (where there are officers): told we are sorry and when
    to expect an answer. A pengaduan form in progress goes on (its own handler comes first)."""

    def matches(self, turn: Turn) -> bool:
        return turn.ctx.inbox and not turn.state.handed_off and upset(turn) and turn.ctx.agency(turn.state) is not None

    def handle(self, turn: Turn) -> Reply:
        return hand_off(turn, m.HANDOFF_UPSET + handed_text(turn), "upset")


class HandedOff:
    """Officers hold the conversation: the bot says nothing (the citizen's messages reach the inbox), except to
    what must always work: opting out of announcements (and back in), and Telegram's /start."""

    ALWAYS = (Start(), OptOut(), OptIn())

    def matches(self, turn: Turn) -> bool:
        return turn.state.handed_off and not any(h.matches(turn) for h in self.ALWAYS)

    def handle(self, turn: Turn) -> Reply:
        return Reply([], "handed-off", agency=turn.state.agency)


def handed_text(turn: Turn) -> str:
    """What the citizen is told: officers answer during office hours; outside them, when the office opens."""
    agency = turn.ctx.agency(turn.state)
    assert agency is not None
    calendar, _ = calendar_for(agency, turn.ctx.closed_days(agency.slug))
    now = turn.ctx.clock()
    opens = calendar.add_working(now, 0)  # now when the office is open, else its next opening
    if opens <= now:
        return m.HANDOFF_OPEN.format(agency=agency.short_name)
    return m.HANDOFF_LATER.format(agency=agency.short_name, when=local_moment(opens, agency.timezone))


def hand_off(turn: Turn, text: str, reason: str) -> Reply:
    turn.state.handed_off, turn.state.unhelped = True, 0
    turn.state.question = turn.state.form = None  # a form half-filled is dropped: the officer takes it from here
    return Reply([OutboundMessage(text)], "handoff", agency=turn.state.agency, effects=[HandOff(reason)])


def not_helped(turn: Turn, reply: Reply) -> Reply:
    """After the bot's answer: the second answer in a row that could not help hands the conversation over.
    A message of fewer than two words (a stray character, emoji, *ya*) neither counts nor starts it again."""
    if turn.state.handed_off or len(turn.text.split()) < 2:  # (the text as cleaned: no understanding needed)
        return reply
    if reply.intent != "fallback":
        turn.state.unhelped = 0
        return reply
    turn.state.unhelped += 1
    if turn.state.unhelped < 2 or not turn.ctx.inbox or turn.ctx.agency(turn.state) is None:
        return reply
    return hand_off(turn, m.HANDOFF_NOT_HELPED + handed_text(turn), "not-helped")
