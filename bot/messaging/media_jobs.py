"""The worker's media step: download queued photos/documents, type them from their bytes, store them.

A failed download is retried with backoff; after the last attempt it is marked failed and the citizen is
asked to send it again. Nothing is dropped silently.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import metrics
from bot.db.models import Media, length_of, utcnow
from bot.inbox import conversations
from bot.logs import JOB_ID, safe_error, safe_text
from bot.messaging import casework, files, outbox
from bot.messaging.channel import FetchError, FetchFailure
from bot.messaging.runtime import Runtime
from bot.messaging.statuses import DOWNLOAD_ATTEMPTS, MediaStatus
from handlers import messages

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)


def size_limit(runtime: Runtime, channel: str) -> int:
    """The largest file a channel lets us download (Telegram's Bot API: 20 MB; WhatsApp: ``MEDIA_MAX_BYTES``)."""
    known = runtime.channels.get(channel)
    return known.max_download if known is not None else 0


async def _fetch(runtime: Runtime, item: Media) -> bytes:
    """The file's bytes; a file the provider declared over the channel's limit is refused without a download."""
    channel = runtime.channels.get(item.channel)
    if channel is None or channel.fetch is None:
        raise FetchError(f"no downloader for channel {item.channel}", kind=FetchFailure.PERMANENT)
    if item.declared_size is not None and item.declared_size > channel.max_download:
        raise FetchError(f"declared {item.declared_size} bytes", kind=FetchFailure.TOO_LARGE)
    return await channel.fetch(item.source)


def claim_media(session: Session, *, limit: int = 5) -> list[Media]:
    """Lease up to ``limit`` due downloads (run in a transaction of its own)."""
    now = utcnow()
    rows = list(session.scalars(
        select(Media).where(Media.status == MediaStatus.PENDING, Media.next_attempt_at <= now)
        .order_by(Media.id).limit(limit).with_for_update(skip_locked=True)))
    if rows:
        session.execute(update(Media).where(Media.id.in_([r.id for r in rows])).values(
            next_attempt_at=now + LEASE, attempts=Media.attempts + 1).execution_options(synchronize_session=False))
    for row in rows:
        session.expunge(row)
        row.attempts += 1
    return rows


def _record(session: Session, item_id: int, *, status: str, error: str | None,
            stored: files.StoredFile | None, notify: str | None) -> None:
    row = session.get(Media, item_id, with_for_update=True)
    if row is None:
        return
    row.status, row.error = status, None if error is None else safe_text(error, length_of(Media.error))
    if stored is not None:
        row.sha256, row.content_type, row.size, row.stored_at = (
            stored.sha256, stored.content_type, stored.size, utcnow())
        row.width, row.height, row.quality = stored.width, stored.height, stored.quality
    if status == MediaStatus.PENDING:
        row.next_attempt_at = utcnow() + outbox.backoff(row.attempts)
    if conversations.held(session, row.contact_id):  # officers hold the chat: the bot is quiet, they are told
        if notify:
            conversations.system_note(session, row.contact_id, messages.MEDIA_NOTE_FOR_OFFICERS.format(notice=notify),
                                      utcnow())
        return
    if notify:
        outbox.enqueue(session, contact_id=row.contact_id, channel=row.channel, body=notify, kind="notification")
    if stored is not None and stored.quality in messages.MEDIA_RETAKE:
        casework.ask_retake(session, row.contact_id, row.source)


async def _finish(runtime: Runtime, item: Media, *, status: str, error: str | None = None,
                  stored: files.StoredFile | None = None, notify: str | None = None) -> None:
    await runtime.transact(_record, item.id, status=status, error=error, stored=stored, notify=notify)
    metrics.MEDIA.labels(item.channel, "retry" if status == MediaStatus.PENDING else status).inc()
    if notify:
        runtime.wakeup.set()


async def process_one(runtime: Runtime, item: Media) -> None:
    """Download, check and store one file; every outcome is recorded, and the citizen told of a final failure."""
    try:
        data = await _fetch(runtime, item)
        stored = await runtime.store_file(data)
    except files.RejectedMedia as exc:
        await _finish(runtime, item, status=MediaStatus.REJECTED, error=str(exc), notify=messages.MEDIA_REJECTED)
    except FetchError as exc:
        if exc.kind == FetchFailure.TOO_LARGE:
            limit = files.human_size(size_limit(runtime, item.channel))
            await _finish(runtime, item, status=MediaStatus.REJECTED, error=str(exc),
                          notify=messages.MEDIA_TOO_LARGE.format(size=limit))
        else:
            await _retry_or_fail(runtime, item, str(exc), retry=exc.kind == FetchFailure.TRANSIENT)
    except Exception as exc:  # a bug or an unexpected library error: retried a few times, then failed visibly
        log.exception("media %s failed unexpectedly", item.id)
        await _retry_or_fail(runtime, item, safe_error(exc), retry=True)
    else:  # kept; one that cannot be read well is kept too, until a better one comes, and the citizen asked again
        retake = messages.MEDIA_RETAKE.get(stored.quality or "")
        await _finish(runtime, item, status=MediaStatus.STORED, stored=stored, notify=retake)


async def _retry_or_fail(runtime: Runtime, item: Media, error: str, *, retry: bool) -> None:
    if retry and item.attempts < DOWNLOAD_ATTEMPTS:
        await _finish(runtime, item, status=MediaStatus.PENDING, error=error)
    else:
        await _finish(runtime, item, status=MediaStatus.FAILED, error=error, notify=messages.MEDIA_FAILED)


async def media_step(runtime: Runtime) -> int:
    items = await runtime.transact(claim_media)
    for item in items:
        job = JOB_ID.set(f"media-{item.id}")
        try:
            await process_one(runtime, item)
        except Exception:  # recording the outcome failed (database away): the lease expires, it is tried again
            log.exception("media %s: outcome not recorded", item.id)
        finally:
            JOB_ID.reset(job)
    return len(items)
