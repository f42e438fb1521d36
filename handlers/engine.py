"""The conversation engine: one message and the remembered state in, replies and the new state out.

Every channel (terminal, simulator, WhatsApp, Telegram, the `ask` batch) runs this same code.
It does no I/O: loading and saving the state is the caller's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers import messages as m
from handlers import render
from handlers.types import Choice, ConversationState, InboundMessage, OutboundMessage, Reply
from knowledge.model import Agency, KnowledgeBase, Service
from knowledge.understand import COMMON_WORDS, STOPWORDS, Lexicon, Reader, Understanding, clean_text, field_aspect

GREETINGS = {"halo", "hai", "hallo", "hello", "hi", "assalamualaikum", "salam", "selamat", "pagi", "siang",
             "sore", "malam", "permisi", "p", "min", "admin", "kak", "pak", "bu", "wr", "wb", "om", "swastiastu",
             "shalom", "punten", "sampurasun", "met"}
MENU_WORDS = {"menu", "bantuan", "help", "start", "mulai", "layanan", "daftar layanan", "list"}
MENU_TOPIC = {"menu", "layanan", "pelayanan"}
MENU_FILLER = {"apa", "saja", "ada", "yang", "di", "dinas", "sosial", "daftar", "info", "informasi", "list",
               "tersedia", "bisa", "mau", "tanya", "lihat", "jenis", "macam", "semua", "min", "kak", "pak", "bu"}
RESET_WORDS = {"reset", "ulang", "mulai ulang", "ulangi", "restart", "hapus"}
MORE_WORDS = {"lanjut", "lanjutkan", "selanjutnya", "next", "berikutnya", "terus"}
OFFICER_WORDS = {"petugas", "operator", "cs", "manusia", "orang", "bicara dengan petugas", "hubungi petugas"}
THANKS_WORDS = {"terima", "kasih", "oke", "ok", "baik", "siap", "sip", "mantap", "nuwun", "matur"}
EXTRA_ASPECTS = ("fee", "duration", "requirements", "products")


@dataclass
class _Target:
    agency: Agency
    service: Service


class Engine:
    def __init__(self, kb: KnowledgeBase, lexicon: Lexicon | None = None) -> None:
        self.kb = kb
        self.lex = lexicon or Lexicon.load()
        self.reader = Reader(kb, self.lex)

    # --- entry point -----------------------------------------------------------------------

    def handle(self, msg: InboundMessage, state: ConversationState) -> Reply:
        if len(self.kb.agencies) == 1:
            state.agency = next(iter(self.kb.agencies))
        elif msg.agency in self.kb.agencies:
            state.agency = msg.agency
        text = clean_text(msg.text)
        if not re.search(r"[^\W_]", text):
            return self._say(state, m.EMPTY, "empty")
        u = self.reader.read(text, agencies=[state.agency] if state.agency else None)
        words = " ".join(u.tokens)

        if words in RESET_WORDS:
            keep = state.agency if (len(self.kb.agencies) == 1 or msg.agency) else None
            state.__init__()  # type: ignore[misc]
            state.agency = keep
            return self._say(state, m.RESET, "reset")
        if u.tokens and set(u.tokens) <= MORE_WORDS:
            return self._more(state)
        if words in MENU_WORDS or (set(u.tokens) & MENU_TOPIC and set(u.tokens) <= MENU_TOPIC | MENU_FILLER):
            return self._menu(state)
        thanks = "terima kasih" in words or (u.tokens and set(u.tokens) <= THANKS_WORDS | {"ya"})
        if thanks and not u.services and not u.aspects and len(u.tokens) <= 8:
            return self._say(state, m.THANKS, "thanks")
        if u.tokens and set(u.tokens) <= GREETINGS | {"dinas", "sosial"}:
            agency = self.kb.agency(state.agency)
            text = m.GREETING.format(agency=agency.short_name) if agency else m.GREETING_NO_AGENCY
            return self._say(state, text, "greeting")
        if words in OFFICER_WORDS or ("petugas" in u.tokens and len(u.tokens) <= 7 and not u.services
                                      and not u.aspects and not u.complaint):
            return self._officer(state)

        # A place named in the message, or an answer to "which kabupaten/kota?".
        pending = state.pending or {}
        chosen_agency = self._agency_from(u, pending)
        if chosen_agency == "unknown":
            return self._ask_agency(state, pending.get("text", ""), unknown=True)
        if chosen_agency:
            state.agency = chosen_agency
            only_place = self._is_only_place(u)
            if pending.get("kind") == "agency":
                state.pending = None
                if pending.get("text") and only_place:
                    return self._answer_text(pending["text"], state, note=True)
            if only_place and pending.get("kind") != "service":
                agency = self.kb.agencies[chosen_agency]
                return self._say(state, m.AGENCY_SET.format(region=agency.region) + "\n\n"
                                 + m.GREETING.format(agency=agency.short_name), "greeting")
        if pending.get("kind") == "service":
            number = u.number if u.number is not None else _first_number(u.tokens)
            options = pending.get("options", [])
            if number is not None and 1 <= number <= len(options) and not u.services:
                state.pending = None
                agency_slug, service_id = options[number - 1].split("/", 1)
                picked = self.kb.service(agency_slug, service_id)
                if picked is None:
                    return self._menu(state)
                target = _Target(self.kb.agencies[agency_slug], picked)
                aspects = u.aspects or pending.get("aspects") or []
                return self._answer(target, aspects, u, state)
        state.pending = None
        return self._understood(u, state, text)

    def _answer_text(self, text: str, state: ConversationState, *, note: bool = False) -> Reply:
        u = self.reader.read(text, agencies=[state.agency] if state.agency else None)
        reply = self._understood(u, state, text)
        agency = self.kb.agency(state.agency)
        if note and agency and reply.messages:
            first = reply.messages[0]
            reply.messages[0] = OutboundMessage(m.AGENCY_SET.format(region=agency.region) + "\n\n" + first.text,
                                                first.choices)
        return reply

    # --- understanding -> reply ---------------------------------------------------------------

    def _understood(self, u: Understanding, state: ConversationState, text: str) -> Reply:
        agency = self.kb.agency(state.agency)
        if u.complaint:
            return self._complaint(state, text, how_to=u.complaint == "intent")
        services = [(s, sc) for s, sc in u.services if agency is None or s.agency == agency.slug]
        aspects = [a for a in u.aspects if a != "detail"] or (["detail"] if "detail" in u.aspects else [])
        content_unknown = bool(u.unknown) or u.out_of_scope is not None

        if not services and state.service and not content_unknown and (aspects or u.variant_words):
            slug, sid = state.service.split("/", 1)
            if agency is None or agency.slug == slug:
                context = self.kb.service(slug, sid)
                if context and not (set(aspects) & {"hours", "contact"} and len(aspects) == 1):
                    if not aspects and u.variant_words and state.aspect:
                        aspects = [state.aspect]
                    return self._answer(_Target(self.kb.agencies[slug], context), aspects, u, state)

        if services:
            top = services[0][1]
            close = [s for s, sc in services if sc >= top * 0.85]
            agencies = list(dict.fromkeys(s.agency for s in close))
            if agency is None and len(agencies) > 1:
                return self._ask_agency(state, text)
            same = [s for s in close if s.agency == agencies[0]]
            if len(same) > 1 and top - max(sc for s, sc in services[1:] if s.agency == agencies[0]) < 0.5:
                return self._ask_service(state, same, aspects)
            chosen = services[0][0]
            if set(aspects) <= {"hours", "contact"} and aspects:
                state.service = f"{chosen.agency}/{chosen.id}"
                return self._agency_answer(self.kb.agencies[chosen.agency], aspects[0], state)
            return self._answer(_Target(self.kb.agencies[chosen.agency], chosen), aspects, u, state)

        agency_level = [a for a in aspects if a in self.lex.agency_aspects]
        tolerable = agency_level and agency_level[0] != "fee" and len(u.unknown) <= 1 and u.out_of_scope is None
        if not aspects or (content_unknown and not tolerable):
            return self._fallback(state, u)
        if agency is None:
            return self._ask_agency(state, text)
        if agency_level and (agency_level[0] != "fee" or agency.general.get("fee") or len(agency.services) == 1):
            if agency_level[0] == "fee" and len(agency.services) == 1:
                return self._answer(_Target(agency, agency.services[0]), aspects, u, state)
            return self._agency_answer(agency, agency_level[0], state)
        if len(agency.services) == 1:
            return self._answer(_Target(agency, agency.services[0]), aspects, u, state)
        return self._ask_service(state, agency.services, aspects)

    # --- replies ----------------------------------------------------------------------------

    def _answer(self, target: _Target, aspects: list[str], u: Understanding, state: ConversationState) -> Reply:
        agency, service = target.agency, target.service
        if not aspects:
            alias_words = {w for alias in [service.name, *service.aliases]
                           for w in self.reader.tokens(alias, fuzzy=False)}
            found = field_aspect(service, u.tokens, STOPWORDS | COMMON_WORDS | alias_words)
            aspects = [found] if found else []
        aspect = aspects[0] if aspects else "overview"
        variants = set(u.variant_words) or set(state.variant if state.service == f"{agency.slug}/{service.id}"
                                                else [])
        head, body = render.service_answer(agency, service, aspect, variants, self.lex.variants)
        for extra in aspects[1:3]:
            if extra in ("fee", "duration") and extra != aspect:
                head.append(render.short_line(service, extra))
            elif extra in EXTRA_ASPECTS and extra != aspect:
                _, more = render.service_answer(agency, service, extra, variants, self.lex.variants)
                body += ["", f"*{m.TITLE[extra]}:*", *more]
        state.service = f"{agency.slug}/{service.id}"
        state.aspect = aspect if aspect != "overview" else state.aspect
        state.variant = sorted(variants)
        doc = service.sop if aspect == "detail" and service.sop.get("steps") else None
        source = (m.SOURCE_SOP.format(name=doc.get("name", service.name), agency=agency.short_name) if doc
                  else render.source_line(agency, service))
        return self._paged(state, head, body, [source, render.next_step(aspect)], "answer",
                           service=service.id, aspect=aspect, agency=agency.slug)

    def _agency_answer(self, agency: Agency, aspect: str, state: ConversationState) -> Reply:
        if aspect == "hours":
            body = render.hours(agency)
        elif aspect == "contact":
            body = render.contacts(agency)
        elif aspect == "fee":
            body = [agency.general["fee"], m.FEE_WARNING]
        else:
            body = render.complaint_channels(agency)
        head = [m.HEADING.format(title=m.TITLE[aspect], name=agency.short_name)]
        return self._paged(state, head, body, [render.source_line(agency)], "answer",
                           aspect=aspect, agency=agency.slug)

    def _paged(self, state: ConversationState, head: list[str], body: list[str], foot: list[str],
               intent: str, **meta: str | None) -> Reply:
        pages = render.paginate(body)
        state.more = [f"{head[0]} _(lanjutan)_\n{p}" for p in pages[1:]]
        tail = [m.MORE] if state.more else []
        text = "\n".join(head) + "\n" + pages[0] + "\n\n" + "\n".join(tail + foot)
        return Reply([OutboundMessage(text.strip())], intent, **meta)

    def _more(self, state: ConversationState) -> Reply:
        if not state.more:
            return self._say(state, m.NO_MORE, "more")
        page = state.more.pop(0)
        tail = "\n\n" + m.MORE if state.more else ""
        return self._say(state, page + tail, "more")

    def _menu(self, state: ConversationState) -> Reply:
        agency = self.kb.agency(state.agency)
        if agency is None:
            choices = self._agency_choices()
            state.pending = {"kind": "agency", "text": ""}
            return Reply([OutboundMessage(_with_choices(m.MENU_NO_AGENCY, choices), tuple(choices))], "menu")
        options = [f"{agency.slug}/{s.id}" for s in agency.services]
        state.pending = {"kind": "service", "options": options, "aspects": []}
        choices = [Choice(str(i), render.display_name(s)) for i, s in enumerate(agency.services, 1)]
        text = _with_choices(m.MENU_HEAD.format(agency=agency.short_name), choices) + "\n\n" + m.MENU_TAIL
        return Reply([OutboundMessage(text, tuple(choices))], "menu", agency=agency.slug)

    def _ask_agency(self, state: ConversationState, text: str, *, unknown: bool = False) -> Reply:
        choices = self._agency_choices()
        state.pending = {"kind": "agency", "text": text}
        lead = m.UNKNOWN_AGENCY if unknown else m.ASK_AGENCY
        return Reply([OutboundMessage(_with_choices(lead, choices), tuple(choices))], "clarify")

    def _ask_service(self, state: ConversationState, services: list[Service], aspects: list[str]) -> Reply:
        state.pending = {"kind": "service", "options": [f"{s.agency}/{s.id}" for s in services],
                         "aspects": aspects}
        choices = [Choice(str(i), render.display_name(s)) for i, s in enumerate(services, 1)]
        lead = (m.ASK_SERVICE_FOR.format(aspect=m.ASPECT_WORD.get(aspects[0], aspects[0])) if aspects
                else m.ASK_SERVICE)
        return Reply([OutboundMessage(_with_choices(lead, choices), tuple(choices))], "clarify",
                     agency=services[0].agency, aspect=aspects[0] if aspects else None)

    def _complaint(self, state: ConversationState, text: str, *, how_to: bool = False) -> Reply:
        agency = self.kb.agency(state.agency)
        if agency is None:
            choices = self._agency_choices()
            state.pending = {"kind": "agency", "text": text}
            return Reply([OutboundMessage(_with_choices(m.COMPLAINT_NO_AGENCY, choices), tuple(choices))],
                         "complaint")
        channels = "\n".join(render.complaint_channels(agency))
        template = m.COMPLAINT_HOWTO if how_to else m.COMPLAINT
        return self._say(state, template.format(channels=channels), "complaint", agency=agency.slug)

    def _fallback(self, state: ConversationState, u: Understanding) -> Reply:
        agency = self.kb.agency(state.agency)
        hint = u.out_of_scope or ""
        text = (m.FALLBACK.format(agency=agency.short_name, hint=hint) if agency
                else m.FALLBACK_NO_AGENCY.format(hint=hint))
        return self._say(state, re.sub(r" +\n", "\n", text), "fallback", agency=agency.slug if agency else None)

    def _officer(self, state: ConversationState) -> Reply:
        agency = self.kb.agency(state.agency)
        if agency is None:
            return self._ask_agency(state, "petugas")
        contact = "\n".join(render.contacts(agency)[:4] + render.complaint_channels(agency)[:2])
        return self._say(state, m.OFFICER.format(agency=agency.short_name, contact=contact), "handoff",
                         agency=agency.slug)

    def _say(self, state: ConversationState, text: str, intent: str, **meta: str | None) -> Reply:
        meta.setdefault("agency", state.agency)
        return Reply([OutboundMessage(text)], intent, **meta)

    # --- helpers ----------------------------------------------------------------------------

    def _agency_choices(self) -> list[Choice]:
        return [Choice(str(i), a.region) for i, a in enumerate(self.kb.agencies.values(), 1)]

    def _agency_from(self, u: Understanding, pending: dict[str, object]) -> str | None:
        served = [p for p in u.places if p in self.kb.agencies]
        if served:
            return served[0]
        if pending.get("kind") == "agency":
            number = u.number if u.number is not None else None
            slugs = list(self.kb.agencies)
            if number is not None and 1 <= number <= len(slugs):
                return slugs[number - 1]
            if number is not None or (u.unknown and len(u.tokens) <= 3 and not u.services and not u.aspects):
                return "unknown"
        named = re.search(r"\b(?:kabupaten|kota|tinggal di|dari|warga|domisili|asal)\s+([a-z]+)", u.text)
        if named and not u.places and named.group(1) in u.unknown:
            return "unknown"
        return None

    def _is_only_place(self, u: Understanding) -> bool:
        place_words = {t for _, toks in self.reader.places for t in toks}
        rest = [t for t in u.tokens if t not in place_words and t not in {"saya", "di", "dari", "warga", "tinggal",
                                                                            "kabupaten", "kota", "kab"}]
        return not rest or u.number is not None


def _first_number(tokens: list[str]) -> int | None:
    return next((int(t) for t in tokens if t.isdigit() and len(t) <= 2), None)


def _with_choices(lead: str, choices: list[Choice]) -> str:
    return lead + "\n" + "\n".join(f"{c.key}. {c.label}" for c in choices)
