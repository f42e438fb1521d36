"""Outgoing messages' statuses only move forward, whatever order the provider reports them in."""

from __future__ import annotations

import pytest

from bot.messaging.statuses import merge_status


@pytest.mark.parametrize(("current", "new", "result"), [
    ("sending", "queued", "queued"), ("queued", "sent", "sent"), ("delivered", "sent", "delivered"),
    ("read", "delivered", "read"), ("sent", "undelivered", "undelivered"), ("undelivered", "delivered", "undelivered"),
    ("delivered", "failed", "delivered"), ("failed", "read", "failed"), ("dead", "queued", "dead"),
])
def test_statuses_only_move_forward(current: str, new: str, result: str) -> None:
    assert merge_status(current, new) == result
