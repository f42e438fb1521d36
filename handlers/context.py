"""What every handler shares: the knowledge base and its reader (``Context``), and one message being answered
(``Turn``: the message, the remembered state, the cleaned text and, read once when first needed, what it says)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Unpack

from bot.domain.protect import Protector
from handlers.types import Announcement, Choice, ConversationState, InboundMessage, Meta, OutboundMessage, Reply
from knowledge.model import Agency, KnowledgeBase
from knowledge.understand import Lexicon, Reader, Understanding


@dataclass
class Context:
    kb: KnowledgeBase
    lex: Lexicon
    reader: Reader
    dispatch: Callable[[Turn], Reply]  # the router: a replayed question goes through every handler again
    clock: Callable[[], datetime]  # now, timezone-aware (forms expire, cases are due)
    protector: Protector  # seals the NIK a form collects
    closed_days: Callable[[str], frozenset[date]] = lambda agency: frozenset()  # local holidays an admin added
    inbox: bool = False  # officers answer in a shared inbox (the service); `ask` and `chat` have none
    schedules: Callable[[str], tuple[Announcement, ...]] = lambda agency: ()  # announced schedules still running

    def agency(self, state: ConversationState) -> Agency | None:
        return self.kb.agency(state.agency)

    def agency_choices(self) -> list[Choice]:
        return [Choice(str(i), a.region) for i, a in enumerate(self.kb.agencies.values(), 1)]

    def say(self, state: ConversationState, text: str, intent: str, **meta: Unpack[Meta]) -> Reply:
        meta.setdefault("agency", state.agency)
        return Reply([OutboundMessage(text)], intent, **meta)

    def ask(self, lead: str, choices: list[Choice], intent: str, after: str = "", **meta: Unpack[Meta]) -> Reply:
        """A question with choices: buttons where the channel has them, numbered lines where it has not."""
        return Reply([OutboundMessage(lead, tuple(choices), after)], intent, **meta)


@dataclass
class Turn:
    """One message being answered. ``u`` (what the message says) is read on first use, against the agency the
    conversation has at that moment."""

    ctx: Context
    msg: InboundMessage
    state: ConversationState
    text: str
    _understanding: Understanding | None = field(default=None, repr=False)

    @property
    def u(self) -> Understanding:
        if self._understanding is None:
            agencies = [self.state.agency] if self.state.agency else None
            self._understanding = self.ctx.reader.read(self.text, agencies=agencies)
        return self._understanding

    @property
    def said(self) -> str:
        """The message as typed, lower case, spaces folded, end punctuation dropped ("Kirim!" -> "kirim"): what
        command words and numbered answers are compared with."""
        return " ".join(self.msg.text.lower().split()).strip(" .!?")

    @property
    def words(self) -> str:
        return " ".join(self.u.tokens)

    def say(self, text: str, intent: str, **meta: Unpack[Meta]) -> Reply:
        return self.ctx.say(self.state, text, intent, **meta)

    def again(self, text: str) -> Turn:
        """The same conversation with another text (a question replayed once the citizen answered ours)."""
        return Turn(self.ctx, self.msg, self.state, text)


def first_number(tokens: list[str]) -> int | None:
    return next((int(t) for t in tokens if t.isdigit() and len(t) <= 2), None)
