"""The worker's media step, in process on real databases: an unexpected error is retried a bounded number of
times, then the file is marked failed with its reason and the citizen is told; nothing loops for ever."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Contact, Conversation, Inbound, Media, Note, Outbox, utcnow
from bot.messaging import media_jobs
from bot.messaging.runtime import Runtime
from bot.messaging.statuses import DOWNLOAD_ATTEMPTS
from bot.runtime import create_runtime
from bot.settings import Settings
from handlers import messages
from tests.fakes import images
from tests.fakes import twilio as tw


@pytest.fixture
async def rt(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Runtime]:
    settings = Settings(database_url=database_url, twilio_account_sid=tw.ACCOUNT, twilio_auth_token=tw.TOKEN,
                        twilio_whatsapp_from=tw.SENDER, twilio_api_base_url="http://127.0.0.1:9",
                        media_dir=str(tmp_path_factory.mktemp("media")))
    runtime = create_runtime(settings)
    yield runtime
    await runtime.close()


def _queue_one(session: Session, declared_size: int | None = None) -> None:
    contact = Contact(channel="whatsapp", external_id="+6281234567890", phone="+6281234567890")
    session.add(contact)
    session.flush()
    inbound = Inbound(channel="whatsapp", external_id="SM" + "1" * 32, sender=contact.external_id, payload={},
                      status="processed", contact_id=contact.id)
    session.add(inbound)
    session.flush()
    session.add(Media(inbound_id=inbound.id, contact_id=contact.id, channel="whatsapp", source="https://x/ME1",
                      declared_type="image/png", declared_size=declared_size, status="pending"))


def _due_now(session: Session) -> None:
    session.execute(update(Media).values(next_attempt_at=utcnow()))


def _state(session: Session) -> tuple[str, int, str | None, list[str]]:
    item = session.scalars(select(Media)).one()
    return item.status, item.attempts, item.error, list(session.scalars(select(Outbox.body)))


async def test_an_unexpected_error_is_retried_then_failed_with_its_reason(
        rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    async def fetched(runtime: Runtime, item: Media) -> bytes:
        return images.jpeg(800, 600)

    def broken(cleaned: object, media_dir: object, protector: object) -> None:
        raise OSError(28, "No space left on device", "/srv/dinsos/media/" + "a" * 400)  # longer than the column

    monkeypatch.setattr(media_jobs, "_fetch", fetched)
    monkeypatch.setattr(media_jobs.files, "keep", broken)
    await rt.transact(_queue_one)
    for attempt in range(1, DOWNLOAD_ATTEMPTS + 3):
        await rt.transact(_due_now)
        claimed = await media_jobs.media_step(rt)
        status, attempts, error, sent = await rt.transact(_state)
        if attempt < DOWNLOAD_ATTEMPTS:
            assert (claimed, status, attempts, sent) == (1, "pending", attempt, [])
            assert error is not None and error.startswith("OSError: [Errno 28] No space left on device")
    assert (status, attempts) == ("failed", DOWNLOAD_ATTEMPTS)
    assert error is not None and len(error) == 300
    assert sent == [messages.MEDIA_FAILED] and claimed == 0


async def test_a_file_declared_over_the_limit_is_refused_without_downloading(
        rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    async def never(source: str) -> bytes:
        raise AssertionError("downloaded a file declared too large")

    monkeypatch.setitem(rt.channels, "whatsapp", replace(rt.channels["whatsapp"], fetch=never))
    await rt.transact(_queue_one, declared_size=rt.settings.media_max_bytes + 1)
    await media_jobs.media_step(rt)
    status, _, _, sent = await rt.transact(_state)
    assert status == "rejected" and sent == [messages.MEDIA_TOO_LARGE.format(size="10 MB")]
    assert "maks. 10 MB" in sent[0]


@pytest.mark.parametrize(("sent", "quality", "told"), [
    (images.jpeg(1600, 1000), "ok", []),
    (images.jpeg(800, 500), "small", [messages.MEDIA_RETAKE["small"]]),
    (images.jpeg(1600, 1000, blur=4), "blurry", [messages.MEDIA_RETAKE["blurry"]]),
])
async def test_a_photo_that_cannot_be_read_well_is_kept_and_the_citizen_asked_for_a_better_one(
        rt: Runtime, monkeypatch: pytest.MonkeyPatch, sent: bytes, quality: str, told: list[str]) -> None:
    async def fetched(runtime: Runtime, item: Media) -> bytes:
        return sent

    monkeypatch.setattr(media_jobs, "_fetch", fetched)
    await rt.transact(_queue_one)
    await media_jobs.media_step(rt)
    status, _, _, outbox = await rt.transact(_state)
    stored = await rt.transact(lambda s: s.scalars(select(Media)).one().quality)
    assert (status, stored, outbox) == ("stored", quality, told)


async def test_while_officers_hold_the_chat_the_bot_asks_nothing_and_they_get_a_note(
        rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    async def fetched(runtime: Runtime, item: Media) -> bytes:
        return images.jpeg(1600, 1000, blur=4)

    monkeypatch.setattr(media_jobs, "_fetch", fetched)
    await rt.transact(_queue_one)
    await rt.transact(lambda s: s.add(Conversation(id=s.scalar(select(Contact.id)), status="open", unread=0)))
    await media_jobs.media_step(rt)
    status, _, _, outbox = await rt.transact(_state)
    notes = await rt.transact(lambda s: list(s.scalars(select(Note.text))))
    assert (status, outbox) == ("stored", [])  # the photo is kept, the bot is quiet
    assert notes == [messages.MEDIA_NOTE_FOR_OFFICERS.format(notice=messages.MEDIA_RETAKE["blurry"])]
