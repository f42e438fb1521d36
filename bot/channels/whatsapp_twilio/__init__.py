"""WhatsApp through Twilio: signed form webhooks in, the Messages REST API out, media from the account's own URLs."""

from __future__ import annotations

from bot.channels.whatsapp_twilio import inbound, media
from bot.channels.whatsapp_twilio.outbound import TwilioSender
from bot.messaging.channel import Channel
from bot.settings import Settings

TEXT_LIMIT = 1600  # characters of one WhatsApp message through Twilio


def channel(settings: Settings) -> Channel:
    fetcher = media.Fetcher(settings)
    return Channel(name=inbound.CHANNEL, parse=inbound.parse, text_limit=TEXT_LIMIT, buttons=False,
                   sender=TwilioSender(settings), fetch=fetcher, max_download=settings.media_max_bytes,
                   send_rate=settings.twilio_send_rate, close=fetcher.close)
