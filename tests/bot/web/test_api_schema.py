"""The JSON API fuzzed from its own OpenAPI document (schemathesis): for any generated input, no 5xx, only the
documented status codes, and responses that match the schema. New endpoints join by being in the schema."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bot.db.migrate import upgrade
from bot.db.models import utcnow
from bot.officers import accounts
from bot.settings import Settings
from bot.web.main import create_app

_folder = Path(tempfile.mkdtemp(prefix="dinsos-schema-"))
_url = f"sqlite+aiosqlite:///{_folder / 'schema.db'}"
asyncio.run(asyncio.to_thread(upgrade, _url))


def _admin_token() -> str:
    """An admin account and its token, made in the database before the app starts."""
    db = create_engine(_url.replace("+aiosqlite", ""))
    with Session(db) as session, session.begin():
        user = accounts.add_user(session, username="admin", role="admin", agency=None,
                                 password="a-long-test-password", agencies=["tanah-laut"])
        token = accounts.issue_token(session, user, utcnow(), 24)
    db.dispose()
    return token


TOKEN = _admin_token()
app = create_app(Settings(database_url=_url, auto_migrate=False, media_dir=str(_folder / "m"),
                          simulator_rate=10_000, simulator_capacity=10_000))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=30, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_the_api_answers_every_input_as_documented(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"},
                           checks=[not_a_server_error, status_code_conformance, response_schema_conformance])
