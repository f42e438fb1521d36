"""`dinsos-bot keys rotate`: every stored NIK (cases, and forms in progress) and every stored photo encrypted again
under the first key of ``DATA_KEY``, the NIK's look-up hash recomputed with it.

In batches, each one committed: a rotation killed in the middle is simply run again. A value is opened with
the newest key first, so what is already under it is recognised and left alone. Rows are changed only if they
still hold what was read (a case purged meanwhile stays purged), without touching ``version`` or
``updated_at`` (an officer's open page is not made stale). A photo file is replaced whole: written beside it,
flushed to the disk, renamed over it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.db.models import Case, ConversationStateRow
from bot.db.transact import Transactor
from bot.domain.protect import ProtectError, Protector
from bot.ops.archive import media_files, sync_folder

NIK = "nik"
PHOTO = "photo"  # the purpose bot.messaging.files seals photos with
BATCH = 200
LEFTOVER = re.compile(r"[0-9a-f]{64}\.rotating-\d+")  # a replacement a killed rotation did not finish


@dataclass
class Progress:
    niks: int = 0
    niks_total: int = 0
    forms: int = 0
    forms_total: int = 0
    photos: int = 0
    photos_total: int = 0
    rotated: dict[str, int] = field(default_factory=lambda: {"nik": 0, "form": 0, "photo": 0})
    unreadable: list[str] = field(default_factory=list)  # what no listed key opens: tickets, contact ids, files

    def line(self) -> str:
        return (f"NIK {self.niks}/{self.niks_total}, forms {self.forms}/{self.forms_total}, "
                f"photos {self.photos}/{self.photos_total}")


@dataclass(frozen=True)
class _Batch:
    last: int | None  # the last id read (None: nothing left)
    read: int
    rotated: int
    unreadable: list[str]


def _nik_batch(session: Session, protector: Protector, after: int, limit: int) -> _Batch:
    rows = session.execute(select(Case.id, Case.ticket, Case.nik_sealed, Case.nik_hash)
                           .where(Case.id > after, Case.nik_sealed.is_not(None)).order_by(Case.id).limit(limit)).all()
    rotated, unreadable = 0, []
    for case_id, ticket, sealed, old_hash in rows:
        try:
            clear, key = protector.opened(base64.b64decode(sealed or "", validate=True), NIK)
        except (ProtectError, binascii.Error):
            unreadable.append(f"case {ticket}")
            continue
        new_hash = protector.lookup(clear.decode(), NIK)
        if key == 0 and old_hash == new_hash:
            continue  # already under the newest key
        resealed = sealed if key == 0 else base64.b64encode(protector.encrypt(clear, NIK)).decode()
        done = session.execute(update(Case).where(Case.id == case_id, Case.nik_sealed == sealed)
                               .values(nik_sealed=resealed, nik_hash=new_hash, updated_at=Case.updated_at)
                               .execution_options(synchronize_session=False))
        rotated += getattr(done, "rowcount", 0) or 0
    return _Batch(rows[-1][0] if rows else None, len(rows), rotated, unreadable)


def _sealed_in(state: dict[str, Any]) -> str | None:
    form = state.get("form")
    data = form.get("data") if isinstance(form, dict) else None
    sealed = data.get("nik_sealed") if isinstance(data, dict) else None
    return sealed if isinstance(sealed, str) else None


def _form_batch(session: Session, protector: Protector, after: int, limit: int) -> _Batch:
    """Pengaduan forms in progress that hold a sealed NIK (a form lives a day at most, but it may be sent then)."""
    rows = session.execute(select(ConversationStateRow.contact_id, ConversationStateRow.state,
                                  ConversationStateRow.updated_at)
                           .where(ConversationStateRow.contact_id > after, ConversationStateRow.form_at.is_not(None))
                           .order_by(ConversationStateRow.contact_id).limit(limit)).all()
    rotated, unreadable = 0, []
    for contact_id, state, updated_at in rows:
        sealed = _sealed_in(state or {})
        if sealed is None:
            continue
        try:
            again = protector.reseal(base64.b64decode(sealed, validate=True), NIK)
        except (ProtectError, binascii.Error):
            unreadable.append(f"form of contact {contact_id}")
            continue
        if again is None:
            continue
        changed = copy.deepcopy(state)
        changed["form"]["data"]["nik_sealed"] = base64.b64encode(again).decode()
        # Only if the conversation did not move on since it was read (its turn rewrites the whole state).
        done = session.execute(update(ConversationStateRow)
                               .where(ConversationStateRow.contact_id == contact_id,
                                      ConversationStateRow.updated_at == updated_at)
                               .values(state=changed, updated_at=updated_at)
                               .execution_options(synchronize_session=False))
        rotated += getattr(done, "rowcount", 0) or 0
    return _Batch(rows[-1][0] if rows else None, len(rows), rotated, unreadable)


def _totals(session: Session) -> tuple[int, int]:
    return (session.scalar(select(func.count(Case.id)).where(Case.nik_sealed.is_not(None))) or 0,
            session.scalar(select(func.count(ConversationStateRow.contact_id))
                           .where(ConversationStateRow.form_at.is_not(None))) or 0)


def _photo(path: Path, protector: Protector) -> bool | None:
    """Encrypt one stored file again under the newest key: True if rewritten, False if it already was, None if
    no listed key opens it."""
    try:
        stored = path.read_bytes()
    except FileNotFoundError:  # deleted meanwhile (retention)
        return False
    try:
        again = protector.reseal(stored, PHOTO)
    except ProtectError:
        return None
    if again is None:
        return False
    tmp = path.with_name(f"{path.name}.rotating-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, path.stat().st_mode & 0o777)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(again)
            out.flush()
            os.fsync(out.fileno())
        if not path.exists():  # deleted while it was being written: stays deleted
            tmp.unlink()
            return False
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)
    return True


def _photo_batch(paths: list[Path], protector: Protector) -> tuple[int, list[str]]:
    rotated, unreadable = 0, []
    for path in paths:
        done = _photo(path, protector)
        if done is None:
            unreadable.append(f"photo {path.parent.name}/{path.name}")
        rotated += bool(done)
    return rotated, unreadable


def leftovers(media_dir: Path) -> list[Path]:
    return sorted(p for p in media_dir.glob("??/*") if LEFTOVER.fullmatch(p.name)) if media_dir.is_dir() else []


async def _rows(transact: Transactor, step: Callable[..., _Batch], protector: Protector, batch: int,
                progress: Progress, kind: str, report: Callable[[Progress], None]) -> None:
    after = 0
    while True:
        done = await transact(step, protector, after, batch)  # one transaction each: committed when it returns
        if done.last is None:
            return
        after = done.last
        if kind == NIK:  # cases opened meanwhile count too
            progress.niks += done.read
            progress.niks_total = max(progress.niks_total, progress.niks)
        else:
            progress.forms += done.read
            progress.forms_total = max(progress.forms_total, progress.forms)
        progress.rotated[kind] += done.rotated
        progress.unreadable += done.unreadable
        report(progress)


async def rotate(transact: Transactor, protector: Protector, media_dir: Path, *, batch: int = BATCH,
                 report: Callable[[Progress], None] = lambda progress: None) -> Progress:
    """Every NIK, form and photo under the first key of ``protector``; ``report`` after each batch."""
    progress = Progress()
    progress.niks_total, progress.forms_total = await transact(_totals)
    for stale in leftovers(media_dir):  # a replacement a killed run left half-written: the original is intact
        stale.unlink(missing_ok=True)
    photos = await asyncio.to_thread(media_files, media_dir)
    progress.photos_total = len(photos)
    report(progress)
    await _rows(transact, _nik_batch, protector, batch, progress, NIK, report)
    await _rows(transact, _form_batch, protector, batch, progress, "form", report)
    for start in range(0, len(photos), batch):
        chunk = photos[start:start + batch]
        rotated, unreadable = await asyncio.to_thread(_photo_batch, chunk, protector)
        progress.photos += len(chunk)
        progress.rotated[PHOTO] += rotated
        progress.unreadable += unreadable
        report(progress)
    # A conversation that answered while its form was being rotated wrote back what it had read: look once more.
    again = Progress(niks_total=progress.niks_total, forms_total=progress.forms_total)
    await _rows(transact, _nik_batch, protector, batch, again, NIK, lambda _: None)
    await _rows(transact, _form_batch, protector, batch, again, "form", lambda _: None)
    progress.rotated[NIK] += again.rotated[NIK]
    progress.rotated["form"] += again.rotated["form"]
    return progress


def _opens(protector: Protector, sealed: bytes, purpose: str) -> bool:
    try:
        protector.decrypt(sealed, purpose)
    except ProtectError:
        return False
    return True


async def unreadable_sample(transact: Transactor, protector: Protector, media_dir: Path, limit: int = 20) -> list[str]:
    """Of the newest ``limit`` NIKs and the first ``limit`` photos, those no listed key opens (after a restore:
    is DATA_KEY the one the backup's data was sealed with?)."""
    def niks(session: Session) -> list[tuple[str, str]]:
        return [(ticket, sealed or "") for ticket, sealed in session.execute(
            select(Case.ticket, Case.nik_sealed).where(Case.nik_sealed.is_not(None))
            .order_by(Case.id.desc()).limit(limit)).all()]

    found = [f"case {ticket}" for ticket, sealed in await transact(niks)
             if not _opens(protector, base64.b64decode(sealed), NIK)]
    for path in (await asyncio.to_thread(media_files, media_dir))[:limit]:
        if not _opens(protector, await asyncio.to_thread(path.read_bytes), PHOTO):
            found.append(f"photo {path.parent.name}/{path.name}")
    return found
