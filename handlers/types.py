"""The channel-neutral shapes a conversation works with."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class InboundMessage:
    """One message from a citizen, whatever the channel."""

    channel: str
    user: str
    text: str
    agency: str | None = None  # the agency the channel already knows, if any
    external_id: str | None = None


@dataclass(frozen=True)
class Choice:
    """An option the citizen can pick: a button on Telegram, a numbered line on WhatsApp."""

    key: str
    label: str


@dataclass(frozen=True)
class OutboundMessage:
    text: str
    choices: tuple[Choice, ...] = ()


@dataclass
class ConversationState:
    """What the bot remembers about one citizen between messages (stored as JSON)."""

    agency: str | None = None
    service: str | None = None
    aspect: str | None = None
    variant: list[str] = field(default_factory=list)
    pending: dict[str, Any] | None = None
    more: list[str] = field(default_factory=list)  # further pages of a long answer

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ConversationState:
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class Reply:
    """The engine's answer to one message, with what it understood (for logs, tests and `ask`)."""

    messages: list[OutboundMessage]
    intent: str
    service: str | None = None
    aspect: str | None = None
    agency: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(m.text for m in self.messages)
