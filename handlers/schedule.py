"""Schedules an admin announced (KKS card distribution, aid disbursement), answered to a citizen who asks later
("kapan pembagian kks di kecamatan saya?", "jadwal pencairan") until each ends. Only where the host has them
(the running service): ``ask`` and ``chat`` have none and never match here."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from bot.domain.dates import long_date
from handlers import messages as m
from handlers.context import Turn
from handlers.types import Announcement, Reply

ASKING = {"jadwal", "jadwalnya", "kapan", "kpn", "tanggal", "tgl", "hari", "jam", "kapankah", "info", "infonya"}
HAPPENING = {"pembagian", "dibagikan", "dibagi", "bagi", "bagikan", "pencairan", "cair", "cairnya", "dicairkan",
             "pencarian", "penyaluran", "disalurkan", "salur", "distribusi", "pengambilan", "diambil", "ambil",
             "turun", "keluar", "undangan", "pembagiannya", "pencairannya", "penyalurannya"}
COMMON = {"di", "ke", "dan", "yang", "yg", "untuk", "utk", "kecamatan", "kec", "desa", "kelurahan", "kel", "saya",
          "kami", "kapan", "jadwal", "bantuan", "bansos"}
WORD = re.compile(r"[a-z0-9]+")
SHOWN = 3


def _words(text: str) -> set[str]:
    return set(WORD.findall(text.lower()))


def _running(turn: Turn) -> tuple[Announcement, ...]:
    agency = turn.ctx.agency(turn.state)
    if agency is None:
        return ()
    today = turn.ctx.clock().astimezone(ZoneInfo(agency.timezone)).date()
    return tuple(a for a in turn.ctx.schedules(agency.slug) if a.until >= today)


def _overlap(words: set[str], announcement: Announcement) -> int:
    return len(words & (_words(announcement.what) | _words(announcement.where or "")))


class Schedules:
    def matches(self, turn: Turn) -> bool:
        """A question about when something is handed out ("kapan pembagian kks", "jadwal pencairan"), or one that
        names an announced schedule; not any "jadwal" ("jadwal buka kantor" is the office hours)."""
        words = _words(turn.text) | set(turn.u.tokens)
        if not words & (ASKING | {"jadwal", "jadwalnya"}):
            return False
        running = _running(turn)
        return bool(running) and (bool(words & HAPPENING) or any(_overlap(words - COMMON, a) for a in running))

    def handle(self, turn: Turn) -> Reply:
        running = _running(turn)
        words = (_words(turn.text) | set(turn.u.tokens)) - COMMON
        best = max(_overlap(words, a) for a in running)
        chosen = [a for a in running if _overlap(words, a) == best]  # the closest to what was asked (or all)
        agency = turn.ctx.agency(turn.state)
        parts = [m.SCHEDULE_LEAD.format(agency=agency.short_name if agency else "")]
        for a in chosen[:SHOWN]:
            where = m.SCHEDULE_WHERE.format(where=a.where) if a.where else ""
            parts.append(m.SCHEDULE_ITEM.format(what=a.what, where=where, text=a.text, until=long_date(a.until)))
        parts.append(m.SCHEDULE_MORE if not turn.state.subscribed else m.SCHEDULE_ASK)
        return turn.say("\n\n".join(parts), "schedule")
