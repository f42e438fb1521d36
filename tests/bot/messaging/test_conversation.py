"""One turn, the same for every host: the reply and the state it leaves; an engine bug gets an apology and
leaves the state as it was."""

from __future__ import annotations

import pytest

from bot.messaging.conversation import respond, stored_text
from handlers.engine import Engine
from handlers.types import ConversationState, InboundMessage, Reply


def _say(engine: Engine, text: str, state: ConversationState) -> Reply:
    return respond(engine, InboundMessage("test", "u1", text, "tanah-laut"), state)


def test_a_follow_up_uses_the_state_of_the_turn_before(engine: Engine) -> None:
    state = ConversationState()
    _say(engine, "syarat karang taruna", state)
    assert state.service == "tanah-laut/tanda-daftar-karang-taruna"
    assert "1 hari kerja" in _say(engine, "brp lama?", state).text


def test_an_engine_failure_gets_an_apology_and_keeps_the_state(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    state = ConversationState()
    _say(engine, "syarat karang taruna", state)
    before = state.to_dict()

    def broken(message: InboundMessage, trial: ConversationState) -> Reply:
        trial.service = "garbage"
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "turn", broken)
    reply = _say(engine, "brp lama?", state)
    assert reply.intent == "error" and "Mohon maaf" in reply.text
    assert state.to_dict() == before
    monkeypatch.undo()
    assert "1 hari kerja" in _say(engine, "brp lama?", state).text


def test_the_history_keeps_text_without_invisible_characters_and_cut_when_long() -> None:
    assert stored_text("halo\x00 dunia\u202e") == "halo dunia"
    assert len(stored_text("x" * 10_000)) == 4000 and stored_text("x" * 10_000).endswith("…")
