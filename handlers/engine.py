"""The conversation core: one message and the remembered state in, a ``Reply`` (messages and effects) out.

Every host (the terminal `chat`, the `ask` batch, the simulator, WhatsApp, Telegram) calls ``Engine.turn``; it
does no I/O. A router tries the handlers in a stated order and the first whose ``matches`` is true answers:

1. a channel's start (Telegram's /start);
2. the survey and the complaint form: in progress, or started (``lapor``); the answer to "sudah selesai?";
   a shared contact card;
3. announcements: ``berhenti``/``stop`` and ``langganan``;
4. an empty message;
5. commands: ``reset``, ``lanjut``, ``menu``; thanks; a greeting; ``status`` or a ticket; ``petugas``;
6. answering from the standards (with its questions back: which agency, which service).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Protocol

from bot.domain.protect import Protector, new_key, parse_key
from handlers import messages as m
from handlers.about import Fear, PhotoHere, Presence
from handlers.answers import Answer
from handlers.case_status import Feedback, PhotoForCase, Status, Survey, WaitedDocument
from handlers.commands import Greeting, Menu, More, Reset, Thanks
from handlers.complaint_form import ComplaintForm
from handlers.context import Context, Turn
from handlers.officer import HandedOff, Officer, Upset, not_helped
from handlers.schedule import Schedules
from handlers.subscription import ContactShared, OptIn, OptOut, Start, offer
from handlers.types import Announcement, ConversationState, InboundMessage, Reply
from knowledge.model import KnowledgeBase
from knowledge.text import clean_text
from knowledge.understand import Lexicon, Reader


def _now() -> datetime:
    return datetime.now(UTC)


class Handler(Protocol):
    """``matches`` is pure (it may read the message and the state, never change them); ``handle`` answers."""

    def matches(self, turn: Turn) -> bool: ...

    def handle(self, turn: Turn) -> Reply: ...


class Empty:
    """A message with nothing to read (only spaces, emoji or control characters)."""

    def matches(self, turn: Turn) -> bool:
        return not re.search(r"[^\W_]", turn.text)

    def handle(self, turn: Turn) -> Reply:
        return turn.say(m.EMPTY, "empty")


class Engine:
    def __init__(self, kb: KnowledgeBase, lexicon: Lexicon | None = None,
                 handlers: Sequence[Handler] | None = None, *, clock: Callable[[], datetime] | None = None,
                 protector: Protector | None = None,
                 closed_days: Callable[[str], frozenset[date]] | None = None, inbox: bool = False,
                 schedules: Callable[[str], tuple[Announcement, ...]] | None = None) -> None:
        """``protector`` seals what forms collect (the NIK); without one (``ask``, ``chat``) a key is made for
        this process only. ``clock`` gives now (tests pass their own). ``closed_days``: an agency's local
        holidays (the host reads them from the database). ``inbox``: officers take conversations over (the service).
        ``schedules``: an agency's announced schedules still running (broadcasts; the host reads them)."""
        self.kb = kb
        self.lex = lexicon or Lexicon.load()
        self.ctx = Context(kb, self.lex, Reader(kb, self.lex), self.dispatch, clock or _now,
                           protector or Protector(parse_key(new_key())),
                           closed_days or (lambda agency: frozenset()), inbox, schedules or (lambda agency: ()))
        self.handlers: list[Handler] = list(handlers) if handlers is not None else [
            HandedOff(), Start(), Survey(), ComplaintForm(), Feedback(), WaitedDocument(), PhotoForCase(),
            ContactShared(), OptOut(), OptIn(),
            Empty(), Reset(), More(), Menu(), Thanks(), Greeting(), Presence(), Fear(), Status(), PhotoHere(),
            Upset(), Officer(), Schedules(), Answer(),
        ]

    def with_knowledge(self, kb: KnowledgeBase) -> Engine:
        """The same engine (lexicon, handlers, clock, key, hosts' callbacks) answering from ``kb``: what a
        running process switches to when an agency's knowledge changes (``dinsos-bot kb import --apply``)."""
        engine = copy.copy(self)
        engine.kb = kb
        engine.ctx = dataclasses.replace(self.ctx, kb=kb, reader=Reader(kb, self.lex), dispatch=engine.dispatch)
        return engine

    def turn(self, msg: InboundMessage, state: ConversationState) -> Reply:
        """Answer one message; ``state`` is changed in place to what the conversation remembers next."""
        if len(self.kb.agencies) == 1:
            state.agency = next(iter(self.kb.agencies))
        elif msg.agency in self.kb.agencies and state.agency is None:
            state.agency = msg.agency  # the channel's agency is where a conversation starts, not where it must stay
        turn = Turn(self.ctx, msg, state, clean_text(msg.text))
        return offer(turn, not_helped(turn, self.dispatch(turn)))

    def dispatch(self, turn: Turn) -> Reply:
        handler = next(h for h in self.handlers if h.matches(turn))
        return handler.handle(turn)
