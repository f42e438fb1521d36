"""The `dinsos-bot` command: serve, ask, chat, kb import/check, db upgrade, outbox and inbound; users, cases,
skm and keys (``bot.cli_cases``)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any, TextIO

from bot.cli_cases import register, transactor
from bot.settings import KNOWN_AGENCIES, get_settings

log = logging.getLogger("dinsos_bot")
LIMIT_CONCURRENCY = 1000  # open connections and tasks per web process; more get 503 at once


def _engine(agencies: list[str] | None = None) -> Any:
    from handlers.engine import Engine
    from knowledge.loader import load

    kb, lexicon = load(agencies or get_settings().agencies)
    return Engine(kb, lexicon)


def cmd_ask(args: argparse.Namespace, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """JSON lines in, one JSON line out per line (see CONTRACTS.md); state kept in memory only, effects (such as
    an opt-out) only reported by the intent: nothing is written."""
    from bot.messaging.conversation import respond
    from handlers import messages
    from handlers.types import ConversationState, InboundMessage

    engine = _engine()
    states: dict[str, ConversationState] = {}
    for line in stdin:
        try:
            query = json.loads(line) if line.strip() else {"text": ""}
            if not isinstance(query, dict):
                raise ValueError("not an object")
            text = str(query.get("text") or "")
            agency = query.get("agency")
            user = query.get("user")
        except ValueError:
            out = {"reply": messages.EMPTY, "intent": "error", "service": None, "aspect": None, "agency": None}
        else:
            state = states.setdefault(str(user), ConversationState()) if user is not None else ConversationState()
            agency = agency if isinstance(agency, str) and agency in engine.kb.agencies else None
            reply = respond(engine, InboundMessage("ask", str(user), text, agency), state)
            out = {"reply": reply.text, "intent": reply.intent, "service": reply.service, "aspect": reply.aspect,
                   "agency": reply.agency}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """Talk to the bot in a terminal, as on WhatsApp (the same turn as every channel)."""
    from bot.messaging.conversation import respond
    from handlers.types import ConversationState, InboundMessage

    engine = _engine()
    state = ConversationState(agency=args.agency)
    print("Simulator percakapan dinsos-bot. Ketik 'keluar' untuk berhenti, 'reset' untuk mulai ulang.")
    while True:
        try:
            text = input("Anda> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text.strip().lower() in ("keluar", "exit", "quit"):
            return 0
        reply = respond(engine, InboundMessage("terminal", "terminal", text, args.agency), state)
        for message in reply.messages:
            print("Bot> " + message.as_text().replace("\n", "\n     ") + "\n")


def _banner(log_format: str) -> Any:
    """Where the start-up lines go: the terminal, or the log as JSON lines (``LOG_FORMAT=json``: a log shipper
    reads every line of the service's output)."""
    if log_format == "json":
        return lambda line: log.info("%s", line.strip())
    return lambda line: print(line, flush=True)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot import logs
    from bot.db.migrate import upgrade
    from bot.web.main import create_app

    settings = get_settings()
    if settings.auto_migrate:
        upgrade(settings.database_url)
    base = f"http://{settings.host}:{settings.port}"
    say = _banner(settings.log_format)
    say(f"dinsos-bot berjalan di {base}")
    if settings.simulator_on:
        say(f"  Simulator chat : {base}/simulator")
    if settings.docs_on:
        say(f"  API (OpenAPI)  : {base}/docs")
    say(f"  Kesehatan      : {base}/healthz")
    if settings.whatsapp_enabled:
        where = settings.public_base_url or base
        say(f"  WhatsApp       : {where}/webhooks/twilio/whatsapp (status: /webhooks/twilio/status)")
    if settings.telegram_enabled:
        mode = "webhook" if settings.public_base_url else "long polling (PUBLIC_BASE_URL kosong)"
        say(f"  Telegram       : {mode}")
    if not settings.simulator_on:
        say("  Simulator chat : mati (SIMULATOR_ENABLED=false)")
    say(f"  Kotak masuk    : {base}/inbox (masuk: {base}/login)")
    say(f"  API petugas    : {base}/api/cases, /api/conversations (masuk: POST {base}/api/token)")
    say("  Admin pertama  : .venv/bin/dinsos-bot users add admin --role admin --password-stdin")
    say("                   (ketik kata sandi, min. 10 karakter, lalu Enter)")
    workers = settings.web_workers
    if workers > 1 and settings.database_url.startswith("sqlite"):
        say("  WEB_WORKERS > 1 needs PostgreSQL (SQLite has one writer): using 1 process")
        workers = 1
    options: dict[str, Any] = {
        "host": settings.host, "port": settings.port, "log_level": settings.log_level.lower(),
        "log_config": logs.config(settings), "proxy_headers": True,
        # Bounded under abuse; slow senders and header sizes are the reverse proxy's job (README "Production").
        "timeout_keep_alive": 5, "limit_concurrency": LIMIT_CONCURRENCY, "timeout_graceful_shutdown": 15,
    }
    if workers > 1:
        uvicorn.run("bot.web.main:create_app", factory=True, workers=workers, **options)
    else:
        uvicorn.run(create_app(settings), **options)
    return 0


def cmd_kb_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from knowledge import kb

    targets = list(args.target)
    if len(targets) == 1 and targets[0] not in kb.slugs():
        return _kb_change(Path(targets[0]), agency=args.agency, apply=args.apply, author=args.author)
    if args.apply or args.agency:
        print("--apply and --agency go with a FILE: dinsos-bot kb import FILE [--agency SLUG] [--apply]")
        return 2
    failed = False
    for entry in kb.registry():
        if targets and entry["slug"] not in targets:
            continue
        result = kb.import_one(entry)
        path = kb.write(result)
        print(f"{entry['slug']}: {len(result.data['services'])} layanan -> {path}")
        for problem in result.problems:
            print(f"  tidak terbaca: {problem}")
        for stale in result.stale_corrections:
            failed = True
            print(f"  KOREKSI TIDAK BERLAKU: {stale}")
    return 1 if failed else 0


def _operator() -> str:
    """Who runs this command: the person behind sudo or a login, not the service's own account."""
    import getpass
    import os

    return os.environ.get("SUDO_USER") or os.environ.get("LOGNAME") or getpass.getuser()


def _kb_change(path: Any, *, agency: str | None, apply: bool, author: str | None) -> int:
    """Check a new or corrected standard, show what would change, and with ``apply`` make it live everywhere."""
    import asyncio

    from bot.messaging import knowledge as live
    from knowledge import kb
    from knowledge.changes import ChangeError, diff, read

    async def run() -> int:
        async with transactor() as transact:
            _, applied = await transact(live.stored)
            current = {slug: applied.get(slug) or kb.read_data(slug) for slug in kb.slugs()}
            try:
                candidate = read(path, agency=agency, current=current)
            except ChangeError as error:
                print(f"{path}: tidak bisa dipakai, tidak ada yang diubah:")
                for problem in error.problems:
                    print(f"  {problem}")
                return 1
            lines = diff(current[candidate.slug], candidate, await transact(live.holidays, candidate.slug))
            print(f"Perubahan untuk {candidate.data['agency']['name']} ({candidate.slug}) dari {path.name}:")
            print("\n".join(f"  {line}" for line in lines) if lines else "  tidak ada perubahan")
            for note in candidate.notes:
                print(f"  catatan: {note}")
            if candidate.slug in await transact(live.outdated):
                print(f"  catatan: knowledge/data/{candidate.slug}.yaml yang terpasang sudah berubah sejak versi "
                      "yang berlaku diterapkan; perubahan di atas dibandingkan dengan versi yang berlaku")
            if not lines:
                return 0
            if not apply:
                print("Belum diterapkan. Periksa di atas, lalu jalankan lagi dengan --apply.")
                return 0
            version = await transact(live.apply, candidate, source=path.name, author=author or _operator(),
                                     summary=lines)
            print(f"Diterapkan (versi {version}): setiap proses yang berjalan memakainya dalam "
                  f"{live.POLL:.0f} detik, tanpa restart.")
            return 0

    return asyncio.run(run())


def cmd_kb_export(args: argparse.Namespace) -> int:
    """The knowledge an agency is answered from now (the applied version, else the installed file), as a file
    ``kb import`` takes back: the starting point for a correction."""
    import asyncio
    from pathlib import Path

    from bot.messaging import knowledge as live
    from knowledge import kb

    if args.agency not in kb.slugs():
        print(f"unknown agency {args.agency!r}; known: {', '.join(kb.slugs())}")
        return 2

    async def run() -> tuple[int, dict[str, Any]]:
        async with transactor() as transact:
            version, applied = await transact(live.stored)
            return version, applied

    version, applied = asyncio.run(run())
    data = applied.get(args.agency) or kb.read_data(args.agency)
    origin = f"applied version (newest: {version})" if args.agency in applied else "the installed file"
    text = f"# {data['agency']['name']}: what the bot answers from now ({origin}).\n" + kb.dump(data)
    if args.to:
        Path(args.to).write_text(text, encoding="utf-8")
        print(f"{args.agency}: {origin} -> {args.to}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_kb_check(args: argparse.Namespace) -> int:
    from knowledge.check import check_all

    errors = check_all()
    for error in errors:
        print(error)
    print("knowledge base OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


def cmd_worker(args: argparse.Namespace) -> int:
    """The outbox and media worker alone (production: several of them with PostgreSQL)."""
    import asyncio
    import signal

    from bot.broadcasts.sending import Broadcaster
    from bot.db.migrate import upgrade
    from bot.messaging.runtime import Runtime
    from bot.messaging.worker import Worker
    from bot.runtime import create_runtime

    settings = get_settings()
    if settings.auto_migrate:
        upgrade(settings.database_url)

    async def run() -> None:
        rt = create_runtime(settings)
        Runtime.freeze_startup_objects()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await asyncio.gather(Worker(rt).run(stop), Broadcaster(rt).run(stop))
        finally:
            await rt.close()

    asyncio.run(run())
    return 0


def _outbox_line(row: Any) -> str:
    error = f" {row.error_code or ''} {row.error or ''}".rstrip()
    return f"{row.id:>7}  {row.channel:<9} {row.status:<11} tries={row.attempts}{error}  {row.body[:50]!r}"


def cmd_outbox_list(args: argparse.Namespace) -> int:
    import asyncio

    from bot.messaging import dead_letters

    async def run() -> None:
        async with transactor() as transact:
            rows = await transact(dead_letters.messages, failed_only=args.failed, limit=args.limit)
        for row in rows:
            print(_outbox_line(row))
        print(f"{len(rows)} row(s)")

    asyncio.run(run())
    return 0


def _retry(what: str, fn: Any, **key: int) -> int:
    """An operator's retry (of an outbox row or a delivery): 0 when queued again, 1 with the reason if not."""
    import asyncio

    from bot.errors import Conflict, NotFound

    async def run() -> int:
        async with transactor() as transact:
            try:
                await transact(fn, **key)
            except (NotFound, Conflict) as exc:
                print(exc, file=sys.stderr)
                return 1
        print(f"{what} {next(iter(key.values()))} queued again")
        return 0

    return asyncio.run(run())


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    from bot.messaging import dead_letters

    return _retry("outbox row", dead_letters.retry_message, outbox_id=args.id)


def _inbound_line(row: Any) -> str:
    from bot.domain.phone import shown

    error = f"  {row.error}" if row.error else ""
    return f"{row.id:>7}  {row.channel:<9} {row.status:<9} tries={row.attempts}  {shown(row.sender)}{error}"


def cmd_inbound_list(args: argparse.Namespace) -> int:
    import asyncio

    from bot.messaging import dead_letters

    async def run() -> None:
        async with transactor() as transact:
            rows = await transact(dead_letters.deliveries, failed_only=args.failed, limit=args.limit)
        for row in rows:
            print(_inbound_line(row))
        print(f"{len(rows)} row(s)")

    asyncio.run(run())
    return 0


def cmd_inbound_retry(args: argparse.Namespace) -> int:
    from bot.messaging import dead_letters

    return _retry("delivery", dead_letters.retry_delivery, inbound_id=args.id)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.db.migrate import upgrade

    upgrade(get_settings().database_url)
    print("database schema is up to date")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dinsos-bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the web service (simulator, webhooks, API)").set_defaults(func=cmd_serve)
    sub.add_parser("ask", help="answer JSON-line questions from stdin").set_defaults(func=cmd_ask)
    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--agency", choices=KNOWN_AGENCIES)
    chat.set_defaults(func=cmd_chat)
    kb = sub.add_parser("kb", help="knowledge base").add_subparsers(dest="kb_command", required=True)
    imp = kb.add_parser("import", help="check a new or corrected standard FILE, show what would change, and "
                        "with --apply make it live in every process; or, given agency slugs (or nothing), import "
                        "knowledge/sources into knowledge/data (keeps corrections)")
    imp.add_argument("target", nargs="*", metavar="FILE|AGENCY",
                     help="an agency's .yaml knowledge file or a standard document; or agency slugs")
    imp.add_argument("--apply", action="store_true", help="store the change: every process answers from it")
    imp.add_argument("--agency", help="whose standard a document (.txt, .html) is")
    imp.add_argument("--author", help="who applies it, for the history (default: the login running this)")
    exp = kb.add_parser("export", help="print what an agency is answered from now, as a file kb import takes")
    exp.add_argument("agency")
    exp.add_argument("--to", help="write it to this file instead")
    exp.set_defaults(func=cmd_kb_export)
    imp.set_defaults(func=cmd_kb_import)
    kb.add_parser("check", help="validate knowledge/data").set_defaults(func=cmd_kb_check)
    sub.add_parser("worker", help="run the outbox/media worker alone").set_defaults(func=cmd_worker)
    box = sub.add_parser("outbox", help="outgoing messages").add_subparsers(dest="outbox_command", required=True)
    lst = box.add_parser("list", help="list outgoing messages, newest first")
    lst.add_argument("--failed", action="store_true", help="only failed and dead-lettered messages")
    lst.add_argument("--limit", type=int, default=50)
    lst.set_defaults(func=cmd_outbox_list)
    rty = box.add_parser("retry", help="queue a failed message again")
    rty.add_argument("id", type=int)
    rty.set_defaults(func=cmd_outbox_retry)
    inbound = sub.add_parser("inbound", help="messages received from citizens").add_subparsers(
        dest="inbound_command", required=True)
    lst = inbound.add_parser("list", help="list received deliveries, newest first")
    lst.add_argument("--failed", action="store_true", help="only deliveries that could not be answered")
    lst.add_argument("--limit", type=int, default=50)
    lst.set_defaults(func=cmd_inbound_list)
    rty = inbound.add_parser("retry", help="answer a failed delivery again")
    rty.add_argument("id", type=int)
    rty.set_defaults(func=cmd_inbound_retry)
    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="upgrade the schema to the latest version").set_defaults(func=cmd_db_upgrade)
    register(sub)
    return parser


def share_metrics(settings_dir: str | None, *, several: bool) -> None:
    """The service's processes count into one folder (prometheus-client's multiprocess mode), which must be
    chosen before anything imports prometheus_client: ``METRICS_DIR``, or, for several web processes without
    it, a new temporary folder, removed when they stop (the worker processes then count apart, and /metrics
    does not show them). A folder that cannot be made costs the metrics, never the service."""
    import atexit
    import os
    import shutil
    import tempfile
    from pathlib import Path

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    if settings_dir:
        try:
            Path(settings_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("METRICS_DIR %s cannot be used (%s): this process counts alone", settings_dir,
                        type(exc).__name__)
            return
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = settings_dir
    elif several:
        folder = tempfile.mkdtemp(prefix="dinsos-bot-metrics-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bot import logs

    settings = get_settings()
    logs.configure(settings)
    if args.func in (cmd_serve, cmd_worker):  # the service's processes; a command run by hand counts nothing
        share_metrics(settings.metrics_dir, several=args.func is cmd_serve and settings.web_workers > 1)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
