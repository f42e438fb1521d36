"""Handing a conversation to officers, in the engine (no database): `petugas`, two answers in a row that could
not help, the office's hours in what the citizen is told, and the bot quiet while officers hold it."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers import messages as m
from handlers.effects import HandOff
from handlers.engine import Engine
from handlers.types import ConversationState, InboundMessage, Reply
from knowledge.model import KnowledgeBase
from knowledge.understand import Lexicon

TUESDAY_10_WITA = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
SATURDAY_10_WITA = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)


class Chat:
    def __init__(self, knowledge: tuple[KnowledgeBase, Lexicon], now: datetime, *, inbox: bool = True) -> None:
        self.engine = Engine(*knowledge, clock=lambda: now, inbox=inbox)
        self.state = ConversationState()

    def say(self, text: str) -> Reply:
        return self.engine.turn(InboundMessage("whatsapp", "citizen", text, "tanah-laut"), self.state)


def test_petugas_hands_over_and_the_bot_is_quiet_until_an_officer_resolves(
        knowledge: tuple[KnowledgeBase, Lexicon]) -> None:
    chat = Chat(knowledge, TUESDAY_10_WITA)
    reply = chat.say("mau bicara dengan petugas")
    assert reply.intent == "handoff" and reply.effects == [HandOff("asked")]
    assert "secepatnya pada jam kerja" in reply.text and chat.state.handed_off
    quiet = chat.say("syarat kks hilang apa?")
    assert quiet.intent == "handed-off" and quiet.messages == [] and quiet.effects == []
    chat.state.handed_off = False  # what resolving in the inbox does
    assert chat.say("syarat kks hilang apa?").intent == "answer"


def test_outside_office_hours_the_citizen_is_told_when_the_office_opens(
        knowledge: tuple[KnowledgeBase, Lexicon]) -> None:
    reply = Chat(knowledge, SATURDAY_10_WITA).say("petugas")
    assert "Senin, 14 Desember 2026 pukul 08.00" in reply.text and "WITA" in reply.text


def test_two_answers_in_a_row_that_could_not_help_hand_over(knowledge: tuple[KnowledgeBase, Lexicon]) -> None:
    chat = Chat(knowledge, TUESDAY_10_WITA)
    assert chat.say("jadwal pertandingan bola").intent == "fallback"
    assert chat.say("syarat kks hilang apa?").intent == "answer"  # helped: counting starts again
    assert chat.say("harga beras berapa").intent == "fallback"
    for noise in ("x" * 5000, "\x00\x1b[2J", "😀🙏"):  # not questions the bot failed: they do not count
        assert chat.say(noise).intent != "handoff"
    second = chat.say("cara daftar beasiswa kuliah")
    assert second.intent == "handoff" and second.effects == [HandOff("not-helped")]
    assert second.text.startswith(m.HANDOFF_NOT_HELPED.strip())
    assert chat.say("halo?").intent == "handed-off"


def test_without_an_inbox_petugas_gives_the_office_contacts_and_nothing_is_handed_over(
        knowledge: tuple[KnowledgeBase, Lexicon]) -> None:
    chat = Chat(knowledge, TUESDAY_10_WITA, inbox=False)  # `dinsos-bot ask` and `chat`
    reply = chat.say("pengen ngobrol sama petugas")
    assert reply.intent == "handoff" and "0822-5225-4224" in reply.text and not reply.effects
    for says in ("jadwal pertandingan bola", "harga beras berapa", "qwerty uiop"):
        assert chat.say(says).intent == "fallback"
    assert not chat.state.handed_off


def test_petugas_in_the_middle_of_a_pengaduan_hands_over_and_drops_the_form(
        knowledge: tuple[KnowledgeBase, Lexicon]) -> None:
    chat = Chat(knowledge, TUESDAY_10_WITA)
    chat.say("lapor")
    chat.say("setuju")
    assert chat.state.form is not None
    reply = chat.say("petugas")
    assert reply.intent == "handoff" and m.FORM_RESUME not in reply.text
    assert chat.state.form is None and chat.state.handed_off
    assert chat.say("6301054501900002").messages == []  # what follows is for the officer


def test_an_upset_citizen_is_handed_over_at_once_and_a_question_about_a_scam_is_not(
        knowledge: tuple[KnowledgeBase, Lexicon]) -> None:
    chat = Chat(knowledge, TUESDAY_10_WITA)
    reply = chat.say("saya sangat kecewa, sudah tiga kali ke kantor dinas tidak ada hasilnya")
    assert reply.effects == [HandOff("upset")] and reply.text.startswith(m.HANDOFF_UPSET) and chat.state.handed_off
    shouting = Chat(knowledge, TUESDAY_10_WITA)
    assert shouting.say("KENAPA BANTUAN SAYA BELUM CAIR JUGA!!!").effects == [HandOff("upset")]
    calm = Chat(knowledge, TUESDAY_10_WITA)
    assert calm.say("ada sms katanya saya dapat bansos, apakah itu penipuan?").effects == []
    assert calm.say("Kenapa bantuan saya belum cair?").effects == []  # a question, not shouting
    without = Chat(knowledge, TUESDAY_10_WITA, inbox=False)  # `ask` has no officers: the bot answers
    assert without.say("saya sangat kecewa, kks saya hilang").effects == []
