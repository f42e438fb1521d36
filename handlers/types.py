"""The channel-neutral shapes a conversation works with: one inbound message, replies with their effects, and
the state remembered between messages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, TypedDict

from handlers.effects import Effect


@dataclass(frozen=True)
class MediaRef:
    """A photo or document that came with a message (fetched later by the worker)."""

    source: str  # Twilio media URL, or Telegram file_id
    declared_type: str | None = None
    file_name: str | None = None
    declared_size: int | None = None


@dataclass(frozen=True)
class InboundMessage:
    """One message from a citizen, whatever the channel: the only inbound type (channels make it, handlers read it)."""

    channel: str
    user: str  # E.164 phone (WhatsApp), chat id (Telegram), session id (simulator)
    text: str
    agency: str | None = None  # the agency the host already knows (the simulator's selector), if any
    external_id: str | None = None  # MessageSid or update_id: the provider's idempotency key
    media: tuple[MediaRef, ...] = ()
    phone: str | None = None  # the sender's own number, when the channel tells it
    display_name: str | None = None
    start: bool = False  # Telegram /start
    shared_contact: str | None = None  # a contact card was shared: "own" (its number is ``phone``) or "other"
    callback_id: str | None = None  # a Telegram button press to acknowledge
    ignored: str | None = None  # why this delivery needs no answer (group chat, edited message, ...)
    unreadable: bool = False  # ignored because it could not be read: kept as failed for an operator


@dataclass(frozen=True)
class Choice:
    """An option the citizen can pick: a button on Telegram and the simulator, a numbered line on WhatsApp."""

    key: str
    label: str


@dataclass(frozen=True)
class OutboundMessage:
    """A message to the citizen. ``choices`` become buttons where the channel has them and numbered lines after
    ``text`` where it has not; ``after`` follows them."""

    text: str
    choices: tuple[Choice, ...] = ()
    after: str = ""

    def as_text(self, *, buttons: bool = False) -> str:
        """The message as one text: the choices as numbered lines (WhatsApp, the terminal, `ask`), or left out
        when the channel shows them as buttons (Telegram, the simulator)."""
        parts = [self.text]
        if self.choices and not buttons:
            lines = [_choice_line(c, self.text + self.after) for c in self.choices]
            if any(lines):
                parts[0] += "\n" + "\n".join(line for line in lines if line)
        if self.after:
            parts.append(self.after)
        return "\n\n".join(parts)


def _choice_line(choice: Choice, said: str) -> str:
    """A numbered choice as "1. Label"; a word the citizen types ("setuju", "kirim") as "• *kirim*: Label",
    or nothing when the text already tells it (*kirim*)."""
    if choice.key.isdigit():
        return f"{choice.key}. {choice.label}"
    if f"*{choice.key}*" in said:
        return ""
    return f"• *{choice.key}*: {choice.label}"


@dataclass
class Question:
    """A question the bot asked and is waiting for: which agency (``agency``), which service (``service``)."""

    kind: str
    text: str = ""  # the citizen's message that led to it, answered once the question is
    options: list[str] = field(default_factory=list)  # "agency/service-id" per numbered choice
    aspects: list[str] = field(default_factory=list)


@dataclass
class FormState:
    """A multi-step form in progress (its handler owns ``step`` and ``data``); lost after ``expires_at``."""

    name: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Announcement:
    """A schedule an admin broadcast (what, where, until when): the bot answers with it until it ends."""

    what: str
    where: str | None
    text: str
    until: date


@dataclass
class ConversationState:
    """What the bot remembers about one citizen between messages (stored as JSON with the conversation)."""

    agency: str | None = None
    service: str | None = None
    aspect: str | None = None
    variant: list[str] = field(default_factory=list)
    question: Question | None = None
    form: FormState | None = None
    more: list[str] = field(default_factory=list)  # further pages of a long answer
    misses: list[str] = field(default_factory=list)  # when tickets not found were asked (ISO times, last hour)
    case_ticket: str | None = None  # the citizen's latest case from this chat (a photo sent later may be for it)
    retake: str | None = None  # a kept photo too small or blurry to read (its source): the next photo replaces it
    handed_off: bool = False  # officers hold the conversation (the inbox): the bot stays quiet
    unhelped: int = 0  # the bot's answers in a row that could not help (two: officers take over)
    subscribed: bool = False  # to announcements (the contact's row is authoritative: set at every message)
    offered: bool = False  # announcements were offered once (after a helpful answer): never again

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.form is not None and self.form.expires_at is not None:
            data["form"]["expires_at"] = self.form.expires_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ConversationState:
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        question = known.pop("question", None) or _old_pending(data.get("pending"))
        form = known.pop("form", None)
        state = cls(**known)
        state.question = Question(**question) if question else None
        if form:
            expires = form.get("expires_at")
            state.form = FormState(**(form | {"expires_at": datetime.fromisoformat(expires) if expires else None}))
        return state

    def reset(self, *, keep_agency: bool) -> None:
        """Forget everything (``reset``), the agency too unless the host fixed it."""
        agency = self.agency
        for name, default in vars(ConversationState()).items():
            setattr(self, name, default)
        self.agency = agency if keep_agency else None


def _old_pending(pending: Any) -> dict[str, Any] | None:
    """States stored before questions were typed kept them as ``pending: {"kind": ...}`` dicts."""
    if not isinstance(pending, dict) or pending.get("kind") not in ("agency", "service"):
        return None
    return {"kind": pending["kind"], "text": pending.get("text", ""), "options": pending.get("options", []),
            "aspects": pending.get("aspects", [])}


class Meta(TypedDict, total=False):
    """What a reply was about (for logs, tests and `ask`)."""

    service: str | None
    aspect: str | None
    agency: str | None


@dataclass
class Reply:
    """A turn's result: what to say, what to do (effects, applied by the host), and what was understood."""

    messages: list[OutboundMessage]
    intent: str
    service: str | None = None
    aspect: str | None = None
    agency: str | None = None
    effects: list[Effect] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Everything said, as WhatsApp shows it (choices as numbered lines)."""
        return "\n\n".join(m.as_text() for m in self.messages)
