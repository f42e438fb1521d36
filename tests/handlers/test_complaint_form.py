"""The pengaduan form in the engine alone (no database): answers that look like questions, and questions that
look like answers."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import Dialog, verify_dialog

D = Callable[..., Dialog]
NIK = "6301050101800002"


def test_names_and_places_that_contain_aspect_words_are_answers(dialog: D) -> None:
    """A bench with a thousand generated citizens found "Warga Hp" taken for a question about contacts."""
    verify_dialog(dialog("tanah-laut"), [
        ("lapor", "setuju"), ("setuju", "Masalahnya tentang apa"), ("1", "nama lengkap"),
        ("Warga Hp", "NIK"), (NIK, "kecamatan"), ("Alamat Jaya", "desa"), ("Desa Fb", "Ceritakan"),
        ("syaratnya apa?", ["Kembali ke pengaduan", "Ceritakan"]),
        ("kartu saya hilang di pasar minggu lalu", "KTP"),
    ])


def test_a_question_in_the_middle_is_answered_and_the_form_resumes(dialog: D) -> None:
    verify_dialog(dialog("tanah-laut"), [
        ("lapor", "setuju"), ("setuju", "Masalahnya tentang apa"), ("1", "nama lengkap"),
        ("jam buka kantor?", ["08.00", "Kembali ke pengaduan", "nama lengkap"]),
        ("Siti Aminah", "NIK"),
    ])


def test_a_wrong_nik_is_explained_and_never_echoed(dialog: D) -> None:
    d = dialog("tanah-laut")
    verify_dialog(d, [("lapor", "setuju"), ("setuju", "Masalahnya"), ("1", "nama"), ("Siti Aminah", "NIK")])
    for wrong, says in (("63010545019000", "16 angka"), ("630105450190000A", "hanya berisi angka"),
                        ("9901054501900002", "kode provinsi"), ("6301051399900002", "tanggal lahir")):
        reply = d.say(wrong)
        assert says in reply.text and wrong not in reply.text, (wrong, reply.text)
    assert "kecamatan" in d.say(NIK).text
