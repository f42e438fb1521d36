"""Answering from the service standards: what the message asks (service, aspect, place, a problem to report),
filled in from the conversation, answered from the curated knowledge, or a question back when it is not clear
which agency or which service is meant.

The questions back are remembered as ``state.question`` ("which agency?", "which service?"); the answer to one is
read here, and the question that led to it is then answered as if it had just been asked (through the router).

```mermaid
stateDiagram-v2
    [*] --> Answered: service and agency clear
    [*] --> WhichAgency: agency unknown and needed
    [*] --> WhichService: several services fit
    WhichAgency --> Answered: a number or a place (the first question is replayed)
    WhichAgency --> WhichAgency: a place we do not serve
    WhichService --> Answered: a number
    WhichAgency --> [*]: anything else (answered on its own)
    WhichService --> [*]: anything else (answered on its own)
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Unpack

from handlers import messages as m
from handlers import render
from handlers.context import Turn, first_number
from handlers.types import Choice, Meta, OutboundMessage, Question, Reply
from knowledge.model import Agency, Service
from knowledge.understand import COMMON_WORDS, STOPWORDS, Understanding, field_aspect

EXTRA_ASPECTS = ("fee", "duration", "requirements", "products")
STORY_SURE, STORY, STORY_WITH_AMOUNTS = 0.8, 0.6, 0.3  # how sure the classifier must be that a problem is told
PLACE_FILLER = {"saya", "di", "dari", "warga", "tinggal", "kabupaten", "kota", "kab"}


@dataclass
class Target:
    agency: Agency
    service: Service


class Answer:
    """The default handler: every message no other handler took."""

    def matches(self, turn: Turn) -> bool:
        return True

    def handle(self, turn: Turn) -> Reply:
        state, u = turn.state, turn.u
        question = state.question
        chosen = agency_from(turn, question)
        if chosen == "unknown":
            return ask_agency(turn, question.text if question else "", unknown=True)
        if chosen:
            state.agency = chosen
            only_place = is_only_place(turn)
            if question is not None and question.kind == "agency":
                state.question = None
                if question.text and only_place:
                    return replay(turn, question.text)
            if only_place and (question is None or question.kind != "service"):
                agency = turn.ctx.kb.agencies[chosen]
                return turn.say(m.AGENCY_SET.format(region=agency.region) + "\n\n"
                                + m.GREETING.format(agency=agency.short_name), "greeting")
        if question is not None and question.kind == "service":
            number = u.number if u.number is not None else first_number(u.tokens)
            if number is not None and 1 <= number <= len(question.options) and not u.services:
                state.question = None
                agency_slug, service_id = question.options[number - 1].split("/", 1)
                picked = turn.ctx.kb.service(agency_slug, service_id)
                if picked is None:
                    from handlers.commands import menu

                    return menu(turn)
                return answer(turn, Target(turn.ctx.kb.agencies[agency_slug], picked), u.aspects or question.aspects)
        state.question = None
        return understood(turn)


def replay(turn: Turn, text: str) -> Reply:
    """The citizen answered our question about the agency: answer what they first asked, saying we noted it."""
    reply = turn.ctx.dispatch(turn.again(text))
    agency = turn.ctx.agency(turn.state)
    if agency and reply.messages:
        first = reply.messages[0]
        note = m.AGENCY_SET.format(region=agency.region) + "\n\n"
        reply.messages[0] = OutboundMessage(note + first.text, first.choices, first.after)
    return reply


def problem_told(u: Understanding) -> bool:
    """A problem told as a story, though no complaint phrase matched: the classifier is sure, or fairly sure and
    the message does not ask about a named service, or it names two amounts (what was due and what came)."""
    if u.story >= STORY_SURE:
        return True
    if u.story >= STORY and not (u.services and u.aspects):
        return True
    return len(set(u.amounts)) >= 2 and u.story >= STORY_WITH_AMOUNTS


def understood(turn: Turn) -> Reply:
    state, u, text = turn.state, turn.u, turn.text
    agency = turn.ctx.agency(state)
    if u.complaint or problem_told(u):
        return complaint(turn, how_to=u.complaint == "intent")
    services = [(s, sc) for s, sc in u.services if agency is None or s.agency == agency.slug]
    aspects = [a for a in u.aspects if a != "detail"] or (["detail"] if "detail" in u.aspects else [])
    content_unknown = bool(u.unknown) or u.out_of_scope is not None
    kb = turn.ctx.kb

    if not services and state.service and not content_unknown and (aspects or u.variant_words):
        slug, sid = state.service.split("/", 1)
        if agency is None or agency.slug == slug:
            context = kb.service(slug, sid)
            if context and not (set(aspects) & {"hours", "contact"} and len(aspects) == 1):
                if not aspects and u.variant_words and state.aspect:
                    aspects = [state.aspect]
                return answer(turn, Target(kb.agencies[slug], context), aspects)

    if services:
        top = services[0][1]
        close = [s for s, sc in services if sc >= top * 0.85]
        agencies = list(dict.fromkeys(s.agency for s in close))
        if agency is None and len(agencies) > 1:
            return ask_agency(turn, text)
        same = [s for s in close if s.agency == agencies[0]]
        if len(same) > 1 and top - max(sc for s, sc in services[1:] if s.agency == agencies[0]) < 0.5:
            return ask_service(turn, same, aspects)
        chosen = services[0][0]
        if set(aspects) <= {"hours", "contact"} and aspects:
            state.service = f"{chosen.agency}/{chosen.id}"
            return agency_answer(turn, kb.agencies[chosen.agency], aspects[0])
        return answer(turn, Target(kb.agencies[chosen.agency], chosen), aspects)

    lex = turn.ctx.lex
    agency_level = [a for a in aspects if a in lex.agency_aspects]
    tolerable = agency_level and agency_level[0] != "fee" and len(u.unknown) <= 1 and u.out_of_scope is None
    if not aspects or (content_unknown and not tolerable):
        return fallback(turn, u)
    if agency is None:
        return ask_agency(turn, text)
    if agency_level and (agency_level[0] != "fee" or agency.general.get("fee") or len(agency.services) == 1):
        if agency_level[0] == "fee" and len(agency.services) == 1:
            return answer(turn, Target(agency, agency.services[0]), aspects)
        return agency_answer(turn, agency, agency_level[0])
    if len(agency.services) == 1:
        return answer(turn, Target(agency, agency.services[0]), aspects)
    return ask_service(turn, agency.services, aspects)


def answer(turn: Turn, target: Target, aspects: list[str]) -> Reply:
    state, u, lex = turn.state, turn.u, turn.ctx.lex
    agency, service = target.agency, target.service
    if not aspects:
        alias_words = {w for alias in [service.name, *service.aliases]
                       for w in turn.ctx.reader.tokens(alias, fuzzy=False)}
        found = field_aspect(service, u.tokens, STOPWORDS | COMMON_WORDS | alias_words)
        aspects = [found] if found else []
    aspect = aspects[0] if aspects else "overview"
    variants = set(u.variant_words) or set(state.variant if state.service == f"{agency.slug}/{service.id}" else [])
    head, body = render.service_answer(agency, service, aspect, variants, lex.variants)
    for extra in aspects[1:3]:
        if extra in ("fee", "duration") and extra != aspect:
            head.append(render.short_line(service, extra))
        elif extra in EXTRA_ASPECTS and extra != aspect:
            _, more = render.service_answer(agency, service, extra, variants, lex.variants)
            body += ["", f"*{m.TITLE[extra]}:*", *more]
    state.service = f"{agency.slug}/{service.id}"
    state.aspect = aspect if aspect != "overview" else state.aspect
    state.variant = sorted(variants)
    doc = service.sop if aspect == "detail" and service.sop.get("steps") else None
    source = (m.SOURCE_SOP.format(name=doc.get("name", service.name), agency=agency.short_name) if doc
              else render.source_line(agency, service))
    return paged(turn, head, body, [source, render.next_step(aspect)], "answer",
                 service=service.id, aspect=aspect, agency=agency.slug)


def agency_answer(turn: Turn, agency: Agency, aspect: str) -> Reply:
    if aspect == "hours":
        body = render.hours(agency)
    elif aspect == "contact":
        body = render.contacts(agency)
    elif aspect == "fee":
        body = [agency.general["fee"], m.FEE_WARNING]
    else:
        body = render.complaint_channels(agency)
    head = [m.HEADING.format(title=m.TITLE[aspect], name=agency.short_name)]
    return paged(turn, head, body, [render.source_line(agency)], "answer", aspect=aspect, agency=agency.slug)


def paged(turn: Turn, head: list[str], body: list[str], foot: list[str], intent: str, **meta: Unpack[Meta]) -> Reply:
    """The first page now; the rest kept for ``lanjut`` (phone screens)."""
    pages = render.paginate(body)
    turn.state.more = [f"{head[0]} _(lanjutan)_\n{p}" for p in pages[1:]]
    tail = [m.MORE] if turn.state.more else []
    text = "\n".join(head) + "\n" + pages[0] + "\n\n" + "\n".join(tail + foot)
    return Reply([OutboundMessage(text.strip())], intent, **meta)


def ask_agency(turn: Turn, text: str, *, unknown: bool = False) -> Reply:
    """Which kabupaten/kota? ``text`` is answered once the citizen has said."""
    turn.state.question = Question("agency", text=text)
    return turn.ctx.ask(m.UNKNOWN_AGENCY if unknown else m.ASK_AGENCY, turn.ctx.agency_choices(), "clarify")


def ask_service(turn: Turn, services: list[Service], aspects: list[str]) -> Reply:
    turn.state.question = Question("service", options=[f"{s.agency}/{s.id}" for s in services], aspects=aspects)
    choices = [Choice(str(i), render.display_name(s)) for i, s in enumerate(services, 1)]
    lead = m.ASK_SERVICE_FOR.format(aspect=m.ASPECT_WORD.get(aspects[0], aspects[0])) if aspects else m.ASK_SERVICE
    return turn.ctx.ask(lead, choices, "clarify", agency=services[0].agency, aspect=aspects[0] if aspects else None)


def complaint(turn: Turn, *, how_to: bool = False) -> Reply:
    agency = turn.ctx.agency(turn.state)
    if agency is None:
        turn.state.question = Question("agency", text=turn.text)
        return turn.ctx.ask(m.COMPLAINT_NO_AGENCY, turn.ctx.agency_choices(), "complaint")
    channels = "\n".join(render.complaint_channels(agency))
    template = m.COMPLAINT_HOWTO if how_to else m.COMPLAINT
    return turn.say(template.format(channels=channels), "complaint", agency=agency.slug)


def fallback(turn: Turn, u: Understanding) -> Reply:
    agency = turn.ctx.agency(turn.state)
    hint = u.out_of_scope or ""
    text = (m.FALLBACK.format(agency=agency.short_name, hint=hint) if agency
            else m.FALLBACK_NO_AGENCY.format(hint=hint))
    return turn.say(re.sub(r" +\n", "\n", text), "fallback", agency=agency.slug if agency else None)


def agency_from(turn: Turn, question: Question | None) -> str | None:
    """The agency a message names (a place we serve), the number answering "which agency?", or "unknown"."""
    u, kb = turn.u, turn.ctx.kb
    served = [p for p in u.places if p in kb.agencies]
    if served:
        return served[0]
    if question is not None and question.kind == "agency":
        slugs = list(kb.agencies)
        if u.number is not None and 1 <= u.number <= len(slugs):
            return slugs[u.number - 1]
        if u.number is not None or (u.unknown and len(u.tokens) <= 3 and not u.services and not u.aspects):
            return "unknown"
    # "saya dari X", "warga kota X" with X a place we do not serve; in a longer message "dari" is just "from"
    # ("dari zaman dulu", "dari bank"), and a story never names its region this way.
    words = r"kabupaten|kota|tinggal di|warga|domisili|asal" + (r"|dari" if len(u.tokens) <= 4 else "")
    named = re.search(rf"\b(?:{words})\s+([a-z]+)", u.text)
    if named and not u.places and named.group(1) in u.unknown and len(u.tokens) <= 8:
        return "unknown"
    return None


def is_only_place(turn: Turn) -> bool:
    u = turn.u
    place_words = {t for _, toks in turn.ctx.reader.places for t in toks}
    rest = [t for t in u.tokens if t not in place_words and t not in PLACE_FILLER]
    return not rest or u.number is not None
