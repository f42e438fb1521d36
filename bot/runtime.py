"""The composition root: a ``Runtime`` with the channels this deployment has (settings decide which).

Only the top (web app, CLI) imports this module; the layers below receive what they need.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from bot.cases.local import Cached
from bot.channels import simulator, telegram, whatsapp_twilio
from bot.db.session import make_engine, make_sessionmaker
from bot.db.transact import Transactor
from bot.domain.protect import Protector, new_key, parse_key, parse_keys
from bot.messaging.channel import Channel
from bot.messaging.runtime import Runtime
from bot.settings import Settings
from handlers.engine import Engine
from knowledge.loader import load

log = logging.getLogger(__name__)


def protector(settings: Settings) -> Protector:
    """What encrypts NIKs and case photos: ``DATA_KEY`` (its first key; the others, older, still open what they
    sealed until ``keys rotate`` has run), or in development a key made once in ``DATA_KEY_FILE`` (production
    refuses to start without DATA_KEY: see ``Settings``)."""
    if settings.data_key and settings.data_key.strip():
        return Protector(*parse_keys(settings.data_key))
    path = Path(settings.data_key_file) if settings.data_key_file else Path(settings.media_dir).parent / "data.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(new_key() + "\n")
        log.warning("DATA_KEY is not set: made a development key in %s (set DATA_KEY in production, and keep "
                    "a copy: without it stored NIKs and photos cannot be read)", path)
    return Protector(parse_key(path.read_text().strip()))


def channels(settings: Settings) -> dict[str, Channel]:
    made = [simulator.channel()]
    if settings.whatsapp_enabled:
        made.append(whatsapp_twilio.channel(settings))
    if settings.telegram_enabled:
        made.append(telegram.channel(settings))
    return {channel.name: channel for channel in made}


def create_runtime(settings: Settings) -> Runtime:
    db = make_engine(settings.database_url)
    kb, lexicon = load(settings.agencies)
    keys = protector(settings)
    local = Cached()
    return Runtime(settings=settings, db=db, sessionmaker=make_sessionmaker(db),
                   transact=Transactor(settings.database_url, db),
                   engine=Engine(kb, lexicon, protector=keys, closed_days=local.closed, inbox=True,
                                  schedules=local.schedules),
                   channels=channels(settings), protector=keys, local=local)
