"""Every HTTP request gets an id (the proxy's ``X-Request-ID`` when it sends a sane one, else a new one): it is in
each log line written while answering (``bot.logs``), and in the response's ``X-Request-ID`` header, so a
citizen's or an officer's complaint can be found in the log. Answers are counted by status class for
``/metrics`` (an alert on the share of 5xx). A bug's traceback is logged here, while the request id is still
known, and answered 500 with the id (the caller never sees the traceback)."""

from __future__ import annotations

import logging
import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import metrics
from bot.logs import REQUEST_ID
from bot.web.headers import SECURITY_HEADERS

log = logging.getLogger(__name__)

_SANE = re.compile(r"[A-Za-z0-9._-]{6,64}")


class Observe:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SANE.fullmatch(given) else secrets.token_hex(8)
        token = REQUEST_ID.set(request_id)
        status, started = 500, False

        async def stamped(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, stamped)
        except Exception:  # a bug: logged here, with its request id, and answered 500 with the id
            log.exception("unhandled error answering %s %s", scope.get("method"), scope.get("path"))
            status = 500
            if not started:
                await send({"type": "http.response.start", "status": 500, "headers": [
                    (b"content-type", b"application/json"), (b"x-request-id", request_id.encode()),
                    *((k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items())]})
                await send({"type": "http.response.body", "body": b'{"detail":"internal error"}'})
        finally:
            metrics.HTTP.labels(f"{status // 100}xx").inc()
            REQUEST_ID.reset(token)
