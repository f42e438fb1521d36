"""Read an informal Indonesian message: which service, which aspect, which place, what kind of message.

Pure functions over the lexicon (knowledge/lexicon.yaml) and the loaded knowledge base; no I/O after load.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from knowledge.amounts import amounts
from knowledge.intents import IntentModel
from knowledge.lines import Lines, stems
from knowledge.model import KnowledgeBase, Service
from knowledge.text import clean_text

LEXICON = Path(__file__).resolve().parent / "lexicon.yaml"

# Function words and everyday words: never evidence that a message is off-topic.
STOPWORDS = set(
    """
saya anda kamu kami kita dia mereka bapak ibu pak bu bpk mas mbak kak adik min admin gan sis om yang dan
atau dengan untuk dari ke di pada dalam oleh karena kalau jika apabila agar supaya tapi tetapi namun juga
saja sama lagi sudah belum tidak bukan ya iya ok oke okay baik apa apakah siapa mana dimana kemana
bagaimana berapa kapan kenapa mengapa gimana tolong mohon minta bisa dapat boleh harus perlu mau ingin
akan sedang masih ada adalah ini itu tersebut tsb nya lah kah dong deh sih kok nih tuh loh lho kan pun
jadi terus lalu kemudian setelah sebelum saat waktu sekarang nanti besok kemarin hari ini tadi info
informasi tanya bertanya nanya menanyakan numpang izin permisi maaf terima kasih selamat pagi siang sore
malam halo hai hallo assalamualaikum salam wr wb kakak sayang the a an of to is dinas sosial kantor
layanan pelayanan program bantuan bansos urus surat keterangan rekomendasi daftar mendaftar terdaftar
data warga masyarakat penerima kpm keluarga orang anak kartu punya memiliki sekali banget sangat lebih
kurang semua setiap tiap satu dua tiga seperti begitu begini soal tentang mengenai hal terkait via lewat
pakai pake gunakan mendapatkan mendapat dapatkan menerima terima kabupaten kota kecamatan desa kelurahan
daerah wilayah tinggal dari sini sana situ
""".split()
)

# Everyday words that say nothing about the topic (days, times, common verbs): known, never off-topic.
COMMON_WORDS = set(
    """
senin selasa rabu kamis jumat sabtu minggu pukul jam menit detik bulan tahun minggu pekan tanggal besok lusa
sampai hingga mulai buka tutup libur masuk keluar pulang pergi datang ambil bawa kirim antar tunggu lama cepat
sudah pernah baru lama tadi nanti kapan sekarang hari ini kemarin pagi siang sore malam tengah awal akhir
bisa boleh harus wajib perlu mau coba tolong bantu dibantu membantu kasih beri diberi memberi minta dapat
tahu kenal lihat cek periksa dicek tanya bilang kata katanya benar salah betul bener masih lagi juga cuma hanya
sendiri sendirian bersama kami keluarga istri suami anak ayah ibu nenek kakek orang tua adik kakak cucu
rumah kampung jalan pasar sekolah kerja kantor desa kelurahan kecamatan kabupaten kota provinsi rt rw
nomor hp telepon uang rupiah ribu juta rb jt banyak sedikit semua sebagian satu dua tiga empat lima
baik buruk bagus susah mudah sulit ribet gampang penting darurat segera tolong kasihan miskin mampu tidak
kenapa mengapa karena sebab supaya agar lewat via pakai online langsung offline datang antri antrian
""".split()
)

# Pure function words: dropped from service aliases (domain words like "bantuan" or "anak" are kept).
FUNCTION_WORDS = {"dan", "atau", "yang", "di", "ke", "dari", "untuk", "dengan", "bagi", "saya", "pada", "oleh"}

GENERIC = {
    "layanan", "pelayanan", "surat", "dan", "atau", "bagi", "dengan", "untuk", "sosial", "program",
    "bantuan", "dinas", "keterangan", "rekomendasi", "data", "terpadu", "kesejahteraan", "yang",
}


@dataclass
class Problem:
    """A problem a service can fix (``lexicon.yaml`` "problems"): how citizens tell it, and that service's words."""

    name: str
    patterns: list[re.Pattern[str]]
    services: list[list[str]]  # alias words of the fixing service, best first
    standard: list[list[str]] = field(default_factory=list)  # words of the standard's line on who handles it
    variant: str | None = None  # the variant of the fixing service's requirements that applies


@dataclass
class Lexicon:
    slang: dict[tuple[str, ...], list[str]]
    aspects: dict[str, list[list[str]]]
    agency_aspects: list[str]
    variants: dict[str, list[list[str]]]
    service_aliases: dict[str, dict[str, list[str]]]
    complaint_strong: list[re.Pattern[str]]
    complaint_intent: list[re.Pattern[str]]
    out_of_scope: list[tuple[re.Pattern[str], str]]
    other_office: list[re.Pattern[str]] = field(default_factory=list)  # out of scope even if a service matches
    problems: dict[str, Problem] = field(default_factory=dict)
    document_words: set[str] = field(default_factory=set)  # documents citizens name ("sk", "skck", "materai")
    vocab: set[str] = field(default_factory=set)

    @cached_property
    def aspect_words(self) -> set[str]:
        return {w for phrases in self.aspects.values() for p in phrases for w in p}

    @classmethod
    def load(cls, path: Path = LEXICON) -> Lexicon:
        raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        slang = {tuple(str(k).split()): str(v).split() for k, v in raw["slang"].items()}
        aspects = {a: [p.split() for p in phrases] for a, phrases in raw["aspects"].items()}
        variants = {v: [p.split() for p in words] for v, words in raw["variants"].items()}
        lex = cls(
            slang=slang,
            aspects=aspects,
            agency_aspects=list(raw["agency_aspects"]),
            variants=variants,
            service_aliases={a: {s: list(v) for s, v in m.items()} for a, m in raw["services"].items()},
            complaint_strong=[re.compile(p) for p in raw["complaint"]["strong"]],
            complaint_intent=[re.compile(p) for p in raw["complaint"]["intent"]],
            out_of_scope=[(re.compile(o["pattern"]), o["hint"]) for o in raw["out_of_scope"]],
            other_office=[re.compile(o["pattern"]) for o in raw["out_of_scope"] if o.get("other_office")],
            problems={name: Problem(name, [re.compile(p) for p in spec["patterns"]],
                                    [list(words) for words in spec.get("services") or []],
                                    [list(words) for words in spec.get("standard") or []], spec.get("variant"))
                      for name, spec in (raw.get("problems") or {}).items()},
            document_words=set(raw.get("documents") or []),
        )
        words: set[str] = set(STOPWORDS) | COMMON_WORDS
        for _key, value in slang.items():
            words.update(value)
        for phrases in list(aspects.values()) + list(variants.values()):
            for p in phrases:
                words.update(p)
        for per_agency in lex.service_aliases.values():
            for alias_list in per_agency.values():
                for alias in alias_list:
                    words.update(alias.split())
        problem_patterns = [p for problem in lex.problems.values() for p in problem.patterns]
        for pattern in lex.complaint_strong + lex.complaint_intent + problem_patterns:
            words.update(re.findall(r"[a-z]{3,}", pattern.pattern))
        lex.vocab = words
        return lex


@dataclass
class Understanding:
    """What one message says, before the conversation's context is applied."""

    text: str
    tokens: list[str]
    aspects: list[str]
    services: list[tuple[Service, float]]
    places: list[str]
    variant_words: set[str]
    complaint: str | None  # "strong" (a reported problem) or "intent" (wants to file one)
    out_of_scope: str | None
    unknown: list[str]
    number: int | None
    kind: dict[str, float] = field(default_factory=dict)  # the classifier: complaint / question / other
    problem: Problem | None = None  # a problem a service of the standard fixes
    amounts: list[int] = field(default_factory=list)  # money named, in rupiah
    elsewhere: list[Service] = field(default_factory=list)  # services named that only other agencies have
    other_office: bool = False  # a subject another office handles, whatever service words it shares ("bpjs tk")
    asks: bool = False  # written as a question: "?", a question word, "-kah"

    @property
    def story(self) -> float:
        """How much the message reads like a problem being reported (0-1)."""
        return self.kind.get("complaint", 0.0)


class Reader:
    """Understands messages against one knowledge base."""

    def __init__(self, kb: KnowledgeBase, lexicon: Lexicon, intents: IntentModel | None = None) -> None:
        self.kb = kb
        self.lex = lexicon
        self.intents = intents or IntentModel.load()
        self.vocab = set(lexicon.vocab)
        self.aliases: list[tuple[Service, list[str]]] = []
        aspect_words = {p[0] for ps in lexicon.aspects.values() for p in ps if len(p) == 1}
        for agency in kb.agencies.values():
            for service in agency.services:
                names = [*service.aliases, service.name]
                for alias in names:
                    toks = [t for t in self.tokens(alias, fuzzy=False) if t not in FUNCTION_WORDS]
                    if alias == service.name:
                        toks = [t for t in toks if t not in GENERIC]
                    if toks and not set(toks) <= aspect_words:
                        self.aliases.append((service, _compounds(toks)))
                        self.vocab.update(toks)
        df: dict[str, set[str]] = {}
        for service, toks in self.aliases:
            for t in toks:
                df.setdefault(t, set()).add(f"{service.agency}/{service.id}")
        n = max(1, len({f"{s.agency}/{s.id}" for s, _ in self.aliases}))
        self.idf = {t: math.log(1 + n / len(ids)) for t, ids in df.items()}
        self.places: list[tuple[str, list[str]]] = sorted(
            ((a.slug, self.tokens(p, fuzzy=False)) for a in kb.agencies.values() for p in a.places),
            key=lambda x: -len(x[1]),
        )
        for _, toks in self.places:
            self.vocab.update(toks)
        self.lines = Lines(kb, lambda text: self.tokens(text, fuzzy=False))
        self.place_words = {t for _, toks in self.places for t in toks}
        self._fuzzy_vocab = sorted(w for w in self.vocab if len(w) >= 4 and not w.isdigit())
        # Abbreviations citizens type without vowels ("syrt", "trna") -> the one domain word with that skeleton.
        skeletons: dict[str, set[str]] = {}
        domain = {w for _, toks in self.aliases for w in toks}
        domain |= {w for ps in lexicon.aspects.values() for p in ps for w in p}
        for w in domain:
            if len(w) >= 4 and w.isalpha():
                skeletons.setdefault(_skeleton(w), set()).add(w)
        self._skeletons = {k: sorted(v) for k, v in skeletons.items() if len(k) >= 3}
        # Letters heard or typed alike ("adobsi", "bpmt", "karang tarona"): one domain word per sound.
        sounds: dict[str, set[str]] = {}
        for w in self._fuzzy_vocab:
            sounds.setdefault(_sound(w), set()).add(w)
        self._sounds = {k: next(iter(v)) for k, v in sounds.items() if len(v) == 1}

    # --- tokens ---------------------------------------------------------------------------

    def tokens(self, text: str, *, fuzzy: bool = True) -> list[str]:
        text = clean_text(text).lower()
        text = re.sub(r"https?://\S+", " ", text)
        text = re.sub(r"\be[\s-]?(lapor|wallet|warong|warung|ktp)\b", r"e-\1", text)
        text = re.sub(r"\b([a-z]{3,})-\1\b", r"\1", text)
        text = re.sub(r"\b([a-z]{3,})2\b", r"\1", text)
        text = re.sub(r"([a-z])\1{2,}", r"\1", text)
        raw = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text)
        out: list[str] = []
        i = 0
        while i < len(raw):
            for size in (3, 2, 1):
                key = tuple(raw[i : i + size])
                if len(key) == size and key in self.lex.slang:
                    out.extend(self.lex.slang[key])
                    i += size
                    break
            else:
                word = self._word(raw[i], fuzzy)
                expanded = self.lex.slang.get((word,), [word]) if word != raw[i] else [word]
                out.extend(expanded if len(expanded) > 1 else [word])  # "adobsi" -> adopsi -> pengangkatan anak
                i += 1
        return [t for t in out if t]

    def _word(self, word: str, fuzzy: bool) -> str:
        if word in self.vocab or word.isdigit() or not fuzzy:
            return word
        for suffix in ("nya", "ny", "kah", "lah", "ne", "e"):  # "kartunya", "biayane" -> kartu, biaya
            base = word[: -len(suffix)]
            if word.endswith(suffix) and len(base) >= (3 if len(suffix) > 1 else 4) and base in self.vocab:
                return base
        if word in self.lines.raw_words:
            return word
        if len(word) >= 3 and word[-1] == word[-2] and word[-1] in "aiueo" and word[:-1] in self.vocab:
            return word[:-1]  # "ituu", "yaa": a vowel drawn out
        for suffix in ("nya", "ny", "kah", "lah", "an", "kan"):
            base = word[: -len(suffix)]
            if word.endswith(suffix) and len(base) >= 3:
                mapped = self.lex.slang.get((base,))
                if mapped and len(mapped) == 1:
                    return mapped[0]
                if base in self.vocab:
                    return base
        vowels = sum(ch in "aiueo" for ch in word)
        if vowels <= 1 and word.isalpha():
            same_start = [w for w in self._skeletons.get(_skeleton(word), []) if w[0] == word[0]]
            if len(same_start) == 1:
                return same_start[0]
        sound = self._sounds.get(_sound(word)) if len(word) >= 4 else None
        if sound and sound[0] == word[0]:
            return sound
        if len(word) >= 4 and self._fuzzy_vocab:
            cutoff = 84 if len(word) >= 6 else 88
            best = process.extractOne(word, self._fuzzy_vocab, scorer=fuzz.ratio, score_cutoff=cutoff)
            if best and best[0][0] == word[0]:
                return str(best[0])
        return word

    # --- reading ----------------------------------------------------------------------------

    def read(self, text: str, *, agencies: list[str] | None = None) -> Understanding:
        tokens = self.tokens(text)
        joined = " ".join(tokens)
        places = self._places(tokens)
        scope = [p for p in places if p in self.kb.agencies] or agencies
        services, used = self._services(tokens, scope)
        elsewhere = self._services(tokens, None)[0] if scope and not services else []
        free = [t if i not in used else "" for i, t in enumerate(tokens)]
        aspects = self._aspects(free)
        variant_words = {v for v, phrases in self.lex.variants.items() for p in phrases if _contains(tokens, p)}
        complaint = None
        if any(p.search(joined) for p in self.lex.complaint_strong):
            complaint = "strong"
        elif any(p.search(joined) for p in self.lex.complaint_intent):
            complaint = "intent"
        oos = next((hint for pattern, hint in self.lex.out_of_scope if pattern.search(joined)), None)
        unknown = [t for t in tokens if t not in self.vocab and not t.isdigit() and t not in self.place_words
                   and not AMOUNT_TOKEN.fullmatch(t)]
        number = int(joined) if re.fullmatch(r"\d{1,2}", joined) else None
        problem = next((p for p in self.lex.problems.values() if any(r.search(joined) for r in p.patterns)), None)
        return Understanding(joined, tokens, aspects, services, places, variant_words, complaint, oos,
                             unknown, number, self.intents.probabilities(text), problem, amounts(text),
                             [svc for svc, _ in elsewhere], any(p.search(joined) for p in self.lex.other_office),
                             "?" in text or bool(set(tokens) & QUESTION_WORDS))

    def _places(self, tokens: list[str]) -> list[str]:
        """The agencies whose places the message names; a negated one ("bukan tanah laut") is not a choice."""
        found: list[str] = []
        for slug, toks in self.places:
            for start in _positions(tokens, toks):
                negated = set(tokens[max(0, start - 2):start]) & NEGATIONS
                if not negated and slug not in found:
                    found.append(slug)
        return found

    def _services(self, tokens: list[str], agencies: list[str] | None
                  ) -> tuple[list[tuple[Service, float]], set[int]]:
        present = set(_compounds(tokens))
        best: dict[tuple[str, str], tuple[float, Service, set[str]]] = {}
        for service, toks in self.aliases:
            if agencies and service.agency not in agencies:
                continue
            if not set(toks) <= present:
                continue
            key = (service.agency, service.id)
            old = best.get(key)
            words = set(toks) | (old[2] if old else set())
            # Every distinct word of every matching alias counts once: "izin operasional panti" names the LKS
            # service three times over, "panti jompo" the elderly service only once.
            best[key] = (sum(self.idf.get(t, 1.0) for t in words), service, words)
        ranked = sorted(best.values(), key=lambda x: -x[0])
        used: set[int] = set()
        if ranked:
            words = ranked[0][2]
            used = {i for i, t in enumerate(tokens) if t in words}
        return [(s, round(score, 3)) for score, s, _ in ranked], used

    def _aspects(self, tokens: list[str]) -> list[str]:
        phrases = sorted(
            ((a, p) for a, ps in self.lex.aspects.items() for p in ps), key=lambda x: -len(x[1])
        )
        taken = [False] * len(tokens)
        found: list[tuple[int, str]] = []
        for aspect, phrase in phrases:
            n = len(phrase)
            for i in range(len(tokens) - n + 1):
                if tokens[i : i + n] == phrase and not any(taken[i : i + n]):
                    for j in range(i, i + n):
                        taken[j] = True
                    found.append((ORDER.index(aspect), aspect))
        return list(dict.fromkeys(a for _, a in sorted(found)))


QUESTION_WORDS = {"apa", "apakah", "berapa", "bagaimana", "kapan", "mana", "dimana", "kemana", "siapa", "kah",
                  "bisakah", "bolehkah", "adakah"}
AMOUNT_TOKEN = re.compile(r"\d+(?:rb|ribu|k|jt|juta|an)")  # "50rb", "600k": a sum, not an unknown word
COMPOUNDS = {("orang", "tua"): "orang_tua"}  # one meaning: "orang tua" (parents) is not an "orang terlantar"


def _compounds(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for t in tokens:
        if out and (out[-1], t) in COMPOUNDS:
            out[-1] = COMPOUNDS[(out[-1], t)]
        else:
            out.append(t)
    return out


_SOUNDS = str.maketrans("pfvtgqcnoe", "bbbdkkkmui")


def _sound(word: str) -> str:
    """A word as it sounds, roughly: b/p/f/v, d/t, k/g/q/c, m/n, u/o and i/e are one letter each."""
    return word.translate(_SOUNDS)


def _skeleton(word: str) -> str:
    """Consonants only: the shape of an abbreviation ("syarat" -> "syrt")."""
    return "".join(ch for ch in word if ch not in "aiueo")


# Service fields searched when a message names a service but no aspect, and the aspect each answers.
FIELD_ASPECTS = (("requirements", "requirements"), ("procedure", "procedure"), ("products", "products"),
                 ("warnings", "warnings"), ("complaints", "complaints"))


def field_aspect(service: Service, tokens: list[str], ignore: set[str]) -> str | None:
    """The aspect whose text shares a meaningful word with the message (e.g. 'usia' -> requirements)."""
    wanted = {s for t in tokens if len(t) >= 4 and t not in ignore and not t.isdigit() for s in stems(t)}
    if not wanted:
        return None
    best: tuple[int, str] | None = None
    for key, aspect in FIELD_ASPECTS:
        words: set[str] = set()
        for item in service.items(key):
            text = item if isinstance(item, str) else " ".join([str(item.get("text", ""))] +
                                                                [str(c) for c in item.get("items", [])])
            words.update(s for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4 for s in stems(w))
        hits = len(wanted & words)
        if hits and (best is None or hits > best[0]):
            best = (hits, aspect)
    return best[1] if best else None


# When a message names several aspects, the first in this order is what it asks.
ORDER = [
    "howto", "requirements", "fee", "duration", "products", "legal", "facilities", "executors", "competencies",
    "guarantees", "supervision", "evaluation", "warnings", "procedure", "hours", "complaints", "contact",
    "detail",
]


NEGATIONS = {"bukan", "tidak", "selain", "kecuali"}


def _positions(tokens: list[str], phrase: list[str]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(tokens) - n + 1) if tokens[i : i + n] == phrase]


def _contains(tokens: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(tokens[i : i + n] == phrase for i in range(len(tokens) - n + 1))
