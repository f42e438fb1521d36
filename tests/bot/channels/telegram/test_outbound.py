"""Telegram formatting: WhatsApp markup to Telegram HTML, everything else escaped."""

from __future__ import annotations

from bot.channels.telegram.outbound import to_html


def test_telegram_html_escapes_and_keeps_whatsapp_markup() -> None:
    assert to_html("*Syarat* <b>x</b> & _catatan_") == "<b>Syarat</b> &lt;b&gt;x&lt;/b&gt; &amp; <i>catatan</i>"
