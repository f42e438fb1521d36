"""`dinsos-bot users ...`, `cases ...`, `skm report`, `keys new|rotate`, `backup` and `restore`: officers'
accounts, cases, the satisfaction survey, the DATA_KEY and backups for operators without the web (registered by
``bot.cli``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.settings import KNOWN_AGENCIES, get_settings


@contextlib.asynccontextmanager
async def transactor() -> AsyncIterator[Any]:
    """Whole transactions on the configured database, for one command."""
    from bot.db.session import make_engine
    from bot.db.transact import Transactor

    url = get_settings().database_url
    db = make_engine(url)
    transact = Transactor(url, db)
    try:
        yield transact
    finally:
        await transact.close()
        await db.dispose()


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def cmd_users_add(args: argparse.Namespace, stdin: TextIO = sys.stdin) -> int:
    from bot.officers import accounts

    password = stdin.readline().rstrip("\r\n") if args.password_stdin else ""
    if not args.password_stdin:
        import getpass

        password = getpass.getpass("password: ")

    async def run() -> Any:
        async with transactor() as transact:
            return await transact(lambda s: accounts.add_user(
                s, username=args.username, role=args.role, agency=args.agency, password=password,
                agencies=list(KNOWN_AGENCIES)).username)

    try:
        name = asyncio.run(run())
    except accounts.AccountError as error:
        return _fail(str(error))
    where = f" of {args.agency}" if args.agency else ""
    print(f"user {name} created: {args.role}{where}")
    return 0


def _change_user(args: argparse.Namespace, change: Any, done: str) -> int:
    from bot.db.models import utcnow
    from bot.officers import accounts

    async def run() -> None:
        async with transactor() as transact:
            await transact(lambda s: change(s, args.username, utcnow()))

    try:
        asyncio.run(run())
    except accounts.AccountError as error:
        return _fail(str(error))
    print(f"user {args.username.lower()} {done}")
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    from bot.officers import accounts

    return _change_user(args, lambda s, u, now: accounts.set_active(s, u, False, now),
                        "disabled (signed out everywhere)")


def cmd_users_enable(args: argparse.Namespace) -> int:
    from bot.officers import accounts

    return _change_user(args, lambda s, u, now: accounts.set_active(s, u, True, now), "enabled")


def cmd_users_password(args: argparse.Namespace, stdin: TextIO = sys.stdin) -> int:
    from bot.officers import accounts

    password = stdin.readline().rstrip("\r\n")
    return _change_user(args, lambda s, u, now: accounts.set_password(s, u, password, now),
                        "has a new password (signed out everywhere)")


def _kb() -> Any:
    from knowledge.loader import load

    return load(get_settings().agencies)[0]


def _case_line(case: dict[str, Any]) -> str:
    late = " TERLAMBAT" if case["overdue"] else ""
    return (f"{case['ticket']:<12} {case['agency']:<11} {case['status']:<9} "
            f"{case['step']['index']}/{case['steps_total']} {case['step']['name'][:30]:<30} "
            f"due {case['due_at'][:16]}{late}")


def cmd_cases_list(args: argparse.Namespace, *, overdue: bool = False) -> int:
    from bot.cases import views
    from bot.db.models import utcnow

    kb = _kb()
    filters = views.Filters(status=args.status, agency=args.agency, overdue=overdue or None,
                            per_page=args.limit)

    async def run() -> dict[str, Any]:
        async with transactor() as transact:
            result: dict[str, Any] = await transact(views.listing, kb, filters, list(kb.agencies), utcnow())
            return result

    result = asyncio.run(run())
    for case in result["items"]:
        print(_case_line(case))
    print(f"{len(result['items'])} of {result['total']} case(s)")
    return 0


def cmd_cases_overdue(args: argparse.Namespace) -> int:
    args.status = None
    return cmd_cases_list(args, overdue=True)


def cmd_cases_show(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.cases import views
    from bot.db.models import Case, utcnow

    kb = _kb()

    async def run() -> dict[str, Any] | None:
        async with transactor() as transact:
            def read(session: Any) -> dict[str, Any] | None:
                case = session.scalar(select(Case).where(Case.ticket == args.ticket.upper()))
                return views.detail(session, kb, case, utcnow()) if case is not None else None
            found: dict[str, Any] | None = await transact(read)
            return found

    case = asyncio.run(run())
    if case is None:
        return _fail(f"no case {args.ticket}")
    print(_case_line(case))
    for key in ("topic_label", "name", "nik", "kecamatan", "desa", "phone", "assignee", "procedure_source"):
        print(f"  {key}: {case[key] or '-'}")
    print(f"  description: {case['description']}")
    print("  steps:")
    for step in case["steps"]:
        done = f" done {step['done_at'][:16]}" if step["done_at"] else ""
        print(f"    {step['index']}. {step['name']} (due {step['due_at'][:16]}){done}")
    print("  history:")
    for event in case["history"]:
        note = f": {event['public_note']}" if event["public_note"] else ""
        print(f"    {event['at'][:16]} {event['actor']} {event['action']} -> {event['status']}{note}")
    print("  photos:")
    for photo in case["photos"]:
        print(f"    {photo['item']}: {'received' if photo['received'] else 'missing'}")
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def cmd_skm_report(args: argparse.Namespace) -> int:
    """The survey results of one agency over a period (PermenPANRB 14/2017)."""
    from sqlalchemy import select

    from bot.db.models import SurveyResponse
    from bot.domain import skm

    kb = _kb()
    if args.agency not in kb.agencies:
        return _fail(f"unknown agency {args.agency}")
    if args.to < args.since:
        return _fail("--to is before --from")
    zone = ZoneInfo(kb.agencies[args.agency].timezone)
    start = datetime.combine(args.since, time(), zone).astimezone(UTC)
    end = datetime.combine(args.to + timedelta(days=1), time(), zone).astimezone(UTC)

    async def run() -> list[list[int]]:
        async with transactor() as transact:
            rows: list[list[int]] = await transact(lambda s: list(s.scalars(
                select(SurveyResponse.answers).where(SurveyResponse.agency == args.agency,
                                                     SurveyResponse.created_at >= start,
                                                     SurveyResponse.created_at < end))))
            return rows

    answers = asyncio.run(run())
    result = skm.score([dict(enumerate(a, 1)) for a in answers if a])
    print(f"SKM {kb.agencies[args.agency].short_name}, {args.since.isoformat()} s.d. {args.to.isoformat()}")
    if result is None:
        print("respondents: 0 (no survey answered in this period)")
        return 0
    print(f"respondents: {result.respondents}")
    for number, name in enumerate(skm.UNSUR, 1):
        nrr = result.nrr.get(number)
        print(f"  U{number} {name}: NRR {nrr:.2f}" if nrr is not None else f"  U{number} {name}: -")
    print(f"IKM: {result.ikm:.2f}".replace(".", ","))
    print(f"category: {result.category} ({result.performance})")
    return 0


def cmd_retention_purge(args: argparse.Namespace) -> int:
    """Delete the NIK and photos of cases closed longer than RETENTION_DAYS, and forms abandoned for a day."""
    from pathlib import Path

    from bot.db.models import utcnow
    from bot.messaging import timers

    settings = get_settings()
    days = args.days if args.days is not None else settings.retention_days

    async def run() -> tuple[Any, Any]:
        async with transactor() as transact:
            forms = await transact(timers.forms, utcnow())
            total = timers.Done()
            while True:  # in chunks, each its own transaction
                done = await transact(timers.purge, utcnow(), days, Path(settings.media_dir))
                total.purged, total.photos = total.purged + done.purged, total.photos + done.photos
                if done.purged < timers.CHUNK:
                    return forms, total

    forms, total = asyncio.run(run())
    print(f"purged: {total.purged} case(s) closed more than {days} days ago ({total.photos} photo(s)); "
          f"{forms.forgotten} abandoned form(s) forgotten")
    return 0


def cmd_keys_new(args: argparse.Namespace) -> int:
    from bot.domain.protect import new_key

    print(new_key())
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    """Every stored NIK and photo encrypted again under the first key of DATA_KEY; resumable (run it again)."""
    from pathlib import Path

    from bot.ops import keys
    from bot.runtime import protector

    settings = get_settings()
    box = protector(settings)
    if box.keys == 1:
        print("DATA_KEY lists one key: checking that everything is under it (to rotate, put a new key first: "
              "DATA_KEY=NEW,OLD, restart the service and workers, then run this again)", flush=True)
    else:
        print(f"DATA_KEY lists {box.keys} keys: encrypting everything again under the first", flush=True)

    async def run() -> keys.Progress:
        async with transactor() as transact:
            return await keys.rotate(transact, box, Path(settings.media_dir), batch=args.batch,
                                     report=lambda progress: print(progress.line(), flush=True))

    progress = asyncio.run(run())
    done = progress.rotated
    print(f"encrypted again: {done['nik']} NIK(s), {done['form']} form(s) in progress, {done['photo']} photo(s)")
    if progress.unreadable:
        for item in progress.unreadable[:20]:
            print(f"  no key of DATA_KEY opens {item}", file=sys.stderr)
        return _fail(f"{len(progress.unreadable)} value(s) open with none of the keys in DATA_KEY and were left "
                     "as they are: add the key they were sealed with to the end of DATA_KEY, then run "
                     "`dinsos-bot keys rotate` again (keep the older keys until it reports none)")
    print("everything is under the first key of DATA_KEY" + (
        ": now remove the older key(s) from DATA_KEY and restart the service and the workers" if box.keys > 1
        else ""))
    return 0


def _scrubbed(error: BaseException, url: str) -> str:
    """An error as it may be printed: never the database password."""
    from sqlalchemy.engine import make_url

    first = (str(error).splitlines() or [""])[0]
    said = f"{error}" if type(error).__name__ == "BackupError" else f"{type(error).__name__}: {first}"
    password = make_url(url).password
    return said.replace(str(password), "***") if password else said


def cmd_backup(args: argparse.Namespace) -> int:
    """One dated archive of the database and the stored photos (``bot.ops.backup``)."""
    from pathlib import Path

    from bot.ops import backup

    settings = get_settings()
    to = Path(args.to) if args.to else Path(settings.media_dir).parent / "backups"
    try:
        made = backup.backup(settings.database_url, Path(settings.media_dir), to)
    except Exception as error:  # said in one line, whatever it is, without the password
        return _fail(_scrubbed(error, settings.database_url))
    counts = made.counts
    print(f"backup written: {made.path} ({made.size / 1e6:.1f} MB in {made.seconds:.1f} s; "
          f"{counts.get('cases', 0)} case(s), {counts.get('messages', 0)} message(s), {made.photos} photo(s), "
          f"schema {made.schema})")
    print("keep a copy on another machine, and DATA_KEY apart from it: without the key the NIKs and photos in "
          "it cannot be read")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Bring an archive back into an empty database and an empty MEDIA_DIR."""
    from pathlib import Path

    from bot.ops import backup, keys
    from bot.runtime import protector

    settings = get_settings()
    media = Path(settings.media_dir)
    try:
        done = backup.restore(Path(args.archive), settings.database_url, media)
    except Exception as error:  # said in one line, whatever it is, without the password
        return _fail(_scrubbed(error, settings.database_url))
    schema = f"schema {done.schema}" + (f", upgraded to {done.upgraded_to}" if done.upgraded_to else "")
    print(f"restored: {done.counts.get('cases', 0)} case(s), {done.counts.get('messages', 0)} message(s), "
          f"{done.photos} photo(s); {schema} ({done.seconds:.1f} s)")

    async def check() -> list[str]:
        async with transactor() as transact:
            return await keys.unreadable_sample(transact, protector(settings), media)

    unreadable = asyncio.run(check())
    if unreadable:
        return _fail(f"restored, but DATA_KEY opens none of {', '.join(unreadable[:3])}: set DATA_KEY to the "
                     "key(s) in use when the backup was made (newest first) before starting the service")
    return 0


def register(sub: Any) -> None:
    users = sub.add_parser("users", help="officers' accounts").add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["officer", "supervisor", "admin"])
    add.add_argument("--agency", choices=KNOWN_AGENCIES, help="required for officer and supervisor")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.set_defaults(func=cmd_users_add)
    for name, func, text in (("disable", cmd_users_disable, "disable an account and revoke its tokens"),
                             ("enable", cmd_users_enable, "enable an account again")):
        one = users.add_parser(name, help=text)
        one.add_argument("username")
        one.set_defaults(func=func)
    reset = users.add_parser("password", help="set a new password (first line of stdin); revokes every token")
    reset.add_argument("username")
    reset.set_defaults(func=cmd_users_password)

    cases = sub.add_parser("cases", help="complaint cases").add_subparsers(dest="cases_command", required=True)
    lst = cases.add_parser("list", help="cases, newest first")
    lst.add_argument("--status", choices=["open", "waiting", "resolved", "rejected"])
    lst.add_argument("--agency", choices=KNOWN_AGENCIES)
    lst.add_argument("--limit", type=int, default=50)
    lst.set_defaults(func=cmd_cases_list)
    late = cases.add_parser("overdue", help="open cases past their due time")
    late.add_argument("--agency", choices=KNOWN_AGENCIES)
    late.add_argument("--limit", type=int, default=200)
    late.set_defaults(func=cmd_cases_overdue)
    show = cases.add_parser("show", help="one case with its steps, history and photos (NIK masked)")
    show.add_argument("ticket")
    show.set_defaults(func=cmd_cases_show)

    skm = sub.add_parser("skm", help="Survei Kepuasan Masyarakat").add_subparsers(dest="skm_command", required=True)
    report = skm.add_parser("report", help="NRR per unsur, IKM and its category over a period")
    report.add_argument("--agency", required=True)
    report.add_argument("--from", dest="since", required=True, type=_day)
    report.add_argument("--to", required=True, type=_day)
    report.set_defaults(func=cmd_skm_report)

    retention = sub.add_parser("retention", help="personal data past its time (UU 27/2022)").add_subparsers(
        dest="retention_command", required=True)
    purge = retention.add_parser("purge", help="delete NIK and photos of cases closed > RETENTION_DAYS ago")
    purge.add_argument("--days", type=int, help="override RETENTION_DAYS")
    purge.set_defaults(func=cmd_retention_purge)

    keys = sub.add_parser("keys", help="the DATA_KEY").add_subparsers(dest="keys_command", required=True)
    keys.add_parser("new", help="print a new random key for DATA_KEY").set_defaults(func=cmd_keys_new)
    rotate = keys.add_parser("rotate", help="encrypt every stored NIK and photo again under the first key of "
                             "DATA_KEY (resumable: run it again)")
    rotate.add_argument("--batch", type=int, default=200, help="rows or files per batch (each one committed)")
    rotate.set_defaults(func=cmd_keys_rotate)

    save = sub.add_parser("backup", help="one dated archive of the database and the stored photos")
    save.add_argument("--to", help="the folder to write it in (default: backups beside MEDIA_DIR)")
    save.set_defaults(func=cmd_backup)
    back = sub.add_parser("restore", help="bring a backup back into an empty database and an empty MEDIA_DIR")
    back.add_argument("archive")
    back.set_defaults(func=cmd_restore)
