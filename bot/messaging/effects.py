"""Carrying out what handlers ask besides replying (``handlers.effects``), in the transaction of the replies."""

from __future__ import annotations

from typing import Any

from bot.db.models import utcnow
from handlers.effects import Effect, HandOff, SetSubscription


def apply(effects: list[Effect], contact: dict[str, Any], *, source: str) -> None:
    """Turn effects into changes of the contact's row (``contact`` collects the columns to update); a hand-off
    is carried out by the batch (``bot.inbox``). ``source`` records where an opt-in or opt-out came from."""
    for effect in effects:
        if isinstance(effect, HandOff):
            continue
        if isinstance(effect, SetSubscription):
            contact |= {"subscribed": effect.subscribed, "subscription_changed_at": utcnow(),
                        "subscription_source": source[:40]}
        else:  # a new kind of effect must be handled here, never dropped silently
            raise TypeError(f"no way to apply {type(effect).__name__}")
