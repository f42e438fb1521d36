"""Request bodies capped by the bytes actually received, per route, before anything parses them.

Checking ``Content-Length`` alone lets a chunked body of any size through: it would be read and parsed whole
(a form of 150 MB before the signature check). This middleware counts what arrives and answers 413 as soon as
the route's limit is passed.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KB = 1024
WEBHOOK_LIMIT = 256 * KB
SIMULATOR_LIMIT = 64 * KB
DEFAULT_LIMIT = 1024 * KB
LIMITS = (("/webhooks/", WEBHOOK_LIMIT), ("/api/simulator/", SIMULATOR_LIMIT))


def limit_for(path: str) -> int:
    return next((limit for prefix, limit in LIMITS if path.startswith(prefix)), DEFAULT_LIMIT)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once the body passes the limit; FastAPI answers it as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit // KB} KB")


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _answer_413(send, limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if not started:  # raised where nothing turned it into a response (outside a route)
                await _answer_413(send, limit)


async def _answer_413(send: Send, limit: int) -> None:
    body = b'{"detail":"request body larger than %d KB"}' % (limit // KB)
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
