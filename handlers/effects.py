"""What a handler asks to be done besides replying. Handlers do no I/O: they return effects, and the messaging
layer applies them in the same transaction as the replies (``bot.messaging.effects``). A host without storage
(`dinsos-bot ask`, `chat`) only records them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Effect:
    """Base of every effect (the host dispatches on the concrete type)."""


@dataclass(frozen=True)
class SetSubscription(Effect):
    """The citizen opted in to (``True``) or out of (``False``) announcements."""

    subscribed: bool


@dataclass(frozen=True)
class HandOff(Effect):
    """The conversation goes to the officers' inbox (``reason``: asked, not-helped); the bot stays quiet in it."""

    reason: str


@dataclass(frozen=True)
class PhotoRef:
    """A document of the checklist: the provider's reference of the file sent for it, or None (skipped)."""

    item: str
    source: str | None
    declared_type: str | None = None


@dataclass(frozen=True)
class OpenCase(Effect):
    """``kirim``: open the case (``bot.cases``) with what the form collected; the NIK arrives sealed."""

    ticket: str
    agency: str
    topic: str
    service: str | None
    name: str
    nik_sealed: str  # base64 of the Protector's ciphertext (purpose "nik")
    kecamatan: str
    desa: str
    description: str
    phone: str | None
    photos: tuple[PhotoRef, ...]
    opened_at: datetime


@dataclass(frozen=True)
class LookupCases(Effect):
    """``status`` or a ticket: the host replaces the reply's first message with the citizen's cases (their own on
    this channel; another channel's only with the last four digits of the NIK on it). A miss is counted in the
    conversation (``ConversationState.misses``)."""

    ticket: str | None = None
    last4: str | None = None


@dataclass(frozen=True)
class CaseFeedback(Effect):
    """The citizen's answer to "Masalahnya sudah selesai?": ``ya``, ``belum`` (reopens it) or ``tidak-tahu``."""

    ticket: str
    answer: str


@dataclass(frozen=True)
class SaveSurvey(Effect):
    """The SKM answers given so far (unsur 1..n, each 1-4) for the case's one survey."""

    ticket: str
    answers: tuple[int, ...]


@dataclass(frozen=True)
class AttachToCase(Effect):
    """Documents sent while a case waits for the citizen: attached to it, and the case goes on."""

    ticket: str
    photos: tuple[PhotoRef, ...]
    replaces: str | None = None  # the source of an unreadable photo of the case the first one takes the place of
