"""Who may receive what: replies and notifications about the citizen's own requests always; announcements
(schedules sent to many) only to a contact who has not opted out."""

from __future__ import annotations

ANNOUNCEMENT = "announcement"


def may_receive(kind: str, *, subscribed: bool) -> bool:
    return kind != ANNOUNCEMENT or subscribed
