"""One turn of a conversation, the same for every host: the engine's reply to a message, with the state it
leaves; on a bug, a polite apology and the state as it was (never a crash).

The channels' batches (``bot.messaging.batch``), the terminal ``chat`` and the ``ask`` batch all call ``respond``.
"""

from __future__ import annotations

import logging

from bot.messaging.clean import fit
from handlers import messages
from handlers.engine import Engine
from handlers.types import ConversationState, InboundMessage, OutboundMessage, Reply

log = logging.getLogger(__name__)

MAX_STORED_TEXT = 4000  # a message longer than this is kept cut in the history


def stored_text(text: str) -> str:
    """A message as kept in the history: cleaned of invisible characters (PostgreSQL refuses NUL), long ones cut."""
    return fit(text, MAX_STORED_TEXT) or ""


def respond(engine: Engine, message: InboundMessage, state: ConversationState) -> Reply:
    """The engine's reply; ``state`` changes only if the engine succeeds."""
    trial = ConversationState.from_dict(state.to_dict())
    try:
        reply = engine.turn(message, trial)
    except Exception:
        log.exception("engine failed on a %s message", message.channel)
        return Reply([OutboundMessage(messages.APOLOGY)], "error", agency=state.agency)
    vars(state).update(vars(trial))
    return reply
