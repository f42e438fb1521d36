"""Sending WhatsApp messages through the Twilio Messages REST API (the twilio library, in a thread)."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from bot.messaging.channel import FailureKind, SendFailure, SendResult
from bot.messaging.outbox import Job
from bot.messaging.statuses import WINDOW_CLOSED_CODE
from bot.settings import Settings

log = logging.getLogger(__name__)
WINDOW = timedelta(hours=24)
RETRY_CODES = {63018, 20429}  # rate limits: safe to retry
UNREACHABLE_CODES = {21610, 63014}  # the user opted out (STOP) or blocked the sender
WINDOW_CODE = int(WINDOW_CLOSED_CODE)


def inside_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Free text may be sent only within 24 hours of the citizen's last message; after that, a template."""
    return last_inbound_at is not None and now - last_inbound_at < WINDOW


def one_line(value: str, limit: int = 1000) -> str:
    """A template variable as WhatsApp accepts it: no newline or tab, no run of spaces (Twilio 63040)."""
    flat = re.sub(r"\s+", " ", value).strip() or "-"
    return flat[:limit]


def make_client(settings: Settings) -> Client:
    """The twilio library with its aiohttp client (call inside the event loop); 15-second timeout."""
    http = AsyncTwilioHttpClient(timeout=15)
    http.timeout = aiohttp.ClientTimeout(total=15)  # aiohttp wants its own timeout object
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http)
    client.api.base_url = settings.twilio_api_base_url  # also used by tests to reach the fake Twilio
    return client


def classify(exc: TwilioRestException) -> SendFailure:
    code = int(exc.code) if exc.code else None
    text = f"Twilio {exc.status}: {exc.msg}"
    if code in UNREACHABLE_CODES:
        return SendFailure(FailureKind.UNREACHABLE, str(code), text)
    if code == WINDOW_CODE:
        return SendFailure(FailureKind.WINDOW, str(code), text)
    if code in RETRY_CODES or exc.status == 429 or exc.status >= 500:
        return SendFailure(FailureKind.TRANSIENT, str(code or exc.status), text)
    return SendFailure(FailureKind.PERMANENT, str(code or exc.status), text)


class TwilioSender:
    channel = "whatsapp"

    async def close(self) -> None:
        await self.client.http_client.close()

    def __init__(self, settings: Settings, client: Client | None = None) -> None:
        self.settings = settings
        self.client = client or make_client(settings)
        base = settings.public_base_url
        self.status_callback = f"{base}/webhooks/twilio/status" if base else None

    def _template_for(self, job: Job) -> tuple[str, str] | None:
        """The approved template for a message outside the window: the one its row names (a case notice has
        its own), else the generic ``notification`` (a documented fallback for replies, whose variable is the
        whole text)."""
        name = job.template or "notification"
        sid = self.settings.twilio_templates.get(name)
        return (name, sid) if sid else None

    async def send(self, job: Job, *, force_template: bool = False) -> SendResult:
        kwargs: dict[str, Any] = {"to": f"whatsapp:{job.phone or job.external_id}",
                                  "from_": self.settings.twilio_whatsapp_from}
        if self.status_callback:
            kwargs["status_callback"] = self.status_callback
        inside = inside_window(job.last_inbound_at, datetime.now(UTC))
        template = None
        if force_template or job.template_only or not inside:
            found = self._template_for(job)
            if found is None:
                name = job.template or "notification"
                raise SendFailure(FailureKind.WINDOW, str(WINDOW_CODE),
                                  f"outside the 24-hour window and no approved template {name!r} is configured "
                                  "in TWILIO_TEMPLATES")
            template, sid = found
            variables = {k: one_line(v) for k, v in (job.template_variables or {"1": job.body}).items()}
            kwargs |= {"content_sid": sid, "content_variables": json.dumps(variables, ensure_ascii=False)}
        else:
            kwargs["body"] = job.body
        try:
            message = await self.client.messages.create_async(**kwargs)
        except TwilioRestException as exc:
            failure = classify(exc)
            if failure.kind == FailureKind.WINDOW and template is None and self._template_for(job):
                return await self.send(job, force_template=True)
            raise failure from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendFailure(FailureKind.TRANSIENT, None, f"network: {type(exc).__name__}") from exc
        return SendResult(provider_id=str(message.sid), status=str(message.status or "queued"), template=template)
