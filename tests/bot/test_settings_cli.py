"""Settings validation and the terminal chat."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings
from tests.support import clean_env, run_cli


def test_agencies_from_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCIES", "tarakan, tanah-laut")
    assert Settings().agencies == ["tarakan", "tanah-laut"]
    monkeypatch.setenv("AGENCIES", "")
    assert Settings().agencies == ["tarakan", "sragen", "magetan", "tanah-laut"]


def test_unknown_agency_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCIES", "bogor")
    with pytest.raises(ValidationError, match="unknown agency bogor"):
        Settings()


def test_production_refuses_a_placeholder_secret_or_no_data_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.delenv("DATA_KEY")
    monkeypatch.setenv("SECRET_KEY", "changeme")
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings()
    monkeypatch.setenv("SECRET_KEY", "a-long-random-secret-value")
    with pytest.raises(ValidationError, match="DATA_KEY must be set in production"):
        Settings()
    monkeypatch.setenv("DATA_KEY", "not-a-key")
    with pytest.raises(ValidationError, match="DATA_KEY"):
        Settings()
    monkeypatch.setenv("DATA_KEY", "00" * 32)
    assert Settings().environment == "production"


def test_terminal_chat_keeps_the_conversation(tmp_path: Path) -> None:
    proc = run_cli("chat", "--agency", "tanah-laut", env=clean_env(), cwd=tmp_path,
                   stdin="mau tanya karang taruna\nbrp lama?\nkeluar\n")
    assert proc.returncode == 0, proc.stderr
    assert "Kepala Desa" in proc.stdout
    assert "1 hari kerja" in proc.stdout


def test_every_setting_is_documented_in_env_example() -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    missing = [name.upper() for name in Settings.model_fields if not re.search(rf"^{name.upper()}=", doc, re.M)]
    assert missing == []
