"""Short messages that steer the conversation rather than ask about a service: reset, the next page, the menu,
thanks, a greeting. Each is a handler (``matches`` is pure, ``handle`` answers)."""

from __future__ import annotations

from handlers import messages as m
from handlers import render
from handlers.context import Turn
from handlers.types import Choice, Question, Reply

RESET_WORDS = {"reset", "ulang", "mulai ulang", "ulangi", "restart", "hapus"}
MORE_WORDS = {"lanjut", "lanjutkan", "selanjutnya", "next", "berikutnya", "terus"}
MENU_WORDS = {"menu", "bantuan", "help", "start", "mulai", "layanan", "daftar layanan", "list"}
MENU_TOPIC = {"menu", "layanan", "pelayanan"}
MENU_FILLER = {"apa", "saja", "ada", "yang", "di", "dinas", "sosial", "daftar", "info", "informasi", "list",
               "tersedia", "bisa", "mau", "tanya", "lihat", "jenis", "macam", "semua", "min", "kak", "pak", "bu"}
THANKS_WORDS = {"terima", "kasih", "oke", "ok", "baik", "siap", "sip", "mantap", "nuwun", "matur"}
GREETINGS = {"halo", "hai", "hallo", "hello", "hi", "assalamualaikum", "salam", "selamat", "pagi", "siang",
             "sore", "malam", "permisi", "p", "min", "admin", "kak", "pak", "bu", "wr", "wb", "om", "swastiastu",
             "shalom", "punten", "sampurasun", "met"}

GREETING_FILLER = {"dinas", "sosial", "saya", "mau", "ingin", "tanya", "bertanya", "nanya", "menanyakan", "izin",
                   "numpang", "boleh", "dong", "sedikit", "nih", "ya", "kami", "aku"}


class Reset:
    def matches(self, turn: Turn) -> bool:
        return turn.words in RESET_WORDS

    def handle(self, turn: Turn) -> Reply:
        fixed = len(turn.ctx.kb.agencies) == 1 or turn.msg.agency is not None
        turn.state.reset(keep_agency=fixed)
        return turn.say(m.RESET, "reset")


class More:
    """``lanjut``: the next page of a long answer."""

    def matches(self, turn: Turn) -> bool:
        return bool(turn.u.tokens) and set(turn.u.tokens) <= MORE_WORDS

    def handle(self, turn: Turn) -> Reply:
        state = turn.state
        if not state.more:
            return turn.say(m.NO_MORE, "more")
        page = state.more.pop(0)
        tail = "\n\n" + m.MORE if state.more else ""
        return turn.say(page + tail, "more")


class Menu:
    def matches(self, turn: Turn) -> bool:
        tokens = set(turn.u.tokens)
        return turn.words in MENU_WORDS or bool(tokens & MENU_TOPIC and tokens <= MENU_TOPIC | MENU_FILLER)

    def handle(self, turn: Turn) -> Reply:
        return menu(turn)


def menu(turn: Turn) -> Reply:
    state, ctx = turn.state, turn.ctx
    agency = ctx.agency(state)
    if agency is None:
        state.question = Question("agency")
        return ctx.ask(m.MENU_NO_AGENCY, ctx.agency_choices(), "menu")
    state.question = Question("service", options=[f"{agency.slug}/{s.id}" for s in agency.services])
    choices = [Choice(str(i), render.display_name(s)) for i, s in enumerate(agency.services, 1)]
    return ctx.ask(m.MENU_HEAD.format(agency=agency.short_name), choices, "menu", after=m.MENU_TAIL,
                   agency=agency.slug)


class Thanks:
    def matches(self, turn: Turn) -> bool:
        u = turn.u
        thanks = "terima kasih" in turn.words or (bool(u.tokens) and set(u.tokens) <= THANKS_WORDS | {"ya"})
        return thanks and not u.services and not u.aspects and len(u.tokens) <= 8

    def handle(self, turn: Turn) -> Reply:
        return turn.say(m.THANKS, "thanks")


class Greeting:
    def matches(self, turn: Turn) -> bool:
        tokens = set(turn.u.tokens)  # "sugeng enjing, kulo badhe takon": a greeting and "I want to ask"
        return bool(tokens & GREETINGS) and tokens <= GREETINGS | GREETING_FILLER

    def handle(self, turn: Turn) -> Reply:
        agency = turn.ctx.agency(turn.state)
        text = m.GREETING.format(agency=agency.short_name) if agency else m.GREETING_NO_AGENCY
        return turn.say(text, "greeting")
