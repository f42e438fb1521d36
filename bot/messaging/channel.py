"""What the messaging core knows of a channel: one ``Channel`` record each (parse, send, fetch, text limit, buttons),
built by the composition root (``bot.runtime``) from the channel packages. The core never branches on a channel's
name; it asks the record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from bot.messaging.intake import InboundWriter
from handlers.types import InboundMessage

if TYPE_CHECKING:
    from bot.messaging.outbox import Job


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str  # the provider's status for the new message (queued, sent, ...)
    template: str | None = None  # the template used instead of free text, if any


class FailureKind(StrEnum):
    """What a failed send means for the outbox."""

    TRANSIENT = "transient"  # retry later with backoff (or after ``retry_after``)
    PERMANENT = "permanent"  # give up: a dead letter
    UNREACHABLE = "unreachable"  # give up and mark the contact unreachable (blocked us, opted out at the provider)
    WINDOW = "window"  # outside WhatsApp's 24-hour window and no template to use


class SendFailure(Exception):
    """A send that did not go through; ``kind`` decides what the worker does next."""

    def __init__(self, kind: FailureKind, code: str | None, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind, self.code, self.message, self.retry_after = kind, code, message, retry_after


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


class Sender(Protocol):
    async def send(self, job: Job) -> SendResult: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Channel:
    """One channel as the core uses it.

    ``sender`` is None for a channel whose client fetches its replies itself (the simulator page): its outbox rows
    are delivered when fetched, never claimed by a worker.
    """

    name: str
    parse: Callable[[dict[str, Any]], InboundMessage]  # a stored delivery as the conversation sees it
    text_limit: int  # the longest message it accepts; longer ones go in parts
    buttons: bool  # choices shown as buttons (else as numbered lines in the text)
    sender: Sender | None = None
    fetch: Callable[[str], Awaitable[bytes]] | None = None  # media: its source (URL, file id) to bytes
    max_download: int = 0  # the largest file it lets us fetch, in bytes
    send_rate: float = 0.0  # messages per second for the whole channel (0: no pacing of ours)
    chat_interval: float = 0.0  # seconds between two messages to one chat (0: none)
    start: Callable[[InboundWriter, asyncio.Event], Awaitable[list[asyncio.Task[None]]]] | None = None
    """At start-up: register a webhook, or start long polling (its tasks end when the event is set)."""
    close: Callable[[], Awaitable[None]] | None = None  # what else it holds open (a download client)
