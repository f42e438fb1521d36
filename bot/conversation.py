"""One message through the engine with its stored state: the step every channel shares."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from bot.channels.clean import fit
from bot.db import repo
from handlers import messages
from handlers.engine import Engine
from handlers.types import ConversationState, InboundMessage, OutboundMessage, Reply

log = logging.getLogger(__name__)

MAX_STORED_TEXT = 4000  # a message longer than this is stored cut, with a marker


def stored_text(text: str) -> str:
    """A message as kept in the history: cleaned of invisible characters (PostgreSQL refuses NUL), long ones cut."""
    return fit(text, MAX_STORED_TEXT) or ""


def answer(engine: Engine, message: InboundMessage, state: ConversationState) -> Reply:
    """The engine's reply; on a bug, a polite apology and the state as it was (never a crash)."""
    trial = ConversationState.from_dict(state.to_dict())  # the state changes only if the engine succeeds
    try:
        reply = engine.turn(message, trial)
    except Exception:
        log.exception("engine failed on a %s message", message.channel)
        return Reply([OutboundMessage(messages.APOLOGY)], "error", agency=state.agency)
    vars(state).update(vars(trial))
    return reply


def converse(session: Session, *, engine: Engine, message: InboundMessage) -> Reply:
    """Record the inbound message, answer it, record the replies and the new state (one transaction)."""
    contact = repo.get_or_create_contact(session=session, channel=message.channel, external_id=message.user)
    state = ConversationState.from_dict(repo.load_state(session=session, contact_id=contact.id))
    if message.agency is None and contact.agency and state.agency is None:
        state.agency = contact.agency
    repo.add_message(session=session, contact_id=contact.id, direction="in", text=stored_text(message.text))
    reply = answer(engine, message, state)
    for out in reply.messages:
        repo.add_message(session=session, contact_id=contact.id, direction="out", text=out.text,
                         intent=reply.intent, service=reply.service, aspect=reply.aspect)
    contact.agency = state.agency
    repo.save_state(session=session, contact_id=contact.id, state=state.to_dict())
    return reply
