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
                                              and not u.aspects and not u.complaint and u.problem is None)

    def handle(self, turn: Turn) -> Reply:
        served = [p for p in turn.u.places if p in turn.ctx.kb.agencies]
        note = ""
        if served and served[0] != turn.state.agency:  # "sy di magetan mau bicara dengan petugas"
            turn.state.agency = served[0]
            note = m.AGENCY_SET.format(region=turn.ctx.kb.agencies[served[0]].region) + "\n\n"
        agency = turn.ctx.agency(turn.state)
        if agency is None:
            return ask_agency(turn, "petugas")
        contact = "\n".join(render.reach(agency))
        text = note + m.OFFICER.format(agency=agency.short_name, contact=contact)
        return turn.say(text, "handoff", agency=agency.slug)
