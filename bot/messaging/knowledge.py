"""What the bot knows, changed without a restart: ``dinsos-bot kb import FILE --apply`` stores the new version
of an agency's knowledge in the database (``knowledge_versions``); every process (each web process, each
worker) looks every ``POLL`` seconds whether a newer version exists, and if so switches its conversation engine
to a knowledge base built from the files with the stored versions on top. A conversation in progress keeps its
state; its next answer comes from the new knowledge.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import KnowledgeVersion, LocalHoliday
from bot.messaging.runtime import Runtime
from knowledge import kb
from knowledge.changes import Candidate
from knowledge.model import KnowledgeBase

log = logging.getLogger(__name__)
POLL = 5.0  # seconds between two looks for a newer version (one indexed max() each)


def version(session: Session) -> int:
    """The newest applied version (0: none; the files installed with the code are what the bot knows)."""
    return int(session.scalar(select(func.max(KnowledgeVersion.id))) or 0)


def stored(session: Session) -> tuple[int, dict[str, dict[str, Any]]]:
    """The newest version number, and each agency's newest applied knowledge."""
    newest = select(func.max(KnowledgeVersion.id)).group_by(KnowledgeVersion.agency)
    rows = session.execute(select(KnowledgeVersion.agency, KnowledgeVersion.data)
                           .where(KnowledgeVersion.id.in_(newest))).all()
    return version(session), {agency: data for agency, data in rows}


def holidays(session: Session, agency: str) -> set[date]:
    return set(session.scalars(select(LocalHoliday.day).where(LocalHoliday.agency == agency)))


def installed_sha256(slug: str) -> str:
    """The fingerprint of the agency's knowledge file installed with the code."""
    return hashlib.sha256((kb.DATA / f"{slug}.yaml").read_bytes()).hexdigest()


def outdated(session: Session) -> list[str]:
    """Agencies whose applied knowledge was made from an installed file that an upgrade has since replaced: the
    applied version still counts (``kb export`` it, compare, apply what should stay)."""
    newest = select(func.max(KnowledgeVersion.id)).group_by(KnowledgeVersion.agency)
    rows = session.execute(select(KnowledgeVersion.agency, KnowledgeVersion.base_sha256)
                           .where(KnowledgeVersion.id.in_(newest))).all()
    return sorted(agency for agency, sha in rows if (kb.DATA / f"{agency}.yaml").exists()
                  and installed_sha256(agency) != sha)


def apply(session: Session, candidate: Candidate, *, source: str, author: str, summary: list[str]) -> int:
    """Store ``candidate`` as its agency's newest knowledge, and add its holidays; returns the version."""
    row = KnowledgeVersion(agency=candidate.slug, data=candidate.data, source=source[:200], author=author[:60],
                           summary=summary, base_sha256=installed_sha256(candidate.slug))
    session.add(row)
    known = holidays(session, candidate.slug)
    session.add_all(LocalHoliday(agency=candidate.slug, day=day, name=name, created_by=f"kb import: {author}"[:60])
                    for day, name in candidate.holidays if day not in known)
    session.flush()
    return row.id


async def refresh(runtime: Runtime) -> bool:
    """Switch to the newest applied knowledge if this process does not answer from it yet."""
    newest = await runtime.transact(version)
    if newest == runtime.knowledge_version:
        return False
    newest, overrides = await runtime.transact(stored)
    engine = runtime.engine
    kb = await asyncio.to_thread(KnowledgeBase.load, runtime.settings.agencies, overrides=overrides,
                                 aliases=engine.lex.service_aliases)
    runtime.engine = await asyncio.to_thread(engine.with_knowledge, kb)
    runtime.knowledge_version = newest
    runtime.local.invalidate()  # holidays may have come with it
    log.info("knowledge version %d loaded (%s)", newest, ", ".join(sorted(overrides)) or "files only")
    if stale := await runtime.transact(outdated):
        log.warning("the installed knowledge of %s changed since its applied version: the applied one still "
                    "counts; compare with `dinsos-bot kb export SLUG` and apply what should stay",
                    ", ".join(stale))
    return True


async def keep_fresh(runtime: Runtime, stop: asyncio.Event) -> None:
    """``refresh`` every ``POLL`` seconds until ``stop`` (the web processes run it; workers call ``refresh``)."""
    while not stop.is_set():
        try:
            await refresh(runtime)
        except Exception:  # the database may be briefly away: the process keeps what it knows
            log.exception("knowledge refresh failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=POLL)
