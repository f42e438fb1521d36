"""Every status a stored row can have, in one place, and the order outgoing messages move through.

Values are strings in the database; the enums compare equal to them.
"""

from __future__ import annotations

from enum import StrEnum

DELIVERY_ATTEMPTS = 5  # tries to answer a stored delivery before it is failed (and apologised for)
DOWNLOAD_ATTEMPTS = 5  # tries to download a photo or document before it is failed (and the citizen told)
WINDOW_CLOSED_CODE = "63016"  # Twilio: free text outside WhatsApp's 24-hour window
# WhatsApp: the citizen stopped marketing messages from us (Meta's 131050, as Twilio passes it on). An
# announcement refused so unsubscribes the contact; replies and case notices (utility) still go.
MARKETING_OPT_OUT_CODES = frozenset({"131050"})


class InboundStatus(StrEnum):
    RECEIVED = "received"  # stored, not answered yet
    PROCESSED = "processed"  # answered (or needed no answer)
    FAILED = "failed"  # could not be answered after every attempt, or could not be read: for an operator


class MediaStatus(StrEnum):
    PENDING = "pending"
    STORED = "stored"
    REJECTED = "rejected"  # not an accepted type, or too large: the citizen was told
    FAILED = "failed"  # could not be downloaded: the citizen was asked to send it again


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # leased by a worker
    ACCEPTED = "accepted"  # the provider's own statuses, from here
    QUEUED = "queued"
    SCHEDULED = "scheduled"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    UNDELIVERED = "undelivered"
    CANCELED = "canceled"
    DEAD = "dead"  # gave up after retries, or a permanent failure
    SKIPPED = "skipped"  # an announcement to a contact who opted out


# Provider statuses in the order a message moves through them; a status never goes back.
RANK: dict[str, int] = {
    OutboxStatus.PENDING: 0, OutboxStatus.SENDING: 1, OutboxStatus.ACCEPTED: 2, OutboxStatus.QUEUED: 2,
    OutboxStatus.SCHEDULED: 2, OutboxStatus.SENT: 4, OutboxStatus.DELIVERED: 5, OutboxStatus.READ: 6,
}
FINAL: set[str] = {OutboxStatus.FAILED, OutboxStatus.UNDELIVERED, OutboxStatus.DEAD, OutboxStatus.CANCELED,
                   OutboxStatus.SKIPPED}
OPEN = (OutboxStatus.PENDING, OutboxStatus.SENDING)
FAILED_VIEW = (OutboxStatus.DEAD, OutboxStatus.FAILED, OutboxStatus.UNDELIVERED, OutboxStatus.CANCELED)


def merge_status(current: str, new: str) -> str:
    """The status after a report: forward only; failures are final unless already delivered."""
    if current in FINAL:
        return current
    if new in FINAL:
        return current if RANK.get(current, 0) >= RANK[OutboxStatus.DELIVERED] else new
    return new if RANK.get(new, 0) > RANK.get(current, 0) else current
