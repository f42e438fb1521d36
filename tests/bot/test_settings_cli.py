"""Settings validation and the terminal chat."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from bot.settings import Settings


def test_agencies_from_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCIES", "tarakan, tanah-laut")
    assert Settings().agencies == ["tarakan", "tanah-laut"]
    monkeypatch.setenv("AGENCIES", "")
    assert Settings().agencies == ["tarakan", "sragen", "magetan", "tanah-laut"]


def test_unknown_agency_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCIES", "bogor")
    with pytest.raises(ValidationError, match="unknown agency bogor"):
        Settings()


def test_production_refuses_a_placeholder_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "changeme")
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings()
    monkeypatch.setenv("SECRET_KEY", "a-long-random-secret-value")
    assert Settings().environment == "production"


def test_terminal_chat_keeps_the_conversation() -> None:
    proc = subprocess.run([sys.executable, "-m", "bot", "chat", "--agency", "tanah-laut"],
                          input="mau tanya karang taruna\nbrp lama?\nkeluar\n", capture_output=True, text=True,
                          timeout=60, check=True)
    assert "Kepala Desa" in proc.stdout
    assert "1 hari kerja" in proc.stdout


def test_every_setting_is_documented_in_env_example() -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    missing = [name.upper() for name in Settings.model_fields if not re.search(rf"^{name.upper()}=", doc, re.M)]
    assert missing == []
