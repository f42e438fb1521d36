"""A tiny HTTP/1.1 server on loopback for fake providers: records every request, can be told to fail.

It is a real socket server (connections kept alive, as the real APIs keep them), so the real twilio and
python-telegram-bot libraries talk to it exactly as they talk to the providers. ``script(route, action,
target=...)`` queues what the next request to a route gets, for one target only when ``target`` is given (a
chat id, a phone number: whatever the fake's ``target`` reads from a request), so a scripted failure hits the
message it is meant for whatever the order of sending: ``Reply`` (any status), ``Slow`` (a delay, then the normal
answer), ``Late`` (the normal answer made at once, sent after a delay) or ``DROP`` (the connection is closed
without an answer).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False  # sent with Transfer-Encoding: chunked, no Content-Length announced


@dataclass
class Slow:
    seconds: float


@dataclass
class Late:
    """The normal answer, made (and recorded) on arrival but sent after ``seconds``: accepted, slow to say so."""

    seconds: float


DROP = "drop"
REASONS = {200: "OK", 201: "Created", 204: "No Content", 307: "Temporary Redirect", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests",
           500: "Internal Server Error", 503: "Service Unavailable"}


class FakeServer:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._script: dict[str, deque[tuple[str | None, Any]]] = defaultdict(deque)
        self._lock = threading.Lock()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None

    # --- to override -----------------------------------------------------------------------

    def route(self, request: Request) -> str:
        return request.path

    def handle(self, request: Request) -> Reply:
        return Reply(404, b"not found")

    # --- control ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def target(self, request: Request) -> str | None:
        """Who a request is for (a chat id, a phone number), for scripts aimed at one target."""
        return None

    def script(self, route: str, *actions: Any, target: str | None = None) -> None:
        with self._lock:
            self._script[route].extend((target, action) for action in actions)

    def _next_action(self, request: Request) -> Any:
        queue = self._script.get(self.route(request))
        if not queue:
            return None
        target = self.target(request)
        for entry in queue:
            if entry[0] is None or entry[0] == target:
                queue.remove(entry)
                return entry[1]
        return None

    def seen(self, route: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if self.route(r) == route]

    def start(self) -> FakeServer:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._server = loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop and self._server:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(5)

    async def _shutdown(self) -> None:
        """Stop listening and end the connections still kept alive (their handlers close them)."""
        assert self._server is not None  # only called once started
        self._server.close()
        handlers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)

    # --- the HTTP part ----------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Requests on one connection, kept alive as the real APIs do, until the client closes it."""
        try:
            while await self._one(reader, writer):
                pass
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection is to be closed."""
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                key, value = line.split(":", 1)
                headers[key.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
        parts = urlsplit(target)
        request = Request(method, unquote(parts.path), parse_qs(parts.query), headers, body)
        with self._lock:
            self.requests.append(request)
            action = self._next_action(request)
        if action == DROP:
            writer.transport.abort()
            return False
        if isinstance(action, Slow):
            await asyncio.sleep(action.seconds)
            action = None
        reply = action if isinstance(action, Reply) else self.handle(request)
        if isinstance(action, Late):
            await asyncio.sleep(action.seconds)
        keep = headers.get("connection", "").lower() != "close"
        status_line = f"HTTP/1.1 {reply.status} {REASONS.get(reply.status, 'Status')}\r\n"
        length = {"transfer-encoding": "chunked"} if reply.chunked else {"content-length": str(len(reply.body))}
        out_headers = length | {"connection": "keep-alive" if keep else "close"} | reply.headers
        body = reply.body
        if reply.chunked:
            body = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 8192]), body[i:i + 8192])
                            for i in range(0, len(body), 8192)) + b"0\r\n\r\n"
        writer.write(status_line.encode() + "".join(f"{k}: {v}\r\n" for k, v in out_headers.items()).encode()
                     + b"\r\n" + body)
        await writer.drain()
        return out_headers["connection"] != "close"
