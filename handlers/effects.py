"""What a handler asks to be done besides replying. Handlers do no I/O: they return effects, and the messaging
layer applies them in the same transaction as the replies (``bot.messaging.effects``). A host without storage
(`dinsos-bot ask`, `chat`) only records them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Effect:
    """Base of every effect (the host dispatches on the concrete type)."""


@dataclass(frozen=True)
class SetSubscription(Effect):
    """The citizen opted in to (``True``) or out of (``False``) announcements."""

    subscribed: bool
