"""All configuration in one place (environment variables or `.env`; see `.env.example`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

KNOWN_AGENCIES = ("tarakan", "sragen", "magetan", "tanah-laut")
PLACEHOLDER = "changeme"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: str = "INFO"
    database_url: str = "sqlite+aiosqlite:///./data/dinsos.db"
    auto_migrate: bool = True
    agencies: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(KNOWN_AGENCIES))
    secret_key: str = PLACEHOLDER
    public_base_url: str | None = None

    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_whatsapp_from: str | None = None
    twilio_api_base_url: str = "https://api.twilio.com"
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org"

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
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
