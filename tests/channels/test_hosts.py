"""One conversation, every host: the terminal `chat`, the `ask` batch, the simulator, WhatsApp and Telegram give
the same replies (stop, langganan, mulai, a question and its follow-up, reset), because they share one turn."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path

from tests.channels.conftest import Service, eventually
from tests.fakes import twilio as tw
from tests.fakes.telegram import FakeTelegram, fixture
from tests.fakes.twilio import FakeTwilio
from tests.support import clean_env, run_cli

SAYS = ["stop", "langganan", "mulai", "syarat karang taruna", "brp lama?", "reset", "brp lama?"]
PHONE, CHAT = "+6281234567890", 555000111


def _same(text: str) -> str:
    """A reply as its words: markup, HTML and numbered choice lines (buttons elsewhere) set aside."""
    text = html.unescape(re.sub(r"</?[a-z]+>", "", text))
    lines = [line.strip() for line in text.replace("*", "").replace("_", "").splitlines()]
    return "\n".join(line for line in lines if line and not re.match(r"^\d+\. ", line))


def _from_chat(output: str) -> list[str]:
    replies = []
    for turn in output.split("Anda> ")[1:]:
        said = [block.removeprefix("Bot> ") for block in turn.split("\n\n") if block.startswith("Bot> ")]
        replies.append("\n\n".join(re.sub(r"\n {5}", "\n", block) for block in said))
    return replies


async def test_the_same_conversation_on_every_host(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio, fake_telegram: FakeTelegram,
        tmp_path: Path) -> None:
    env = clean_env(AGENCIES="tanah-laut")
    lines = "".join(json.dumps({"text": text, "agency": None, "user": "u1"}) + "\n" for text in SAYS)
    asked = [json.loads(out)["reply"] for out in run_cli("ask", env=env, cwd=tmp_path, stdin=lines).stdout.splitlines()]
    chat = run_cli("chat", env=env, cwd=tmp_path, stdin="\n".join([*SAYS, "keluar"]) + "\n")
    chatted = _from_chat(chat.stdout)[: len(SAYS)]

    service = start_service(AGENCIES="tanah-laut")
    simulated = []
    for text in SAYS:
        answer = service.http.post("/api/simulator/messages", json={"text": text, "agency": None})
        simulated.append("\n\n".join(r["text"] for r in answer.json()["replies"]))
    for n, text in enumerate(SAYS, 1):
        service.whatsapp(tw.inbound_form(PHONE, text))
        service.telegram(fixture("text", update_id=900 + n, text=text))
        await eventually(lambda n=n: len(fake_twilio.sent_to(PHONE)) == n  # type: ignore[misc]
                         and len(fake_telegram.sent_to(CHAT)) == n)
    whatsapp = [m["Body"] for m in fake_twilio.sent_to(PHONE)]
    telegram = [m["text"] for m in fake_telegram.sent_to(CHAT)]

    assert "tidak akan lagi menerima pengumuman" in asked[0] and "Kepala Desa" in asked[3]
    assert "1 hari kerja" in asked[4] and "layanan mana" in asked[6]  # after reset the context is gone
    for host, replies in {"chat": chatted, "simulator": simulated, "whatsapp": whatsapp, "telegram": telegram}.items():
        assert [_same(r) for r in replies] == [_same(r) for r in asked], host
