"""The pengaduan form in the chat: consent, the questions not answered yet, the photos of the documents, a
summary, then ``kirim``.

Pure like every handler: it keeps what the citizen gave in ``state.form`` (the NIK sealed, never in clear) and,
on ``kirim``, returns an ``OpenCase`` effect that the host carries out in the transaction of the reply. One
question per message; ``batal`` forgets everything at any step; a question asked in the middle ("syaratnya
apa?") is answered and the form asks its question again.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.domain.calendar import calendar_for
from bot.domain.dates import local_moment
from bot.domain.documents import ACCEPTED_TYPES
from bot.domain.nik import NikError, parse_nik
from bot.domain.phone import InvalidPhone, to_e164
from bot.domain.procedure import procedure_for
from bot.domain.tickets import agency_code, new_ticket
from handlers import messages as m
from handlers import render
from handlers.answers import fixing_service
from handlers.context import Turn
from handlers.effects import OpenCase, PhotoRef
from handlers.subscription import SHARE_PHONE
from handlers.types import Choice, FormState, OutboundMessage, Reply
from knowledge.model import Agency, item_children, item_text

NAME = "pengaduan"
EXPIRES = timedelta(hours=24)
START_WORDS = {"lapor", "mau lapor", "mau ngadu", "mau mengadu", "ngadu", "buat pengaduan",
               "buat laporan", "isi pengaduan", "ajukan pengaduan", "catat pengaduan", "mulai pengaduan", "/lapor"}
START_KEY = "lapor"  # the button offered after a recognised complaint
YES = {"ya", "iya", "y", "yes", "ok", "oke", "boleh", "mau", "iya mau", "ya mau", "baik", "siap", "setuju"}
NO = {"tidak", "tdk", "gak", "ga", "nggak", "enggak", "no", "tidak mau", "tidak setuju", "ndak", "mboten"}
CANCEL = {"batal", "batalkan", "cancel", "/batal", "reset", "berhenti isi", "stop", "berhenti"}
SKIP = {"lewati", "lewat", "skip", "tidak ada", "gak ada", "ga ada", "belum ada", "nanti"}
SEND = {"kirim", "kirimkan", "submit", "/kirim"}
EDIT = {"ubah", "ganti", "edit", "koreksi", "perbaiki"}
WH = {"apa", "apakah", "gimana", "bagaimana", "gmn", "berapa", "brp", "kapan", "dimana", "mana", "kenapa",
      "mengapa", "siapa", "bisakah", "bolehkah"}
PASS_THROUGH = {"menu", "status", "petugas", "lanjut", "jam buka", "alamat"}

# What the complaint is about: the lexicon's problems grouped as a citizen would choose them.
TOPICS = ("kks", "not-received", "aid-cut", "card-held", "not-registered", "pbi", "conduct", "other")
TOPIC_OF_PROBLEM = {"kks-lost-or-blocked": "kks", "card-not-given": "kks", "not-received": "not-received",
                    "aid-cut": "aid-cut", "less-than-announced": "aid-cut", "card-held": "card-held",
                    "not-registered": "not-registered", "pbi-inactive": "pbi", "queue": "conduct",
                    "delay": "conduct", "conduct": "conduct"}
PROBLEM_OF_TOPIC = {"kks": "kks-lost-or-blocked", "not-received": "not-received", "aid-cut": "aid-cut",
                    "card-held": "card-held", "not-registered": "not-registered", "pbi": "pbi-inactive",
                    "conduct": "conduct"}

# Documents a citizen can photograph, found in a service's requirement lines by their words (first match wins).
DOCUMENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("KTP", re.compile(r"\b(?:ktp|kartu tanda penduduk|e-ktp)\b", re.I)),
    ("Kartu Keluarga (KK)", re.compile(r"\b(?:kk|kartu keluarga)\b", re.I)),
    ("Kartu KKS", re.compile(r"\b(?:kks|kartu keluarga sejahtera|kartu kombo)\b", re.I)),
    ("Buku tabungan", re.compile(r"\bbuku tabungan\b", re.I)),
    ("Surat kehilangan dari kepolisian", re.compile(r"\b(?:kepolisian|polisi|polsek|polres)\b", re.I)),
    ("Kartu BPJS/KIS", re.compile(r"\b(?:kartu (?:bpjs|kis|jkn)|kis)\b", re.I)),
    ("Surat keterangan tidak mampu (SKTM)", re.compile(r"\b(?:sktm|tidak mampu)\b", re.I)),
    ("Akta/surat kematian", re.compile(r"\b(?:akte?a? kematian|surat kematian)\b", re.I)),
)
TOPIC_DOCUMENTS = {"kks": ["Kartu KKS"], "not-received": ["Kartu KKS", "Buku tabungan"],
                   "aid-cut": ["Kartu KKS", "Buku tabungan"], "pbi": ["Kartu BPJS/KIS"]}
BASE_DOCUMENTS = ["KTP", "Kartu Keluarga (KK)"]
MAX_ITEMS = 5
MAX_EXTRA = 3  # photos beyond the checklist, kept as "Dokumen tambahan"
MAX_DECLARED_BYTES = 20 * 1024 * 1024

# The questions, in order; a step already answered is passed.
STEPS = ("consent", "agency", "topic", "name", "nik", "kecamatan", "desa", "description", "phone", "photos",
         "summary")
EDITABLE = ("topic", "name", "nik", "kecamatan", "desa", "description", "photos")


def starts(turn: Turn) -> bool:
    """``lapor`` and its kin, the button after a complaint, or *ya* to "Mau kami catat sebagai pengaduan?"."""
    said = turn.said
    if said in START_WORDS or turn.words in START_WORDS:
        return True
    if said == "pengaduan" and turn.state.service is None:  # with a service in view it asks that service's channels
        return True
    question = turn.state.question
    return question is not None and question.kind == "complaint" and said in YES


class ComplaintForm:
    def matches(self, turn: Turn) -> bool:
        form = turn.state.form
        if form is not None and form.name == NAME:
            return True
        return starts(turn) or turn.said in SEND

    def handle(self, turn: Turn) -> Reply:
        state = turn.state
        now = turn.ctx.clock()
        form = state.form
        if form is not None and form.expires_at is not None and form.expires_at <= now:
            state.form = None  # abandoned: nothing personal is kept
            if not starts(turn):
                reply = turn.ctx.dispatch(turn)
                reply.messages.insert(0, OutboundMessage(m.FORM_EXPIRED))
                return reply
            form = None
        if form is None:
            if not starts(turn):  # "kirim" with no form: a second kirim, or one before anything was asked
                return turn.say(m.FORM_NOTHING_TO_SEND, "form")
            return begin(turn, now)
        form.expires_at = now + EXPIRES
        if turn.said in CANCEL:
            state.form = None
            return turn.say(m.FORM_CANCELLED, "form")
        step: Callable[[Turn, dict[str, Any]], Reply] = STEP_HANDLERS[form.step]
        return step(turn, form.data)


def begin(turn: Turn, now: datetime) -> Reply:
    question = turn.state.question
    story = question.text if question is not None and question.kind == "complaint" else ""
    turn.state.question = None
    data: dict[str, Any] = {"story": story}
    read = turn.ctx.reader.read(story) if story else None
    problem = read.problem if read is not None else None
    if read is not None and read.variant_words:
        data["variant"] = sorted(read.variant_words)
    if problem is not None and problem.name in TOPIC_OF_PROBLEM:
        data["topic"] = TOPIC_OF_PROBLEM[problem.name]
    if turn.msg.phone:
        data["phone"] = turn.msg.phone
    turn.state.form = FormState(NAME, "consent", data, now + EXPIRES)
    agency = turn.ctx.agency(turn.state)
    channels = render.shortest_channels(render.complaint_channels(agency)) if agency else [m.NATIONAL_CHANNEL]
    text = m.FORM_CONSENT.format(channels="\n".join(channels))
    choices = (Choice("setuju", m.FORM_CONSENT_YES), Choice("tidak", m.FORM_CONSENT_NO))
    return Reply([OutboundMessage(text, choices)], "complaint", agency=turn.state.agency)



def asks_something(turn: Turn, *, free_text: bool = False) -> bool:
    """The citizen asked a question instead of answering ours ("syaratnya apa?", "jam buka kantor?"). Where the
    answer is free text (a name, a village), a word that names an aspect is not enough: "Warga Hp" and
    "Desa Alamat Jaya" are answers; a question mark or a question word is needed."""
    if turn.said in PASS_THROUGH:
        return True
    u = turn.u
    asked = "?" in turn.msg.text or bool(set(u.tokens) & WH)
    return asked or (bool(u.aspects) and not free_text)


def aside(turn: Turn, data: dict[str, Any]) -> Reply:
    """Answer a question asked in the middle, then ask the form's question again."""
    form = turn.state.form
    assert form is not None
    turn.state.form = None
    try:
        reply = turn.ctx.dispatch(turn)
    finally:
        if turn.state.form is None and not turn.state.handed_off:
            turn.state.form = form
    if turn.state.handed_off:  # "petugas" in the middle: the officer takes it from here, the form is dropped
        return reply
    again = ask_step(turn, data)
    reply.messages.append(OutboundMessage(m.FORM_RESUME + "\n" + again.messages[0].text,
                                          again.messages[0].choices))
    return reply


def advance(turn: Turn, data: dict[str, Any]) -> Reply:
    """Go to the next question not answered yet (or back to the summary after a correction)."""
    form = turn.state.form
    assert form is not None
    if data.pop("editing", False):
        form.step = "summary"
        return ask_step(turn, data)
    position = STEPS.index(form.step)
    for step in STEPS[position + 1:]:
        if not answered(turn, data, step):
            form.step = step
            break
    return ask_step(turn, data)


def answered(turn: Turn, data: dict[str, Any], step: str) -> bool:
    if step == "agency":
        return turn.state.agency is not None
    if step == "description":
        return bool(data.get("description") or data.get("story"))
    if step == "phone":
        return turn.msg.channel != "telegram" or "phone" in data
    if step == "photos":
        return "items" in data and data.get("item", 0) >= len(data["items"])
    if step == "summary":
        return False
    return step in data


def ask_step(turn: Turn, data: dict[str, Any]) -> Reply:
    form = turn.state.form
    assert form is not None
    step = form.step
    if step == "consent":
        return turn.ctx.ask(m.FORM_CONSENT_AGAIN, [Choice("setuju", m.FORM_CONSENT_YES),
                                                   Choice("tidak", m.FORM_CONSENT_NO)], "form")
    if step == "agency":
        return turn.ctx.ask(m.FORM_ASK_AGENCY, turn.ctx.agency_choices(), "form")
    if step == "topic":
        choices = [Choice(str(i), m.FORM_TOPICS[t]) for i, t in enumerate(TOPICS, 1)]
        return turn.ctx.ask(m.FORM_ASK_TOPIC, choices, "form", agency=turn.state.agency)
    if step == "photos":
        if "items" not in data:
            data["service"] = topic_service(turn, turn.ctx.agency(turn.state), data["topic"])
            data["items"], data["item"], data["photos"] = checklist(turn, data), 0, []
        index = data["item"]
        if index >= len(data["items"]):
            form.step = "summary"
            return ask_step(turn, data)
        item = data["items"][index]
        lead = m.FORM_PHOTOS_LIST.format(items="\n".join(f"• {i}" for i in data["items"])) + "\n\n" if index == 0 \
            else ""
        return turn.say(lead + m.FORM_ASK_PHOTO.format(item=item, n=index + 1, total=len(data["items"])), "form")
    if step == "summary":
        return summary(turn, data)
    if step == "phone":
        return Reply([OutboundMessage(m.FORM_ASK_PHONE, (Choice(SHARE_PHONE, m.SHARE_PHONE_BUTTON),
                                                         Choice("lewati", m.FORM_SKIP)))], "form",
                     agency=turn.state.agency)
    return turn.say(m.FORM_ASK[step], "form")


def checklist(turn: Turn, data: dict[str, Any]) -> list[str]:
    """The documents to photograph: those the fixing service's requirements name, else the topic's usual ones,
    always with the KTP and KK first."""
    names: list[str] = list(BASE_DOCUMENTS)
    agency = turn.ctx.agency(turn.state)
    service = agency.service(data["service"]) if agency and data.get("service") else None
    items = render.documents_for(service, set(data.get("variant", [])), turn.ctx.lex.variants) if service else []
    lines = [item_text(child) for item in items for child in [item, *item_children(item)]]
    for line in lines:
        for name, pattern in DOCUMENTS:
            if pattern.search(line) and name not in names:
                names.append(name)
                break
    lost = "hilang" in data.get("variant", [])
    for name in TOPIC_DOCUMENTS.get(data.get("topic", ""), []):
        if name not in names and not (lost and name == "Kartu KKS"):
            names.append(name)
    return names[:MAX_ITEMS]


def summary(turn: Turn, data: dict[str, Any]) -> Reply:
    agency = turn.ctx.agency(turn.state)
    photos = [p["item"] for p in data.get("photos", []) if p.get("source")]
    missing = [p["item"] for p in data.get("photos", []) if not p.get("source")]
    lines = [m.FORM_SUMMARY_HEAD,
             m.FORM_SUMMARY_LINE.format(label="Wilayah", value=agency.region if agency else "-"),
             m.FORM_SUMMARY_LINE.format(label="Masalah", value=m.FORM_TOPICS[data["topic"]]),
             m.FORM_SUMMARY_LINE.format(label="Nama", value=data["name"]),
             m.FORM_SUMMARY_LINE.format(label="NIK", value=data["nik_masked"]),
             m.FORM_SUMMARY_LINE.format(label="Kecamatan", value=data["kecamatan"]),
             m.FORM_SUMMARY_LINE.format(label="Desa/Kelurahan", value=data["desa"]),
             m.FORM_SUMMARY_LINE.format(label="Uraian", value=_cut(description(data), 300))]
    if data.get("phone"):
        lines.append(m.FORM_SUMMARY_LINE.format(label="Nomor HP", value=data["phone"]))
    lines.append(m.FORM_SUMMARY_LINE.format(label="Foto", value=", ".join(photos) or "-"))
    if missing:
        lines.append(m.FORM_SUMMARY_LINE.format(label="Belum ada", value=", ".join(missing)))
    choices = (Choice("kirim", m.FORM_SEND), Choice("ubah", m.FORM_EDIT), Choice("batal", m.FORM_CANCEL))
    return Reply([OutboundMessage("\n".join(lines), choices, m.FORM_SUMMARY_TAIL)], "form",
                 agency=turn.state.agency)


def description(data: dict[str, Any]) -> str:
    return str(data.get("description") or data.get("story") or "")


# --- one function per step: read the answer, keep it, go on (or explain and ask again) ---

def on_consent(turn: Turn, data: dict[str, Any]) -> Reply:
    said = turn.said
    if said in {"setuju", "ya setuju", "saya setuju", "iya setuju"} or said in YES:
        data["consent"] = True
        return advance(turn, data)
    if said in NO:
        turn.state.form = None
        agency = turn.ctx.agency(turn.state)
        channels = render.shortest_channels(render.complaint_channels(agency)) if agency else [m.NATIONAL_CHANNEL]
        return turn.say(m.FORM_NO_CONSENT.format(channels="\n".join(channels)), "form")
    if asks_something(turn):
        return aside(turn, data)
    return ask_step(turn, data)


def on_agency(turn: Turn, data: dict[str, Any]) -> Reply:
    agencies = list(turn.ctx.kb.agencies)
    number = _number(turn)
    chosen = agencies[number - 1] if number is not None and 1 <= number <= len(agencies) else None
    if chosen is None:
        served = [p for p in turn.u.places if p in turn.ctx.kb.agencies]
        chosen = served[0] if served else None
    if chosen is None:
        if asks_something(turn):
            return aside(turn, data)
        return turn.ctx.ask(m.FORM_AGENCY_AGAIN, turn.ctx.agency_choices(), "form")
    turn.state.agency = chosen
    return advance(turn, data)


def on_topic(turn: Turn, data: dict[str, Any]) -> Reply:
    number = _number(turn)
    topic = TOPICS[number - 1] if number is not None and 1 <= number <= len(TOPICS) else None
    if topic is None:
        problem = turn.u.problem
        topic = TOPIC_OF_PROBLEM.get(problem.name) if problem is not None else None
    if topic is None:
        if asks_something(turn):
            return aside(turn, data)
        return ask_step(turn, data)
    data["topic"] = topic
    data.pop("service", None)
    if "items" in data and not data.get("photos"):
        data.pop("items")  # a checklist not started yet follows the new topic
    return advance(turn, data)


NAME_CHARS = re.compile(r"^[^\W\d_][\w .,'`’-]*$")


def on_name(turn: Turn, data: dict[str, Any]) -> Reply:
    name = " ".join(turn.msg.text.split()).strip(" .")
    if asks_something(turn, free_text=True):
        return aside(turn, data)
    if not 3 <= len(name) <= 120 or not NAME_CHARS.match(name) or sum(c.isdigit() for c in name):
        return turn.say(m.FORM_NAME_INVALID, "form")
    data["name"] = name.title() if name.isupper() or name.islower() else name
    return advance(turn, data)


def on_nik(turn: Turn, data: dict[str, Any]) -> Reply:
    text = turn.msg.text.strip()
    if not re.search(r"\d", text) and asks_something(turn):
        return aside(turn, data)
    try:
        nik = parse_nik(text, turn.ctx.clock().date())
    except NikError as error:
        return turn.say(m.FORM_NIK_PROBLEM[error.problem].format(length=error.length), "form")
    protector = turn.ctx.protector
    data["nik_sealed"] = base64.b64encode(protector.encrypt(nik.value.encode(), "nik")).decode()
    data["nik_masked"] = nik.masked()
    data["nik"] = True  # answered; the value itself is only ever kept sealed
    return advance(turn, data)


def on_place(field_name: str) -> Callable[[Turn, dict[str, Any]], Reply]:
    def on_field(turn: Turn, data: dict[str, Any]) -> Reply:
        value = " ".join(turn.msg.text.split()).strip(" .")
        if asks_something(turn, free_text=True):
            return aside(turn, data)
        if not 2 <= len(value) <= 80 or not re.search(r"[^\W\d_]", value):
            return turn.say(m.FORM_PLACE_INVALID.format(what=m.FORM_PLACE_NAMES[field_name]), "form")
        data[field_name] = value.title() if value.islower() or value.isupper() else value
        return advance(turn, data)
    return on_field


def on_description(turn: Turn, data: dict[str, Any]) -> Reply:
    text = turn.msg.text.strip()
    if len(text.split()) < 6 and asks_something(turn):  # "syaratnya apa?" is a question, not the story
        return aside(turn, data)
    if len(text.split()) < 3:
        return turn.say(m.FORM_DESCRIPTION_SHORT, "form")
    data["description"] = text[:2000]
    return advance(turn, data)


def on_phone(turn: Turn, data: dict[str, Any]) -> Reply:
    said = turn.said
    if turn.msg.shared_contact == "own" and turn.msg.phone:
        data["phone"] = turn.msg.phone
        return advance(turn, data)
    if turn.msg.shared_contact == "other":
        return turn.say(m.PHONE_NOT_OWN, "form")
    if said in SKIP:
        data["phone"] = None
        return advance(turn, data)
    try:
        data["phone"] = to_e164(turn.msg.text)
    except InvalidPhone:
        if asks_something(turn):
            return aside(turn, data)
        return turn.say(m.FORM_PHONE_INVALID, "form")
    return advance(turn, data)


def on_photos(turn: Turn, data: dict[str, Any]) -> Reply:
    items: list[str] = data["items"]
    said = turn.said
    if turn.msg.media:
        return take_photos(turn, data)
    if said in SKIP:
        data["photos"].append({"item": items[data["item"]], "source": None})
        data["item"] += 1
        return advance_photos(turn, data)
    if asks_something(turn):
        return aside(turn, data)
    return turn.say(m.FORM_PHOTO_EXPECTED.format(item=items[data["item"]]), "form")


def take_photos(turn: Turn, data: dict[str, Any]) -> Reply:
    """Each accepted file answers the next item of the checklist; files beyond it are kept as extra documents,
    up to MAX_EXTRA; what cannot be a document is named and refused."""
    items: list[str] = data["items"]
    refused: list[str] = []
    taken = 0
    replaced = None
    for media in turn.msg.media:
        kind = (media.declared_type or "").split(";")[0].strip().lower()
        if kind and kind not in ACCEPTED_TYPES:
            refused.append(m.FORM_MEDIA_KIND.get(kind.split("/")[0], kind))
            continue
        if media.declared_size is not None and media.declared_size > MAX_DECLARED_BYTES:
            refused.append(m.FORM_MEDIA_TOO_BIG)
            continue
        unreadable = next((p for p in data["photos"] if turn.state.retake and p.get("source") == turn.state.retake),
                          None)
        if unreadable is not None:  # the photo asked to be taken again: it replaces the first, the list stays
            unreadable["source"], unreadable["type"] = media.source, kind or None
            turn.state.retake, replaced = None, unreadable["item"]
            continue
        extra = sum(1 for p in data["photos"] if p["item"] == m.FORM_EXTRA_ITEM)
        if data["item"] < len(items):
            item = items[data["item"]]
            data["item"] += 1
        elif extra < MAX_EXTRA:
            item = m.FORM_EXTRA_ITEM
        else:
            refused.append(m.FORM_MEDIA_TOO_MANY)
            continue
        data["photos"].append({"item": item, "source": media.source, "type": kind or None})
        taken += 1
    notes = []
    if replaced:
        notes.append(m.FORM_PHOTO_REPLACED.format(item=replaced))
    if taken:
        notes.append(m.FORM_PHOTOS_TAKEN.format(n=taken))
    if refused:
        notes.append(m.FORM_MEDIA_REFUSED.format(what=", ".join(dict.fromkeys(refused))))
    reply = advance_photos(turn, data)
    if notes:
        first = reply.messages[0]
        reply.messages[0] = OutboundMessage("\n".join(notes) + "\n\n" + first.text, first.choices, first.after)
    return reply


def advance_photos(turn: Turn, data: dict[str, Any]) -> Reply:
    form = turn.state.form
    assert form is not None
    if data["item"] < len(data["items"]):
        return ask_step(turn, data)
    data.pop("editing", None)
    form.step = "summary"
    return ask_step(turn, data)


def on_summary(turn: Turn, data: dict[str, Any]) -> Reply:
    said = turn.said
    form = turn.state.form
    assert form is not None
    if said in SEND:
        return submit(turn, data)
    if said in EDIT:
        form.step = "edit"
        choices = [Choice(str(i), m.FORM_FIELDS[f]) for i, f in enumerate(EDITABLE, 1)]
        return turn.ctx.ask(m.FORM_ASK_EDIT, choices, "form")
    if turn.msg.media:  # one more document after the checklist
        return take_photos(turn, data)
    if asks_something(turn):
        return aside(turn, data)
    return summary(turn, data)


def on_edit(turn: Turn, data: dict[str, Any]) -> Reply:
    form = turn.state.form
    assert form is not None
    number = _number(turn)
    if number is None or not 1 <= number <= len(EDITABLE):
        choices = [Choice(str(i), m.FORM_FIELDS[f]) for i, f in enumerate(EDITABLE, 1)]
        return turn.ctx.ask(m.FORM_ASK_EDIT, choices, "form")
    field_name = EDITABLE[number - 1]
    data["editing"] = True
    if field_name == "photos":
        data["item"], data["photos"] = 0, []
        data.pop("items", None)
    form.step = field_name
    return ask_step(turn, data)


def submit(turn: Turn, data: dict[str, Any]) -> Reply:
    """``kirim``: the case is opened by the host (``OpenCase``); the citizen gets the ticket, the steps and the
    expected completion in the office's local time."""
    agency = turn.ctx.agency(turn.state)
    assert agency is not None
    now = turn.ctx.clock()
    procedure = procedure_for(agency)
    calendar, _ = calendar_for(agency, turn.ctx.closed_days(agency.slug))
    due = procedure.due_times(calendar, now)
    ticket = new_ticket(agency_code(agency.slug))
    photos = tuple(PhotoRef(p["item"], p.get("source"), p.get("type")) for p in data.get("photos", []))
    effect = OpenCase(ticket=ticket, agency=agency.slug, topic=data["topic"], service=data.get("service"),
                      name=data["name"], nik_sealed=data["nik_sealed"], kecamatan=data["kecamatan"],
                      desa=data["desa"], description=description(data), phone=data.get("phone"), photos=photos,
                      opened_at=now)
    turn.state.form = None
    steps = "\n".join(f"{i}. {s.name}" for i, s in enumerate(procedure.steps, 1))
    text = m.FORM_SUBMITTED.format(ticket=ticket, steps=steps, due=local_moment(due[-1], agency.timezone),
                                   agency=agency.short_name)
    return Reply([OutboundMessage(text)], "complaint-filed", agency=agency.slug, service=data.get("service"),
                 effects=[effect])


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _number(turn: Turn) -> int | None:
    said = turn.said
    return int(said) if said.isdigit() and len(said) <= 2 else None


def topic_service(turn: Turn, agency: Agency | None, topic: str) -> str | None:
    """The agency's service that fixes the topic's problem (its requirements give the photo checklist)."""
    problem = turn.ctx.lex.problems.get(PROBLEM_OF_TOPIC.get(topic, ""))
    if agency is None or problem is None:
        return None
    service = fixing_service(turn, agency, problem)
    return service.id if service is not None else None


STEP_HANDLERS = {
    "consent": on_consent, "agency": on_agency, "topic": on_topic, "name": on_name, "nik": on_nik,
    "kecamatan": on_place("kecamatan"), "desa": on_place("desa"), "description": on_description,
    "phone": on_phone, "photos": on_photos, "summary": on_summary, "edit": on_edit,
}
