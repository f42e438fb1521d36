"""A fake Telegram Bot API: getMe, sendMessage, getFile and file downloads, webhooks, getUpdates."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.fakes.server import FakeServer, Reply, Request

TOKEN = "123456:TEST-token_for-the-fake"
SECRET = "webhook-secret_for-tests"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "telegram"


def ok(result: Any) -> Reply:
    return Reply(200, json.dumps({"ok": True, "result": result}).encode(), {"content-type": "application/json"})


def flood(retry_after: int) -> Reply:
    body = {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after}}
    return Reply(429, json.dumps(body).encode(), {"content-type": "application/json"})


def blocked() -> Reply:
    body = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    return Reply(403, json.dumps(body).encode(), {"content-type": "application/json"})


class FakeTelegram(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}  # file_id -> bytes
        self.too_big: set[str] = set()  # file_ids over the Bot API's 20 MB download limit
        self.updates: list[dict[str, Any]] = []  # served to getUpdates (long polling)
        self.webhook: dict[str, str] | None = None
        self._next_id = 100

    def route(self, request: Request) -> str:
        if request.path.startswith(f"/file/bot{TOKEN}/"):
            return "file"
        if request.path.startswith(f"/bot{TOKEN}/"):
            return request.path.rsplit("/", 1)[-1]
        return request.path

    def target(self, request: Request) -> str | None:
        return request.form().get("chat_id") if request.body else None

    def handle(self, request: Request) -> Reply:
        route = self.route(request)
        params = request.form() if request.body else {}
        if route == "getMe":
            return ok({"id": 123456, "is_bot": True, "first_name": "Dinsos", "username": "dinsos_test_bot"})
        if route == "sendMessage":
            with self._lock:
                self._next_id += 1
                message_id = self._next_id
                self.sent.append(params | {"message_id": message_id, "at": time.monotonic()})
            chat = {"id": int(params["chat_id"]), "type": "private", "first_name": "Warga"}
            return ok({"message_id": message_id, "date": int(time.time()), "chat": chat, "text": params.get("text")})
        if route == "getFile":
            file_id = params.get("file_id", "")
            if file_id in self.too_big:
                body = {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"}
                return Reply(400, json.dumps(body).encode(), {"content-type": "application/json"})
            if file_id not in self.files:
                body = {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
                return Reply(400, json.dumps(body).encode(), {"content-type": "application/json"})
            return ok({"file_id": file_id, "file_unique_id": "u" + file_id[-8:], "file_size": len(self.files[file_id]),
                       "file_path": f"documents/{file_id}.bin"})
        if route == "file":
            file_id = request.path.rsplit("/", 1)[-1].removesuffix(".bin")
            data = self.files.get(file_id)
            return Reply(200, data) if data is not None else Reply(404, b"")
        if route == "setWebhook":
            self.webhook = params
            return ok(True)
        if route == "deleteWebhook":
            self.webhook = None
            return ok(True)
        if route == "getUpdates":
            offset = int(params.get("offset") or 0)
            with self._lock:
                pending = [u for u in self.updates if u["update_id"] >= offset]
            if not pending:
                time.sleep(0.05)
            return ok(pending)
        if route == "answerCallbackQuery":
            return ok(True)
        return Reply(404, b"not found")

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.sent if int(m["chat_id"]) == chat_id]


def fixture(name: str, **changes: Any) -> dict[str, Any]:
    """A saved real update, with its ids changed for the test."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    for key, value in changes.items():
        if key == "update_id":
            data["update_id"] = value
        elif key == "chat_id":
            message = data.get("message") or data["callback_query"]["message"]
            message["chat"]["id"] = value
            sender = data.get("message", {}).get("from") or data["callback_query"]["from"]
            sender["id"] = value
            if "contact" in data.get("message", {}) and data["message"]["contact"].get("user_id") is not None:
                data["message"]["contact"]["user_id"] = value
        elif key == "text":
            data["message"]["text"] = value
        elif key == "file_id":
            message = data["message"]
            if "photo" in message:
                for size in message["photo"]:
                    size["file_id"] = value + ("" if size is message["photo"][-1] else f"-{size['width']}")
            if "document" in message:
                message["document"]["file_id"] = value
    return data
