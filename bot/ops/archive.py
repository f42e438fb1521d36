"""The backup archive: one gzip'd tar holding the database copy, the stored photos (``media/ab/abcd...``, as they
lie in MEDIA_DIR: encrypted) and, last, ``manifest.json`` with what it holds and the SHA-256 of every member.

Written to a temporary file (mode 0600: it holds personal data), flushed to the disk, then renamed: a backup
that was cut short never looks like a finished one. Read back in one pass that checks every checksum before
anything is put in place.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import time
import zlib
from pathlib import Path
from typing import IO, Any, BinaryIO

MANIFEST = "manifest.json"
FORMAT = 1
DATABASE_MEMBERS = ("database.dump", "database.sqlite3")  # pg_dump's custom format; a copy of the SQLite file
STORED = re.compile(r"[0-9a-f]{64}")  # a stored photo's name: the SHA-256 of its clean bytes (bot.messaging.files)
MEDIA_MEMBER = re.compile(r"media/([0-9a-f]{2})/([0-9a-f]{64})")
CHUNK = 1 << 20


class Damaged(ValueError):
    """The archive cannot be read whole, or what it holds is not what its manifest says."""


def media_files(media_dir: Path) -> list[Path]:
    """The stored photos under ``media_dir`` (``ab/abcd...``; temporary files of a write in progress left out)."""
    if not media_dir.is_dir():
        return []
    return sorted(path for path in media_dir.glob("??/*")
                  if path.is_file() and STORED.fullmatch(path.name) and path.name[:2] == path.parent.name)


class _Hashing(io.RawIOBase):
    """A file read through, its SHA-256 computed on the way (tarfile reads it once)."""

    def __init__(self, file: BinaryIO) -> None:
        self.file, self.sha = file, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.sha.update(data)
        return data


def _info(name: str, size: int, now: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(now)
    return info


def write(target: Path, database: tuple[str, Path], media_dir: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write the archive at ``target`` (atomically, mode 0600): the database file, then every stored photo, then
    the manifest with their checksums. Returns the manifest as written."""
    checksums: dict[str, str] = {}
    photos = total = 0
    now = time.time()
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        with os.fdopen(fd, "wb") as raw:
            # Level 1: the photos are JPEGs and the dump is compressed already; more effort would buy nothing.
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=1) as tar:
                name, path = database
                with path.open("rb") as file:
                    reader = _Hashing(file)
                    tar.addfile(_info(name, path.stat().st_size, now), reader)
                    checksums[name] = reader.sha.hexdigest()
                for path in media_files(media_dir):
                    name = f"media/{path.parent.name}/{path.name}"
                    try:
                        file = path.open("rb")
                    except FileNotFoundError:  # deleted since it was listed (retention): nothing to keep
                        continue
                    with file:
                        size = os.fstat(file.fileno()).st_size
                        reader = _Hashing(file)
                        tar.addfile(_info(name, size, now), reader)
                    checksums[name] = reader.sha.hexdigest()
                    photos, total = photos + 1, total + size
                manifest = manifest | {"photos": {"files": photos, "bytes": total}, "checksums": checksums}
                body = json.dumps(manifest, indent=2, sort_keys=True).encode()
                tar.addfile(_info(MANIFEST, len(body), now), io.BytesIO(body))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(target.parent)
    return manifest


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a crash right after it must not lose it)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy(source: IO[bytes], target: Path) -> str:
    sha = hashlib.sha256()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(CHUNK):
            sha.update(chunk)
            out.write(chunk)
    return sha.hexdigest()


def read(archive: Path, into: Path) -> dict[str, Any]:
    """Unpack ``archive`` into the empty folder ``into`` and check it whole: every member expected, each one's
    checksum the manifest's. Returns the manifest; raises ``Damaged`` (``into`` may then hold a part of it)."""
    found: dict[str, str] = {}
    manifest: Any = None
    try:
        with tarfile.open(archive, mode="r|gz") as tar:
            for member in tar:
                name = member.name
                if not member.isfile() or name in found or (
                        name not in (MANIFEST, *DATABASE_MEMBERS) and not MEDIA_MEMBER.fullmatch(name)):
                    raise Damaged(f"unexpected member {name[:80]!r}")
                source = tar.extractfile(member)
                if source is None:
                    raise Damaged(f"unreadable member {name[:80]!r}")
                if name == MANIFEST:
                    manifest = json.loads(source.read())
                    continue
                found[name] = _copy(source, into / name)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, UnicodeDecodeError, ValueError) as error:
        if isinstance(error, Damaged):
            raise
        raise Damaged(f"{type(error).__name__}: {str(error)[:200]}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("checksums"), dict):
        raise Damaged("no manifest: not a dinsos-bot backup, or cut short")
    if manifest.get("format") != FORMAT:
        raise Damaged(f"format {manifest.get('format')!r}, this version reads {FORMAT} (a newer dinsos-bot made it?)")
    expected: dict[str, str] = manifest["checksums"]
    if set(expected) != set(found):
        missing, extra = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
        raise Damaged(f"members missing {missing[:3]} or unlisted {extra[:3]}")
    wrong = sorted(name for name, sha in found.items() if expected[name] != sha)
    if wrong:
        raise Damaged(f"checksum mismatch in {len(wrong)} member(s), first {wrong[0]}")
    if not any(name in found for name in DATABASE_MEMBERS):
        raise Damaged("no database in it")
    return manifest


def place(staged: Path, media_dir: Path) -> int:
    """Move the unpacked photos into ``media_dir`` (same disk: a rename each). Returns how many."""
    moved = 0
    for path in media_files(staged):
        target = media_dir / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        moved += 1
    if moved:
        sync_folder(media_dir)
    return moved
