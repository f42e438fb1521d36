"""``petugas``: the citizen wants a person. Until the officers' inbox exists, the bot gives the office's contacts."""

from __future__ import annotations

from handlers import messages as m
from handlers import render
from handlers.answers import ask_agency
from handlers.context import Turn
from handlers.types import Reply

OFFICER_WORDS = {"petugas", "operator", "cs", "manusia", "orang", "bicara dengan petugas", "hubungi petugas"}


class Officer:
    def matches(self, turn: Turn) -> bool:
        u = turn.u
        return turn.words in OFFICER_WORDS or ("petugas" in u.tokens and len(u.tokens) <= 7 and not u.services
                                              and not u.aspects and not u.complaint)

    def handle(self, turn: Turn) -> Reply:
        agency = turn.ctx.agency(turn.state)
        if agency is None:
            return ask_agency(turn, "petugas")
        contact = "\n".join(render.contacts(agency)[:4] + render.complaint_channels(agency)[:2])
        return turn.say(m.OFFICER.format(agency=agency.short_name, contact=contact), "handoff", agency=agency.slug)
