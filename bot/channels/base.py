"""What every channel's sender and media fetcher return or raise (channel-neutral)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str  # the provider's status for the new message (queued, sent, ...)
    template: str | None = None  # the template used instead of free text, if any


class SendFailure(Exception):
    """A send that did not go through. ``kind`` decides what the worker does next.

    transient: retry later with backoff (or after ``retry_after`` seconds);
    permanent: give up (dead letter); unreachable: give up and mark the contact unreachable;
    window: outside WhatsApp's 24-hour window and no template to use.
    """

    def __init__(self, kind: str, code: str | None, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind, self.code, self.message, self.retry_after = kind, code, message, retry_after


@dataclass(frozen=True)
class IncomingMedia:
    source: str  # Twilio media URL, or Telegram file_id
    declared_type: str | None = None
    file_name: str | None = None
    declared_size: int | None = None


@dataclass(frozen=True)
class Incoming:
    """A provider delivery turned into what the conversation needs (re-made from the stored payload)."""

    channel: str
    external_id: str  # MessageSid or update_id: the idempotency key
    user: str  # E.164 phone (WhatsApp) or chat id (Telegram)
    text: str
    media: list[IncomingMedia] = field(default_factory=list)
    phone: str | None = None
    display_name: str | None = None
    start: bool = False  # Telegram /start
    foreign_contact: bool = False  # a shared contact card that is not the sender's own
    callback_id: str | None = None  # a Telegram button press to acknowledge
    ignored: str | None = None  # why this delivery needs no answer (group chat, edited message, ...)
    unreadable: bool = False  # ignored because it could not be read: kept as failed for an operator


class FetchFailure(StrEnum):
    """Why a media download failed, which decides what happens next."""

    TRANSIENT = "transient"  # network, 5xx, 429: try again later
    PERMANENT = "permanent"  # refused, not found, not ours: trying again cannot help
    TOO_LARGE = "too_large"  # over the channel's size limit: the citizen must send a smaller file


class FetchError(Exception):
    """A media download that failed; ``kind`` says whether trying again can help."""

    def __init__(self, message: str, *, kind: FetchFailure) -> None:
        super().__init__(message)
        self.kind = kind
