"""The composition root: a ``Runtime`` with the channels this deployment has (settings decide which).

Only the top (web app, CLI) imports this module; the layers below receive what they need.
"""

from __future__ import annotations

from bot.channels import simulator, telegram, whatsapp_twilio
from bot.db.session import make_engine, make_sessionmaker
from bot.db.transact import Transactor
from bot.messaging.channel import Channel
from bot.messaging.runtime import Runtime
from bot.settings import Settings
from handlers.engine import Engine
from knowledge.loader import load


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
    return Runtime(settings=settings, db=db, sessionmaker=make_sessionmaker(db),
                   transact=Transactor(settings.database_url, db), engine=Engine(kb, lexicon),
                   channels=channels(settings))
