"""Announcements: ``berhenti``/``stop`` opts out, ``langganan`` opts in, the same on every channel. Also what a
channel's start and contact sharing say (Telegram's /start and "share my phone number" button)."""

from __future__ import annotations

from dataclasses import replace

from handlers import messages as m
from handlers.context import Turn
from handlers.effects import SetSubscription
from handlers.types import Choice, OutboundMessage, Reply

OPT_OUT = {"berhenti", "stop", "unsubscribe", "/stop", "/berhenti", "stop langganan", "berhenti langganan",
           "berhenti berlangganan"}
OPT_IN = {"langganan", "berlangganan", "mulai langganan", "subscribe", "/langganan"}
SHARE_PHONE = "share-phone"  # the choice key that asks Telegram for its "share my phone number" button


def _said(turn: Turn) -> str:
    return " ".join(turn.msg.text.lower().split())


class OptOut:
    def matches(self, turn: Turn) -> bool:
        return _said(turn) in OPT_OUT

    def handle(self, turn: Turn) -> Reply:
        turn.state.subscribed = False
        return Reply([OutboundMessage(m.OPTED_OUT)], "unsubscribe", agency=turn.state.agency,
                     effects=[SetSubscription(False)])


class OptIn:
    def matches(self, turn: Turn) -> bool:
        return _said(turn) in OPT_IN

    def handle(self, turn: Turn) -> Reply:
        turn.state.subscribed = turn.state.offered = True
        return Reply([OutboundMessage(m.OPTED_IN)], "subscribe", agency=turn.state.agency,
                     effects=[SetSubscription(True)])


HELPFUL = {"answer", "fee", "procedure", "items", "item", "service"}  # the bot answered from the standard


def offer(turn: Turn, reply: Reply) -> Reply:
    """After the first helpful answer to a citizen who does not receive announcements: offer them, once ever
    (only where announcements are sent: the running service, not ``ask``)."""
    state = turn.state
    if (reply.intent not in HELPFUL or state.subscribed or state.offered or state.handed_off
            or not turn.ctx.inbox or turn.ctx.agency(state) is None):
        return reply
    state.offered = True
    last = reply.messages[-1] if reply.messages else OutboundMessage("")
    joined = "\n\n".join(part for part in (last.after, m.SUBSCRIBE_OFFER) if part)
    reply.messages[-1:] = [replace(last, after=joined) if last.choices else replace(last, text=(
        f"{last.text}\n\n{m.SUBSCRIBE_OFFER}" if last.text else m.SUBSCRIBE_OFFER))]  # one bubble more at most
    return reply


class Start:
    """Telegram's /start: a welcome, and the button that shares the citizen's own number."""

    def matches(self, turn: Turn) -> bool:
        return turn.msg.start

    def handle(self, turn: Turn) -> Reply:
        button = Choice(SHARE_PHONE, m.SHARE_PHONE_BUTTON)
        return Reply([OutboundMessage(m.TELEGRAM_START, (button,))], "start", agency=turn.state.agency)


class ContactShared:
    """A contact card: the sender's own number is kept (by the channel), anyone else's never."""

    def matches(self, turn: Turn) -> bool:
        return turn.msg.shared_contact is not None

    def handle(self, turn: Turn) -> Reply:
        text = m.PHONE_SAVED if turn.msg.shared_contact == "own" else m.PHONE_NOT_OWN
        return turn.say(text, "contact")
