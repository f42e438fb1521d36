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
from knowledge.lines import Match, stems
from knowledge.model import Agency, Service
from knowledge.understand import COMMON_WORDS, STOPWORDS, Problem, Understanding, field_aspect

EXTRA_ASPECTS = ("fee", "duration", "requirements", "products")
# How sure the classifier must be that a problem is told (see problem_told and problem_reported).
STORY_SURE, STORY_TOLD, STORY, STORY_WITH_AMOUNTS = 0.8, 0.7, 0.6, 0.3
DETAIL_MIN = 1.5  # how rare (summed idf) the words shared with one line must be for that line to be the answer
DETAIL_MIN_NARROW = 1.0  # the same for a who/where question, where one word for the act is enough
DETAIL_FIELDS = {  # where a narrow question's line is looked for, by the aspect asked; "prosedurnya?" wants it all
    "overview": ("requirements", "products", "procedure", "warnings"), "requirements": ("requirements",),
    "products": ("products", "requirements", "procedure"), "procedure": ("procedure",),
}
NARROW_WORDS = {"mana", "kemana", "dimana", "siapa", "kapan", "dikirim", "diserahkan", "diajukan"}
YES_NO_WORDS = {"harus", "perlu", "wajib", "boleh", "apakah", "bisa", "pakai", "bawa", "butuh"}
WH_WORDS = {"apa", "berapa", "bagaimana", "kapan", "mana", "siapa", "dimana", "kemana", "kenapa", "mengapa"}
ASKING = {"tanya", "kah", "apakah", "ngapain", "gimana", "bagaimana"}
YES_NO_TAILS = {"tidak", "ya", "kah", "belum", "nggak", "gak", "ga", "enggak"}
LONG_STORY = 15  # tokens: a message this long that tells a known problem is a story, even with "gimana ini"
QUESTION_CUES = {"boleh", "bolehkah", "bisa", "bisakah", "apakah", "cara", "caranya", "mana", "dimana", "kemana",
                 "harus", "perlu", "wajib"}
QUESTIONABLE = {"pbi-inactive", "kks-lost-or-blocked"}  # problems a citizen also asks about
MAX_BRING = 5  # documents listed in a complaint reply before "ketik syarat"
PLACE_FILLER = {"saya", "di", "dari", "warga", "tinggal", "kabupaten", "kota", "kab", "bukan", "tapi", "tetapi",
                "bu", "pak", "ibu", "bapak", "mas", "mbak", "kak", "min", "bang", "dik", "nggih", "iya",
                "melainkan", "orang", "asli", "yang", "kalau", "untuk", "ya", "sih", "aku", "kami"}
CONTACT_WORDS = {"alamat", "telepon", "telp", "kontak", "nomor", "hp", "wa", "whatsapp", "email", "website",
                 "instagram", "lokasi", "kantor", "kantornya", "letak", "hubungi", "medsos"}
FOLLOW_UP = {"kalau", "kalo", "untuk", "buat", "terus", "lalu", "trus"}
DAY_WORDS = {"senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"}


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
        if chosen and chosen != "unknown" and state.agency and chosen != state.agency and told_elsewhere(turn, chosen):
            chosen = None  # "adik saya di sragen dapat, saya tidak": a place in a story is not where the citizen is
        if chosen == "unknown":
            return ask_agency(turn, question.text if question else "", unknown=True)
        if chosen:
            state.agency = chosen
            only_place = is_only_place(turn)
            if question is not None and question.kind == "agency":
                state.question = None
                if question.text and only_place:
                    return replay(turn, question.text)
            if only_place and question is None and state.aspect in ("hours", "contact") and followed_up(turn):
                reply = agency_answer(turn, turn.ctx.kb.agencies[chosen], state.aspect)  # "kalo yg sragen?"
                first = reply.messages[0]
                note = m.AGENCY_SET.format(region=turn.ctx.kb.agencies[chosen].region) + "\n\n"
                reply.messages[0] = OutboundMessage(note + first.text, first.choices, first.after)
                return reply
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
    """A problem told as a story, though no complaint phrase matched: the classifier is sure and the message does
    not ask about a named service, or fairly sure and it asks nothing at all ("sudah bisa daftar ... kah?" and
    "brp lama sampai cair" are questions), or it names two amounts (what was due and what came)."""
    if u.aspects and u.asks and len(u.tokens) < LONG_STORY:
        return False  # "nek wis mlebu dtks, suwene piro dino?": a question, however it is worded
    if u.story >= STORY_SURE and not (u.services and (u.aspects or u.asks)):
        return True
    asks = bool(u.aspects) or bool(u.services) or bool(set(u.tokens) & (WH_WORDS | {"kah", "apakah"}))
    if u.story >= STORY and not asks:
        return True
    return len(set(u.amounts)) >= 2 and u.story >= STORY_WITH_AMOUNTS


def problem_reported(u: Understanding) -> bool:
    """A known problem (lexicon "problems") is reported, not asked about: one that a service fixes is a question
    when the message asks an aspect ("syarat kks hilang") or reads like one."""
    if u.problem is None:
        return False
    if not u.problem.services or u.problem.name not in QUESTIONABLE:
        # "kks boleh diambilkan tetangga pakai surat kuasa?" asks what is allowed; a story tells what happened
        permission = u.asks and set(u.tokens) & QUESTION_CUES
        return not (permission and len(u.tokens) < LONG_STORY)
    asks = bool(set(u.tokens) & (WH_WORDS | ASKING)) or u.tokens[-1] in YES_NO_TAILS
    long_story = len(u.tokens) >= LONG_STORY and not set(u.tokens) & {"tanya", "bertanya", "nanya", "menanyakan"}
    if long_story and u.story >= STORY_WITH_AMOUNTS:
        return True
    return (not u.aspects and u.story >= STORY_WITH_AMOUNTS) or (u.story >= STORY_TOLD and not asks)


def understood(turn: Turn) -> Reply:
    state, u, text = turn.state, turn.u, turn.text
    agency = turn.ctx.agency(state)
    channel = next((s for s, _ in u.services if "pengaduan" in s.name.lower()), None)
    wants_service = u.complaint == "intent" and u.problem is None and u.services and (u.aspects or channel)
    if (u.complaint or problem_told(u) or problem_reported(u)) and not wants_service:
        # "mau lapor, syaratnya apa" about a named service, or "ngadu langsung ke kantor prosedurnya" (a complaint
        # channel that is a service of the standard) are questions; everything else here is a problem to report
        return complaint(turn, how_to=u.complaint == "intent" and u.problem is None)
    if u.other_office:
        return fallback(turn, u)
    if (u.problem is not None and agency is not None and not u.aspects
            and fixing_service(turn, agency, u.problem) is None):
        found = turn.ctx.reader.lines.first_with(agency.services, u.problem.standard)
        if found:  # asked about a problem the standard assigns to someone ("kks hilang gimana" in Sragen)
            return problem_answer(turn, agency, u.problem, *found)
    services = [(s, sc) for s, sc in u.services if agency is None or s.agency == agency.slug]
    aspects = [a for a in u.aspects if a != "detail"] or (["detail"] if "detail" in u.aspects else [])
    content_unknown = bool(u.unknown) or u.out_of_scope is not None
    kb = turn.ctx.kb

    if not services and state.service and not set(aspects) & {"hours", "contact", "fee", "duration"}:
        slug, sid = state.service.split("/", 1)
        context = kb.service(slug, sid) if agency is None or agency.slug == slug else None
        if context is not None:  # a narrow follow-up on the service just answered ("kalo surat polisi harus?")
            narrow = detail_asked(turn, context, aspects[0] if aspects else "overview")
            if narrow:
                return detail_answer(turn, Target(kb.agencies[slug], context), narrow)
            off_topic = u.out_of_scope or [w for w in u.unknown if w not in turn.ctx.lex.document_words]
            if is_yes_no(turn) and not off_topic and missing_document(turn, context):
                return answer(turn, Target(kb.agencies[slug], context), ["requirements"])

    if not services and state.service and not content_unknown and (aspects or u.variant_words):
        slug, sid = state.service.split("/", 1)
        if agency is None or agency.slug == slug:
            context = kb.service(slug, sid)
            if context and not (set(aspects) & {"hours", "contact"} and len(aspects) == 1):
                if not aspects and u.variant_words and state.aspect:
                    aspects = [state.aspect]
                return answer(turn, Target(kb.agencies[slug], context), aspects)

    office_asked = bool(set(aspects) & {"hours", "contact"})  # "alamat kantor dimana? mau urus bpjs"
    if not services and u.elsewhere and agency is not None and not u.out_of_scope and not office_asked:
        return not_here(turn, agency, u.elsewhere[0])
    if services:
        top = services[0][1]
        close = [s for s, sc in services if sc >= top * 0.85]
        agencies = list(dict.fromkeys(s.agency for s in close))
        if agency is None and len(agencies) > 1:
            if aspects[:1] == ["fee"] and all(s.free for s in close):
                return all_free(turn)  # "ngurus kks bayar ga?": free in every standard, no need to ask where
            return ask_agency(turn, text)
        if agency is None and len(kb.agencies) > 1:  # only one agency's standard has it: say whose, and ask
            owner = kb.agencies[agencies[0]]
            lead = m.ONLY_ONE_AGENCY.format(name=render.display_name(services[0][0]), agency=owner.short_name)
            turn.state.question = Question("agency", text=text)
            return turn.ctx.ask(lead, turn.ctx.agency_choices(), "clarify")
        same = [s for s in close if s.agency == agencies[0]]
        if len(same) > 1 and top - max(sc for s, sc in services[1:] if s.agency == agencies[0]) < 0.5:
            return ask_service(turn, same, aspects)
        chosen = services[0][0]
        inherit = state.aspect not in (None, "hours", "contact", "complaints")
        if not aspects and inherit and not u.variant_words and u.tokens[0] in FOLLOW_UP and len(u.tokens) <= 5:
            aspects = [state.aspect or "overview"]  # "kalo buat lks?" after the requirements of another service
        if "complaints" in aspects and "pengaduan" in chosen.name.lower():
            # "ngadu lewat e-lapor gimana / kapan dibalas": the channel is the service, its procedure the answer
            aspects = [a for a in aspects if a != "complaints"] or ["procedure"]
        if aspects == ["contact"] and not set(u.tokens) & CONTACT_WORDS:
            aspects = ["procedure"]  # "rekomendasinya ngurus dimana": where the service is done, its procedure
        if set(aspects) <= {"hours", "contact"} and aspects:
            narrow = detail_asked(turn, chosen, "requirements", keep_aspect_words=True) if is_yes_no(turn) else []
            if narrow:  # "perlu no hp sama email kah": a requirement, not the office's contacts
                return detail_answer(turn, Target(kb.agencies[chosen.agency], chosen), narrow)
            state.service = f"{chosen.agency}/{chosen.id}"
            return agency_answer(turn, kb.agencies[chosen.agency], aspects[0])
        return answer(turn, Target(kb.agencies[chosen.agency], chosen), aspects)

    day_asked = bool(set(u.tokens) & DAY_WORDS) and len(u.tokens) <= 5
    if agency is not None and not aspects and state.aspect in ("hours", "contact") and (
            day_asked or (u.tokens and u.tokens[0] in FOLLOW_UP and len(u.tokens) <= 4)):
        return agency_answer(turn, agency, state.aspect)  # "kalo jumat?" after the office hours
    lex = turn.ctx.lex
    agency_level = [a for a in aspects if a in lex.agency_aspects]
    tolerable = agency_level and agency_level[0] != "fee" and len(u.unknown) <= 1 and u.out_of_scope is None
    if not aspects or (content_unknown and not tolerable):
        return fallback(turn, u)
    if agency is None:
        if aspects[:1] == ["fee"] and all(s.free for a in kb.agencies.values() for s in a.services):
            return all_free(turn)
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
    if not aspects and u.variant_words:
        aspects = ["requirements"]  # "kalo kks yg hilang?": the variant's documents
    if not aspects:
        narrow = detail_asked(turn, service, "overview")
        if narrow:
            return detail_answer(turn, target, narrow)
        alias_words = {w for alias in [service.name, *service.aliases]
                       for w in turn.ctx.reader.tokens(alias, fuzzy=False)}
        found = field_aspect(service, u.tokens, STOPWORDS | COMMON_WORDS | alias_words)
        aspects = [found] if found else []
        guessed = True  # the aspect only guessed from the words: no narrower line than the overview found
    else:
        guessed = False
    aspect = aspects[0] if aspects else "overview"
    variants = set(u.variant_words) or set(state.variant if state.service == f"{agency.slug}/{service.id}" else [])
    narrow = [] if guessed else detail_asked(turn, service, aspect)
    if narrow:
        return detail_answer(turn, target, narrow)
    if aspect == "requirements" and is_yes_no(turn) and missing_document(turn, service):
        head, body = render.service_answer(agency, service, aspect, variants, lex.variants)
        state.service, state.aspect = f"{agency.slug}/{service.id}", aspect
        return paged(turn, head, [m.NOT_REQUIRED, *body], [render.source_line(agency, service)], "answer",
                     service=service.id, aspect=aspect, agency=agency.slug)
    head, body = render.service_answer(agency, service, aspect, variants, lex.variants)
    tokens = set(u.tokens)
    if is_yes_no(turn) and ({"dinas", "sosial"} <= tokens or "kantor" in tokens):  # "ganti kks bisa di dinsos?"
        head.append(m.YES_AT_OFFICE.format(agency=agency.short_name))
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


def content_words(turn: Turn, service: Service, *, keep_aspect_words: bool = False,
                  keep_aliases: bool = True) -> list[str]:
    """The message's own words: not function words, aspect words, place words or the service's name (nor, when
    nothing narrower is asked, the words that named the service: "anak ditangkap polisi" names ABH)."""
    reader = turn.ctx.reader
    name = set(reader.tokens(service.name, fuzzy=False))
    if not keep_aliases:
        present = set(turn.u.tokens)
        name |= {w for alias_service, toks in reader.aliases
                 if alias_service is service and set(toks) <= present for w in toks}
    aspect_words = set() if keep_aspect_words else turn.ctx.lex.aspect_words
    skip = ((STOPWORDS | COMMON_WORDS) - turn.ctx.lex.document_words) | name | aspect_words | reader.place_words
    named = {s for w in name for s in stems(w)}  # "didampingi" is the "Pendampingan" of the service's name
    short_ok = turn.ctx.lex.document_words  # "sk", "kk"
    return [t for t in turn.u.tokens if t not in skip and (len(t) >= 3 or t in short_ok) and not t.isdigit()
            and not stems(t) & named]


def detail_asked(turn: Turn, service: Service, aspect: str, *, keep_aspect_words: bool = False) -> list[Match]:
    """The lines of the standard a narrow question asks about, when their words are rare enough to be sure.
    A procedure is narrowed only by a narrow question ("dikirim ke mana?"), never by "prosedurnya gimana"."""
    fields = DETAIL_FIELDS.get(aspect)
    if fields is None or (aspect == "procedure" and not set(turn.u.tokens) & NARROW_WORDS):
        return []
    narrow_verb = aspect == "procedure"  # "dikirim ke mana": the verb is the question
    words = content_words(turn, service, keep_aspect_words=keep_aspect_words or narrow_verb,
                          keep_aliases=aspect != "overview")
    matches = turn.ctx.reader.lines.best_lines(service, words, fields[:1]) if aspect != "overview" else []
    if not matches or matches[0].score < DETAIL_MIN:  # the part asked first ("dapat surat apa": the products)
        matches = turn.ctx.reader.lines.best_lines(service, words, fields)
    if (not matches or matches[0].score < DETAIL_MIN) and aspect == "requirements" and is_yes_no(turn):
        # "harus buka rekening dulu kah?": not a document, but a step of the procedure may say it
        matches = turn.ctx.reader.lines.best_lines(service, words, ("procedure", "warnings"))
    narrow = bool(set(turn.u.tokens) & NARROW_WORDS)  # "siapa yang bagiin kks?": one act, asked by who/where
    if not matches or matches[0].score < (DETAIL_MIN_NARROW if narrow else DETAIL_MIN):
        return []
    tokens = set(turn.u.tokens)
    variant_words = {w for name in turn.u.variant_words for p in turn.ctx.lex.variants[name] if set(p) <= tokens
                     for w in p}
    if not matches[0].words - variant_words and aspect != "products":
        return []  # only a variant named ("kks hilang"): the variant's whole list answers it
    return matches


def detail_answer(turn: Turn, target: Target, matches: list[Match]) -> Reply:
    """The lines asked about first (with the documents under each, or the group it belongs to), then the rest of
    that part of the standard, paged."""
    agency, service = target.agency, target.service
    aspect = matches[0].line.field  # the fields searched are aspects of the same name
    head = [m.HEADING.format(title=m.TITLE[aspect], name=render.display_name(service))]
    yes = is_yes_no(turn) and aspect == "requirements" and not missing_document(turn, service)
    first = [m.YES_REQUIRED] if yes else []
    for match in matches:
        line = match.line
        first.append(m.DETAIL_LINE.format(line=line.text))
        first += [f"   - {child}" for child in line.children]
        if line.parent:
            first.append(m.DETAIL_FOR.format(group=line.parent))
    state = turn.state
    same = state.service == f"{agency.slug}/{service.id}"
    variants = set(turn.u.variant_words) or set(state.variant if same else [])
    _, rest = render.service_answer(agency, service, aspect, variants, turn.ctx.lex.variants)
    state.service, state.aspect, state.variant = f"{agency.slug}/{service.id}", aspect, sorted(variants)
    return paged(turn, head, [*first, "", m.DETAIL_REST, *rest], [render.source_line(agency, service)], "answer",
                 service=service.id, aspect=aspect, agency=agency.slug)


def is_yes_no(turn: Turn) -> bool:
    """ "perlu bawa SK nggak", "harus ya?", "apakah wajib ...": a question answered by ya or tidak."""
    tokens = turn.u.tokens
    asks = bool(set(tokens) & YES_NO_WORDS) and not set(tokens) & WH_WORDS
    return asks and (turn.text.rstrip().endswith("?") or tokens[-1] in YES_NO_TAILS or tokens[0] == "apakah")


def missing_document(turn: Turn, service: Service) -> bool:
    """A document named that no line of the service's requirements mentions ("perlu SKCK nggak?")."""
    named = [w for w in content_words(turn, service) if w in turn.ctx.lex.document_words]
    match = turn.ctx.reader.lines.best(service, named, ("requirements",)) if named else None
    return bool(named) and (match is None or not set(named) <= match.words)


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
    turn.state.aspect = aspect
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
    """A problem told: empathy and what the office can do, the service that fixes it (or the standard's line on
    who handles it), and how to file a complaint. ``how_to``: the citizen only asked how to complain."""
    agency = turn.ctx.agency(turn.state)
    if agency is None:
        turn.state.question = Question("agency", text=turn.text)
        return turn.ctx.ask(m.COMPLAINT_NO_AGENCY, turn.ctx.agency_choices(), "complaint")
    channels = render.complaint_channels(agency)
    if how_to:
        turn.state.question = Question("complaint", text="")
        return turn.say(m.COMPLAINT_HOWTO.format(channels="\n".join(channels)), "complaint", agency=agency.slug)
    problem = turn.u.problem
    if problem is None and len(set(turn.u.amounts)) >= 2:  # what was due and what came
        problem = turn.ctx.lex.problems.get("less-than-announced")
    lines = [m.PROBLEM_EMPATHY.get(problem.name, m.COMPLAINT_EMPATHY) if problem else m.COMPLAINT_EMPATHY]
    fixing = fixing_service(turn, agency, problem) if problem else None
    if fixing is not None and problem is not None:
        variants = set(turn.u.variant_words) or ({problem.variant} if problem.variant else set())
        items = render.documents_for(fixing, variants, turn.ctx.lex.variants)
        summary = m.SUMMARY_LINE.format(duration=render.duration_short(fixing), fee=render.fee_short(fixing))
        lines += ["", m.PROBLEM_SERVICE.format(name=render.display_name(fixing), summary=summary.rstrip("."))]
        if items:
            lines += [m.PROBLEM_BRING, *render.numbered(items[:MAX_BRING])]
        if len(items) > MAX_BRING or len(items) < len(fixing.items("requirements")):
            lines.append(m.PROBLEM_MORE_ITEMS)
        turn.state.service = f"{agency.slug}/{fixing.id}"
        turn.state.variant = sorted(variants)
    else:
        turn.state.service, turn.state.variant = None, []
    if fixing is None and problem is not None:
        found = turn.ctx.reader.lines.first_with(agency.services, problem.standard)
        if found:
            lines += ["", m.PROBLEM_STANDARD.format(agency=agency.short_name, line=found[1])]
    lines += ["", m.COMPLAINT_CHANNELS.format(channels="\n".join(render.shortest_channels(channels))),
              m.COMPLAINT_SAFE]
    turn.state.question = Question("complaint", text=turn.text)  # "ya" starts the form with this story
    return turn.say("\n".join(lines), "complaint", agency=agency.slug,
                    service=fixing.id if fixing is not None else None)


def problem_answer(turn: Turn, agency: Agency, problem: Problem, service: Service, line: str) -> Reply:
    """What the agency's standard says about a problem asked about, first; where to complain after."""
    title = m.PROBLEM_TITLE.get(problem.name, m.TITLE["procedure"])
    text = "\n".join([m.PROBLEM_ANSWER.format(title=title, agency=agency.short_name, line=line), "",
                      m.PROBLEM_ANSWER_NEXT, render.source_line(agency, service)])
    turn.state.service, turn.state.variant = f"{agency.slug}/{service.id}", []
    return turn.say(text, "answer", service=service.id, aspect="procedure", agency=agency.slug)


def fixing_service(turn: Turn, agency: Agency, problem: Problem) -> Service | None:
    """The agency's service that fixes the problem: one whose names hold all the words of a problem's entry."""
    for words in problem.services:
        for service, toks in turn.ctx.reader.aliases:
            if service.agency == agency.slug and set(words) <= set(toks):
                return service
    return None


def all_free(turn: Turn) -> Reply:
    """Every service of every standard we hold is free: say so without asking the region."""
    regions = ", ".join(a.region for a in turn.ctx.kb.agencies.values())
    return turn.say(m.ALL_FREE.format(regions=regions), "answer", aspect="fee")


def not_here(turn: Turn, agency: Agency, other: Service) -> Reply:
    """A service another agency's standard has, asked of this one: say so, never answer with a service of ours."""
    owner = turn.ctx.kb.agencies[other.agency]
    text = m.NOT_HERE.format(name=render.display_name(other), agency=agency.short_name, owner=owner.short_name)
    return turn.say(text, "fallback", agency=agency.slug)


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


def followed_up(turn: Turn) -> bool:
    tokens = turn.u.tokens
    return bool(tokens) and tokens[0] in FOLLOW_UP | {"yang"}


def told_elsewhere(turn: Turn, place: str) -> bool:
    """A story that names another place (``place``, an agency), without the citizen saying they live there
    ("kakak saya di sragen dapat, saya di sini tidak" stays; "saya warga sragen" moves)."""
    u = turn.u
    if not (u.complaint or u.problem or problem_told(u)):
        return False
    names = "|".join(" ".join(toks) for slug, toks in turn.ctx.reader.places if slug == place)
    lead = r"(?:^|\b(?:maaf|permisi|pak|bu|min|kak|dan|tapi|karena|soalnya|kalau|kebetulan|jadi|padahal|ya) )"
    lives = (rf"{lead}(?:saya|aku|kami|sy)(?: \w+){{0,2}} (?:di|dari|warga|orang|tinggal di|asli)(?: \w+)?"
             rf" (?:{names})\b")
    return not re.search(lives, u.text)


def is_only_place(turn: Turn) -> bool:
    u = turn.u
    rest = [t for t in u.tokens if t not in turn.ctx.reader.place_words and t not in PLACE_FILLER]
    return not rest or u.number is not None
