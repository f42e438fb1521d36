"""docs/deploy.md against the code: the settings file it writes is one the service accepts in production and
agrees with the nginx site and the units; every `dinsos-bot` command it gives parses; every address it gives is
a route of the app. A newcomer follows the page word for word: a wrong name there is a broken deployment."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import httpx
import pytest

from bot.cli import build_parser
from bot.domain.protect import new_key
from bot.settings import Settings
from bot.web.main import create_app

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "deploy.md").read_text()
SITE = (ROOT / "deploy" / "nginx" / "dinsos-bot.conf").read_text()
UNIT = (ROOT / "deploy" / "systemd" / "dinsos-bot.service").read_text()
HOST = "bot.dinsos.example.go.id"
PLACEHOLDERS = {  # what the newcomer types for each <...> of the settings file
    "<the role's password>": "4f1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a",
    "<the first secret>": "9" * 64,
    "<the output of dinsos-bot keys new>": new_key(),
    "<the third secret>": "f3UuR0-Zb_5x7Wq2Lr9Tn4Vc8Hj6Kd1Sa0Pm3Ye",
    "<the fourth secret>": "m2Nb8Vc4Xz6Lk1Jh9Gf3Ds5Aq7Wr0Ty-Ui_Op",
    "<your Account SID, AC...>": "AC" + "0123456789abcdef" * 2,
    "<your Auth Token>": "0123456789abcdef0123456789abcdef",
    "<your WhatsApp sender, +62...>": "+6281100000000",
    "<the token from @BotFather>": "123456789:AAE-token-from-botfather_0123456789",
}


def code_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", DOC, flags=re.S)


def env_file() -> dict[str, str]:
    """The settings file as step 4 writes it, its placeholders filled in."""
    body = re.search(r"cat > /etc/dinsos-bot/env <<'EOF'\n(.*?)\nEOF\n", DOC, flags=re.S)
    assert body, "docs/deploy.md no longer writes /etc/dinsos-bot/env with a heredoc"
    values = {}
    for line in body.group(1).splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, value = line.split("=", 1)
        for placeholder in re.findall(r"<[^>]+>", value):
            assert placeholder in PLACEHOLDERS, f"a new placeholder {placeholder}: teach this test its value"
            value = value.replace(placeholder, PLACEHOLDERS[placeholder])
        values[key] = value.strip("'")
    return values


def production(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings the service reads from that file (as environment variables, which is how systemd gives
    them)."""
    for key, value in env_file().items():
        monkeypatch.setenv(key, value)
    return Settings()


def test_the_settings_file_is_accepted_in_production_and_agrees_with_the_site_and_the_units(
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = production(monkeypatch)
    assert settings.environment == "production"
    assert settings.database_url.startswith("postgresql+asyncpg://dinsos_bot:")
    assert settings.public_base_url == f"https://{HOST}" and f"server_name {HOST};" in SITE
    assert f"server {settings.host}:{settings.port};" in SITE  # nginx's upstream is where `serve` listens
    assert not settings.worker_enabled and not settings.auto_migrate  # workers apart; `db upgrade` by hand
    assert settings.whatsapp_enabled and settings.telegram_enabled and settings.admin_api_token
    assert settings.web_workers == 1  # 2 cores: more web processes answer less (docs/benchmarks.md)
    # every process of the server counts into the folder the units make: /metrics shows the workers too
    assert settings.metrics_dir and settings.metrics_dir.startswith("/run/dinsos-bot/")
    assert "RuntimeDirectory=dinsos-bot" in UNIT and settings.log_format == "json"
    writable = re.search(r"^ReadWritePaths=(.+)$", UNIT, flags=re.M)
    assert writable and Path(settings.media_dir).is_relative_to(writable.group(1))  # photos in the sandbox
    assert "EnvironmentFile=/etc/dinsos-bot/env" in UNIT


def commands() -> list[list[str]]:
    """Each `dinsos-bot` invocation in the page's shell blocks, as its arguments (heredocs left out)."""
    found = []
    for block in code_blocks():
        block = re.sub(r"<<'(\w+)'\n.*?\n\1\n", "\n", block, flags=re.S)
        for line in block.splitlines():
            if not re.search(r"(dinsos-bot-admin|/bin/dinsos-bot) ", line):
                continue
            words = shlex.split(line, comments=True)
            while words:
                cut = next((i for i, w in enumerate(words) if w in ("&&", "|", ";", "||")), len(words))
                part, words = words[:cut], words[cut + 1:]
                if part and (part[0] == "dinsos-bot-admin" or part[0].endswith("/bin/dinsos-bot")):
                    found.append(part[1:])
    return found + [shlex.split(span)[1:] for span in re.findall(r"`(dinsos-bot-admin [^`]+)`", DOC)]


def test_every_dinsos_bot_command_in_the_page_exists() -> None:
    found = commands()
    assert ["db", "upgrade"] in found and ["users", "add", "admin", "--role", "admin", "--password-stdin"] in found
    parser = build_parser()
    for args in found:
        try:
            parser.parse_args(args)
        except SystemExit:
            raise AssertionError(f"docs/deploy.md: `dinsos-bot {' '.join(args)}` is not a command") from None


async def test_every_address_in_the_page_is_a_route_of_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asked of the app in process (not started: a route that needs the database answers 500, a GET on a POST
    route 405); only an address the app does not have gets 404."""
    app = httpx.AsyncClient(transport=httpx.ASGITransport(create_app(production(monkeypatch)),
                                                          raise_app_exceptions=False), base_url="http://app")
    paths = set(re.findall(rf"https?://(?:{re.escape(HOST)}|127\.0\.0\.1:8000)(/[\w/.-]*)", DOC))
    assert {"/webhooks/twilio/whatsapp", "/webhooks/twilio/status", "/webhooks/telegram", "/healthz",
            "/readyz"} <= paths
    async with app:
        for path in paths:
            answer = await app.get(path)
            assert answer.status_code != 404, f"docs/deploy.md names {path}, which the app does not serve"
