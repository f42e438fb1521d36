"""Questions about the bot and about complaining itself, answered honestly: is anyone there, can photos be sent
here, will I be struck off for complaining. Each is a handler (``matches`` is
pure, ``handle`` answers)."""

from __future__ import annotations

import re

from handlers import messages as m
from handlers.context import Turn
from handlers.types import Reply

PRESENCE = re.compile(r"\b(?:ada (?:orang|admin|petugas|yang jaga|manusia)(?: (?:tidak|kah|ya|disini|di sini))*$"
                      r"|ini (?:bot|robot|mesin|otomatis)|(?:bot|robot) (?:ya|kah|bukan)|dibalas (?:oleh )?siapa"
                      r"|apakah (?:ini )?manusia|yang balas siapa)")
PHOTO = re.compile(r"\b(?:kirim|kirimkan|upload|unggah|lampirkan|send|foto)\b(?: \w+){0,3}"
                   r" (?:foto|dokumen|berkas|gambar|scan|ktp|kk|kks|file|pdf|buku tabungan)\b")
HERE = re.compile(r"\b(?:sini|disini|chat|wa|whatsapp|telegram)\b")
STATUS = re.compile(r"\b(?:status|perkembangan|sampai mana|tindak lanjut|progres|progress|cek|lacak|nasib)\b"
                    r"(?: \w+){0,3} (?:pengaduan|laporan|aduan|komplain|tiket)\b"
                    r"|\b(?:pengaduan|laporan|aduan) (?:saya|kami) (?:sudah )?(?:sampai mana|bagaimana|diproses)\b")
COMPLAINING = {"lapor", "melapor", "mengadu", "komplain", "pengaduan", "laporan", "aduan", "protes"}
FEAR = re.compile(r"\b(?:takut|khawatir|was was|ngeri|trauma)\b(?: \w+){0,5} (?:ketahuan|dicoret|dihapus"
                  r"|diberhentikan|dikeluarkan|dimarahi|diancam|dipersulit|dikucilkan|balas dendam|identitas"
                  r"|nama saya)\b")


class Presence:
    """"halo ada orang?": the bot says it is automatic, and how to reach a person."""

    def matches(self, turn: Turn) -> bool:
        u = turn.u
        quiet = not (u.services or u.aspects or u.complaint or u.problem)
        return bool(PRESENCE.search(u.text)) and len(u.tokens) <= 8 and quiet

    def handle(self, turn: Turn) -> Reply:
        agency = turn.ctx.agency(turn.state)
        name = agency.short_name if agency else m.GENERIC_AGENCY
        return turn.say(m.BOT_PRESENCE.format(agency=name), "greeting")


class PhotoHere:
    """"bisa kirim foto ktp disini?": yes, and what happens to it."""

    def matches(self, turn: Turn) -> bool:
        u = turn.u
        return (bool(PHOTO.search(u.text) and HERE.search(u.text)) and not u.complaint and u.problem is None
                and not u.services)

    def handle(self, turn: Turn) -> Reply:
        return turn.say(m.PHOTO_HERE, "answer", aspect="complaints")


class Fear:
    """"takut ketahuan nanti dicoret": the right to complain, and the anonymous and confidential options."""

    def matches(self, turn: Turn) -> bool:
        return bool(FEAR.search(turn.u.text)) and bool(set(turn.u.tokens) & COMPLAINING)

    def handle(self, turn: Turn) -> Reply:
        return turn.say(m.COMPLAINT_FEAR, "complaint", aspect="complaints")
