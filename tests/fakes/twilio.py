"""A fake Twilio REST API: Messages (send), Media (download with a 307 to a CDN path), errors on demand."""

from __future__ import annotations

import base64
import json
import re
import secrets
from typing import Any

from twilio.request_validator import RequestValidator

from tests.fakes.server import FakeServer, Reply, Request

ACCOUNT = "AC" + "1" * 32
TOKEN = "test-auth-token-primary"
TOKEN_OLD = "test-auth-token-secondary"
SENDER = "whatsapp:+14155238886"


def twilio_error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps({"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                       "status": status}).encode()
    return Reply(status, body, {"content-type": "application/json"} | (headers or {}))


class FakeTwilio(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict[str, str]] = []  # messages Twilio accepted, in order
        self.media: dict[str, bytes] = {}  # ME... -> bytes served by the fake CDN

    def route(self, request: Request) -> str:
        if request.path.endswith("/Messages.json"):
            return "messages"
        if "/Media/" in request.path:
            return "media"
        if request.path.startswith("/cdn/"):
            return "cdn"
        return request.path

    def target(self, request: Request) -> str | None:
        """The recipient's phone number of a send (``+62...``)."""
        to = request.form().get("To") if request.method == "POST" and request.body else None
        return to.removeprefix("whatsapp:") if to else None

    def _authorized(self, request: Request) -> bool:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        return request.headers.get("authorization") == expected

    def handle(self, request: Request) -> Reply:
        route = self.route(request)
        if route == "messages" and request.method == "POST":
            if not self._authorized(request):
                return twilio_error(401, 20003, "Authenticate")
            form = request.form()
            sid = "SM" + secrets.token_hex(16)
            with self._lock:
                self.sent.append(form | {"sid": sid})
            payload = {"sid": sid, "account_sid": ACCOUNT, "status": "queued", "to": form.get("To"),
                       "from": form.get("From"), "body": form.get("Body"), "num_segments": "1",
                       "direction": "outbound-api", "api_version": "2010-04-01"}
            return Reply(201, json.dumps(payload).encode(), {"content-type": "application/json"})
        if route == "media" and request.method == "GET":
            if not self._authorized(request):
                return twilio_error(401, 20003, "Authenticate")
            media_sid = request.path.rsplit("/", 1)[-1]
            return Reply(307, b"", {"location": f"{self.base_url}/cdn/{media_sid}"})
        if route == "cdn" and request.method == "GET":
            data = self.media.get(request.path.rsplit("/", 1)[-1])
            if data is None:
                return Reply(404, b"no such media")
            return Reply(200, data, {"content-type": "image/jpeg"})  # the header may lie; bytes decide
        return Reply(404, b"not found")

    def add_media(self, data: bytes) -> str:
        """Register a file; returns its Twilio media URL for a webhook's MediaUrlN."""
        message_sid = "MM" + secrets.token_hex(16)
        media_sid = "ME" + secrets.token_hex(16)
        self.media[media_sid] = data
        return f"{self.base_url}/2010-04-01/Accounts/{ACCOUNT}/Messages/{message_sid}/Media/{media_sid}"

    def sent_to(self, phone: str) -> list[dict[str, str]]:
        with self._lock:
            return [m for m in self.sent if m.get("To") == f"whatsapp:{phone}"]


def inbound_form(phone: str, body: str, **extra: Any) -> dict[str, str]:
    """The fields Twilio posts for one inbound WhatsApp message (a real payload's shape)."""
    sid = extra.pop("MessageSid", None) or "SM" + secrets.token_hex(16)
    form = {
        "SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Ibu Siti", "MessageType": "text",
        "SmsSid": sid, "WaId": phone.lstrip("+"), "SmsStatus": "received", "Body": body,
        "To": SENDER, "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid, "AccountSid": ACCOUNT,
        "From": f"whatsapp:{phone}", "ApiVersion": "2010-04-01",
    }
    form.update({k: str(v) for k, v in extra.items()})
    return form


def sign(url: str, form: dict[str, str], token: str = TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, form))


SID_PATTERN = re.compile(r"^SM[0-9a-f]{32}$")
