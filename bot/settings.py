"""All configuration in one place (environment variables or `.env`; see `.env.example`)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.protect import ProtectError, parse_key
from knowledge import kb

KNOWN_AGENCIES = kb.slugs()
PLACEHOLDER = "changeme"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: str = "INFO"
    log_format: Literal["plain", "json"] = "plain"  # json: one JSON object a line, for a log shipper
    metrics_dir: str | None = None  # shared by the processes of one host: /metrics sums their counters
    database_url: str = "sqlite+aiosqlite:///./data/dinsos.db"
    auto_migrate: bool = True
    agencies: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(KNOWN_AGENCIES))
    secret_key: str = PLACEHOLDER
    public_base_url: str | None = None

    admin_api_token: str | None = None  # Bearer token for monitoring (GET /metrics); the API needs a sign-in
    api_docs: bool = False  # /docs, /redoc and /openapi.json in production (always on in development)
    simulator_enabled: bool | None = None  # the public web chat simulator; default: on except in production
    simulator_rate: float = Field(1.0, gt=0)  # simulator messages per second per session (x20 per address)
    simulator_capacity: float = Field(30.0, gt=0)  # simulator messages per second, all visitors together

    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_auth_token_secondary: str | None = None  # accepted too, while rotating the auth token
    twilio_whatsapp_from: str | None = None
    twilio_api_base_url: str = "https://api.twilio.com"
    # Approved WhatsApp templates by name: {"notification": "HX..."}; variable "1" is the message text.
    twilio_templates: dict[str, str] = Field(default_factory=dict)
    twilio_send_rate: float = Field(10.0, gt=0)  # messages per second for the sender
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_send_rate: float = Field(25.0, gt=0)  # messages per second overall
    telegram_chat_interval: float = Field(1.0, ge=0)  # seconds between messages to one chat

    # Broadcasts: announcements released per second per channel (below the send rates, so that replies to
    # citizens never wait behind an announcement), WhatsApp's daily limit of citizens messaged outside the
    # 24-hour window (the business portfolio's tier: 250, 2000, 10000, 100000), and after how many failures in a
    # row (at least half of the latest) a broadcast pauses itself.
    broadcast_whatsapp_rate: float = Field(5.0, gt=0)
    broadcast_telegram_rate: float = Field(20.0, gt=0)
    whatsapp_daily_limit: int = Field(250, ge=1)
    broadcast_error_pause: int = Field(20, ge=1)

    media_dir: str = "./data/media"
    # Key(s) that encrypt NIKs and case photos at rest (base64 or hex, 32 bytes; comma-separated, newest first).
    # Required in production; in development a key is made once in data_key_file, with a warning.
    data_key: str | None = None
    data_key_file: str | None = None  # default: data.key beside MEDIA_DIR (./data/data.key)
    retention_days: int = Field(365, ge=1)  # after a case closes, its photos and NIK are deleted
    token_hours: int = Field(12, ge=1, le=24 * 30)  # an officer's API token (and page session) expires after this
    session_idle_minutes: int = Field(60, ge=5, le=24 * 60)  # a page session unused this long has ended
    media_max_bytes: int = 10 * 1024 * 1024
    media_processes: int = Field(1, ge=0, le=8)  # photo checks in processes of their own (0: a thread)
    web_workers: int = Field(1, ge=1, le=32)  # uvicorn processes for `serve` (PostgreSQL only)
    worker_enabled: bool = True  # `serve` runs the outbox/media worker in-process
    worker_poll_seconds: float = Field(0.2, gt=0)
    outbox_max_attempts: int = Field(6, ge=1)
    outbox_lease_seconds: int = Field(60, ge=5)

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_whatsapp_from)

    @property
    def simulator_on(self) -> bool:
        if self.simulator_enabled is not None:
            return self.simulator_enabled
        return self.environment != "production"

    @property
    def docs_on(self) -> bool:
        return self.api_docs or self.environment != "production"

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @field_validator("simulator_enabled", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("agencies", mode="before")
    @classmethod
    def _split_agencies(cls, value: object) -> object:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list) and not value:
            return list(KNOWN_AGENCIES)
        return value

    @field_validator("agencies")
    @classmethod
    def _known_agencies(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in KNOWN_AGENCIES]
        if unknown:
            raise ValueError(f"unknown agency {', '.join(unknown)}; known: {', '.join(KNOWN_AGENCIES)}")
        return value

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        if self.environment == "production" and self.secret_key in ("", PLACEHOLDER):
            raise ValueError("SECRET_KEY must be set to a real secret in production")
        for key in (self.data_key or "").split(","):
            if key.strip():
                try:
                    parse_key(key.strip())
                except ProtectError as error:
                    raise ValueError(f"DATA_KEY: {error}") from None
        if self.environment == "production" and not (self.data_key or "").strip():
            raise ValueError("DATA_KEY must be set in production: it encrypts NIKs and case photos "
                             "(make one with `dinsos-bot keys new`)")
        if self.telegram_webhook_secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", self.telegram_webhook_secret):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may only use A-Z, a-z, 0-9, _ and - (1-256 characters)")
        if self.public_base_url:
            self.public_base_url = self.public_base_url.rstrip("/")
        self.twilio_api_base_url = self.twilio_api_base_url.rstrip("/")
        self.telegram_api_base_url = self.telegram_api_base_url.rstrip("/")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
