"""DATA_KEY rotation on real databases: data sealed under key A stays readable with DATA_KEY="B,A" (NIKs, photos,
a form in progress, and the look-up of a NIK by its keyed hash), a rotation killed after a batch is run again
and finishes without rewriting what it already did, and then DATA_KEY="B" alone reads everything."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.cases.opening import open_case
from bot.db.models import Case, Contact, utcnow
from bot.domain.protect import Protector, new_key, parse_key
from bot.domain.tickets import TICKET, new_ticket
from bot.messaging.runtime import Runtime
from bot.ops import keys
from handlers.effects import OpenCase
from tests.bot.cases.chat import say
from tests.bot.ops.data import NIKS, complaint, officer, readable, service, store_photos, stored_files

KEY_A, KEY_B = new_key(), new_key()
A, B = Protector(parse_key(KEY_A)), Protector(parse_key(KEY_B))
FORM_NIK, FORM_PHONE = "6301054501900005", "+6281255500014"


class Killed(Exception):
    """The rotation's process dies here (after a batch was committed)."""


class _Rollback(Exception):
    pass


async def duplicate_of(rt: Runtime, nik: str) -> str | None:
    """The open case the same NIK already has, found as the chat's ``kirim`` finds it (by its keyed hash); a
    new case the look-up would open is rolled back."""
    draft = OpenCase(ticket=new_ticket("TLT"), agency="tanah-laut", topic="kks", service=None, name="Siti Aminah",
                     nik_sealed=base64.b64encode(rt.protector.encrypt(nik.encode(), "nik")).decode(),
                     kecamatan="Pelaihari", desa="Angsau", description="kartu hilang", phone=None, photos=(),
                     opened_at=utcnow())

    def look(session: Session) -> str:
        contact = session.scalar(select(Contact.id).limit(1))
        opened = open_case(session, draft, contact_id=contact or 0, channel="whatsapp", kb=rt.engine.kb,
                           protector=rt.protector)
        if not opened.duplicate:
            raise _Rollback
        return opened.ticket

    try:
        return await rt.transact(look)
    except _Rollback:
        return None


def _cases(session: Session) -> list[tuple[str, str, str]]:
    return [(t, s or "", h or "") for t, s, h in session.execute(
        select(Case.ticket, Case.nik_sealed, Case.nik_hash).order_by(Case.id)).all()]


async def test_a_killed_rotation_resumes_and_then_the_new_key_alone_reads_everything(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    media = tmp_path / "media"
    async with service(database_url, media, KEY_A) as (client, rt):
        tickets = []
        for n, (nik, photos) in enumerate(zip(NIKS, (2, 1, 0), strict=True)):
            found = TICKET.search(await complaint(rt, f"+628125550001{n}", nik, photos=photos))
            assert found
            tickets.append(found.group())
        await complaint(rt, FORM_PHONE, FORM_NIK, photos=0, send=False)  # a form in progress: its NIK sealed
        assert await store_photos(rt, monkeypatch) == 3
        headers = await officer(client, rt)
        before = await readable(client, rt, headers)
    under_a = stored_files(media)

    async with service(database_url, media, f"{KEY_B},{KEY_A}") as (client, rt):
        assert await readable(client, rt, headers) == before  # the older key still opens everything
        assert await duplicate_of(rt, NIKS[0]) == tickets[0]  # its hash is under A: still found

        def killed_after_the_first_batch(progress: keys.Progress) -> None:
            if progress.niks:
                raise Killed

        with pytest.raises(Killed):
            await keys.rotate(rt.transact, rt.protector, media, batch=2, report=killed_after_the_first_batch)
        midway = await rt.transact(_cases)
        assert [h for _, _, h in midway] == [B.lookup(NIKS[0], "nik"), B.lookup(NIKS[1], "nik"),
                                              A.lookup(NIKS[2], "nik")]
        assert await readable(client, rt, headers) == before
        assert [await duplicate_of(rt, nik) for nik in NIKS] == tickets  # rotated or not, every NIK is found

        def killed_after_one_photo(progress: keys.Progress) -> None:
            if progress.photos:
                raise Killed

        with pytest.raises(Killed):
            await keys.rotate(rt.transact, rt.protector, media, batch=1, report=killed_after_one_photo)
        unrotated = [name for name, data in stored_files(media).items() if data == under_a[name]]
        assert len(unrotated) == 2
        done_already = {name: data for name, data in stored_files(media).items() if name not in unrotated}
        half = media / f"{unrotated[0]}.rotating-4242"  # a replacement a kill left half-written
        half.write_bytes(b"half")

        lines: list[str] = []
        resumed = await keys.rotate(rt.transact, rt.protector, media, batch=2,
                                    report=lambda progress: lines.append(progress.line()))
        assert resumed.rotated == {"nik": 0, "form": 0, "photo": 2} and resumed.unreadable == []
        assert lines[0] == "NIK 0/3, forms 0/1, photos 0/3" and lines[-1] == "NIK 3/3, forms 1/1, photos 3/3"
        assert not half.exists()
        after = stored_files(media)
        assert {k: after[k] for k in done_already} == done_already  # what was rotated is not written again
        assert all(after[name] != under_a[name] for name in under_a) and set(after) == set(under_a)
        rotated = await rt.transact(_cases)
        assert rotated[:2] == midway[:2] and rotated[2][2] == B.lookup(NIKS[2], "nik")  # the first two untouched
        again = await keys.rotate(rt.transact, rt.protector, media)
        assert again.rotated == {"nik": 0, "form": 0, "photo": 0}

    async with service(database_url, media, KEY_B) as (client, rt):
        assert await readable(client, rt, headers) == before
        assert [await duplicate_of(rt, nik) for nik in NIKS] == tickets
        summary = await say(rt, "lewati", phone=FORM_PHONE)  # the form begun under A goes on under B alone
        while "Periksa data" not in summary:
            summary = await say(rt, "lewati", phone=FORM_PHONE)
        opened = TICKET.search(await say(rt, "kirim", phone=FORM_PHONE))
        assert opened
        nik = await client.post(f"/api/cases/{opened.group()}/nik", headers=headers)
        assert nik.json() == {"nik": FORM_NIK}


async def test_a_value_no_listed_key_opens_is_reported_and_left_as_it_is(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    media = tmp_path / "media"
    lost = Protector(parse_key(new_key()))  # a key nobody listed
    async with service(database_url, media, KEY_A) as (_, rt):
        await complaint(rt, "+6281255500011", NIKS[0], photos=1)
        await store_photos(rt, monkeypatch)
        sealed = base64.b64encode(lost.encrypt(NIKS[0].encode(), "nik")).decode()
        await rt.transact(lambda s: s.execute(update(Case).values(nik_sealed=sealed)))
        ticket = await rt.transact(lambda s: s.scalar(select(Case.ticket)))
    async with service(database_url, media, f"{KEY_B},{KEY_A}") as (_, rt):
        done = await keys.rotate(rt.transact, rt.protector, media)
        assert done.unreadable == [f"case {ticket}"] and done.rotated == {"nik": 0, "form": 0, "photo": 1}
        assert (await rt.transact(_cases))[0][1] == sealed


async def test_a_form_begun_under_the_old_key_opens_its_case_under_the_new_one(
        database_url: str, tmp_path: Path) -> None:
    media = tmp_path / "media"
    async with service(database_url, media, KEY_A) as (_, rt):
        await complaint(rt, FORM_PHONE, FORM_NIK, photos=0, send=False)
    async with service(database_url, media, f"{KEY_B},{KEY_A}") as (_, rt):  # restarted with the new key first
        summary = await say(rt, "lewati", phone=FORM_PHONE)
        while "Periksa data" not in summary:
            summary = await say(rt, "lewati", phone=FORM_PHONE)
        assert TICKET.search(await say(rt, "kirim", phone=FORM_PHONE))
        [(_, sealed, nik_hash)] = await rt.transact(_cases)
    assert B.opened(base64.b64decode(sealed), "nik") == (FORM_NIK.encode(), 0)  # the case is under B already
    assert nik_hash == B.lookup(FORM_NIK, "nik")
