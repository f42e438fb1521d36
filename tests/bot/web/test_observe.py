"""Every answer carries a request id, and every log line written while answering holds it; a bug is logged with
its id and answered 500 with it; uvicorn's access lines lose the query's values (a search holds a name)."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from bot import logs
from bot.settings import Settings
from bot.web.main import create_app
from tests.support import collecting_handler


class _Ids(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(logs.Context())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_a_bug_is_logged_with_its_request_id_and_answered_500_with_it(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
                              media_dir=str(tmp_path / "m"), data_key="7" * 64))

    @app.get("/boom")
    async def boom() -> None:
        logging.getLogger("bot.test").warning("about to fail")
        raise RuntimeError("a bug")

    seen = _Ids()
    logging.getLogger().addHandler(seen)
    try:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answer = await client.get("/boom", headers={"X-Request-ID": "req-abcdef-1"})
            fresh = await client.get("/boom")
            assert (await client.get("/boom", headers={"X-Request-ID": "bad id\n"})).headers["x-request-id"] != "bad id"
    finally:
        logging.getLogger().removeHandler(seen)
    assert answer.status_code == 500 and answer.json() == {"detail": "internal error"}
    assert answer.headers["x-request-id"] == "req-abcdef-1" and answer.headers["x-frame-options"] == "DENY"
    assert len(fresh.headers["x-request-id"]) == 16
    mine = [r for r in seen.records if getattr(r, "request_id", None) == "req-abcdef-1"]
    assert [r.getMessage() for r in mine] == ["about to fail", "unhandled error answering GET /boom"]
    assert mine[1].exc_info is not None and "RuntimeError: a bug" in "".join(
        logging.Formatter().formatException(mine[1].exc_info))


@pytest.mark.parametrize(("path", "logged"), [("/inbox?q=Siti%20Aminah", "/inbox?q="),
                                              ("/api/cases?text=Siti+Aminah&page=2", "/api/cases?text=&page="),
                                              ("/healthz", "/healthz")])
def test_access_lines_keep_the_query_names_not_the_values(path: str, logged: str) -> None:
    handler, lines = collecting_handler(logs.NoQuery())
    access = logging.getLogger("uvicorn.access.test")
    access.addHandler(handler)
    access.propagate = False
    access.setLevel(logging.INFO)
    try:
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", path, "1.1", 303)
    finally:
        access.removeHandler(handler)
    assert lines == [f'127.0.0.1:5000 - "GET {logged} HTTP/1.1" 303']
    assert "uvicorn.access" in logs.config(Settings())["loggers"] and "no_query" in logs.config(
        Settings())["loggers"]["uvicorn.access"]["filters"]
