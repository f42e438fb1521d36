"""Provider values made safe to store: the cleaning rules and their invariants."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.messaging.clean import ELLIPSIS, Limits, clean, fit, fit_incoming
from handlers.types import InboundMessage, MediaRef

INVISIBLE = "\x00\x07\x1b\x7f\x85\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e" \
            "\u2060\u2066\u2067\u2068\u2069\ufeff"


def test_controls_bidi_and_zero_width_characters_are_removed_newline_and_tab_kept() -> None:
    assert clean("Ibu\x00 Siti\u202e\u200b Aminah\u2066") == "Ibu Siti Aminah"
    assert clean("baris 1\r\nbaris 2\tkolom") == "baris 1\nbaris 2\tkolom"
    assert clean(INVISIBLE) == ""
    assert clean("saldo kosong 😀 Rp600.000") == "saldo kosong 😀 Rp600.000"


def test_a_long_value_is_cut_to_its_column_with_an_ellipsis() -> None:
    assert fit("a" * 10, 10) == "a" * 10
    assert fit("a" * 11, 10) == "a" * 9 + ELLIPSIS
    assert fit(None, 10) is None
    assert fit("\x00" * 50 + "ok", 5) == "ok"


def test_every_field_of_a_delivery_is_fitted() -> None:
    limits = Limits(user=8, display_name=5, phone=16, media_source=12, media_type=6, file_name=7, text=9)
    incoming = InboundMessage("telegram", "12345678901", "halo\x00 " + "x" * 20, external_id="1",
                              display_name="\u202eNama Panjang",
                              media=(MediaRef("https://x/" + "a" * 20, "application/pdf", "surat_\x00kematian.pdf",
                                              9),))
    fitted = fit_incoming(incoming, limits)
    assert fitted.user == "1234567…" and fitted.display_name == "Nama…" and fitted.text == "halo xxx…"
    media = fitted.media[0]
    assert media.source == "https://x/a…" and media.declared_type == "appli…" and media.file_name == "surat_…"
    assert media.declared_size == 9 and fitted.external_id == "1"


@given(st.text(), st.integers(min_value=1, max_value=300))
def test_fitting_never_exceeds_the_limit_and_leaves_nothing_invisible(value: str, limit: int) -> None:
    fitted = fit(value, limit)
    assert fitted is not None and len(fitted) <= limit
    assert not set(fitted) & set(INVISIBLE)
    assert "\r" not in fitted


@given(st.text())
def test_cleaning_is_idempotent_and_only_removes(value: str) -> None:
    once = clean(value)
    assert clean(once) == once
    assert set(once) <= set(value) | {"\n"}
