"""Whole conversations, written the way citizens write (informal, typos, follow-ups)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from handlers.engine import Engine
from handlers.types import ConversationState, InboundMessage
from knowledge.loader import load
from tests.conftest import Dialog, verify_dialog

D = Callable[..., Dialog]


@pytest.mark.parametrize(("agency", "says", "expects"), [
    ("tanah-laut", "kks sy ilang, hrs bawa apa aja?", ["Kepolisian", "intent:answer"]),
    ("tanah-laut", "pin atm kks keblokir syaratnya", ["FC Buku Tabungan"]),
    ("tanah-laut", "mau bikin kks baru, persyaratanya apa", ["BNBA"]),
    ("tanah-laut", "brp lama ngurus surat dtks", ["1 hari kerja"]),
    ("tanah-laut", "adopsi anak bayar gak", ["tidak dipungut biaya"]),
    ("tanah-laut", "lama proses adopsi brp hari", ["17 hari 3 jam 30 menit"]),
    ("tanah-laut", "bpjs sy mati gmn cara aktifin", ["SKTM", "E-DABU"]),
    ("tanah-laut", "syarat bantuan lansia", ["60 Tahun"]),
    ("tanah-laut", "rumah kebakaran bisa dapat bantuan?", ["Laporan Bencana"]),
    ("tanah-laut", "izin galang dana perlu apa", ["Proposal"]),
    ("tanah-laut", "anak sy ditangkap polisi bs didampingi?", ["Surat Permintaan Pendampingan"]),
    ("tanah-laut", "jam buka dinsos", ["08.00–16.30 WITA", "11.30"]),
    ("tanah-laut", "alamat kantornya dmn", ["Boejasin"]),
    ("tanah-laut", "nomor wa pengaduan", ["0822-5225-4224"]),
    ("tanah-laut", "dasar hukum karang taruna", ["Karang Taruna"]),
    ("tarakan", "kks hilang syaratnya", ["Surat Keterangan dari Kelurahan", "E-Warong"]),
    ("tarakan", "rincian sop sembako", ["Kabid Sosial", "10 menit"]),
    ("sragen", "bpnt bs dicairkan tunai gak? gmn mekanismenya", ["tunai", "Camat"]),
    ("sragen", "no telp pengaduan bpnt", ["0271-891043"]),
    ("magetan", "instagram dinsos", ["dinsos_magetan"]),
    ("magetan", "brp lama kks sampai ke warga", ["15 hari"]),
    ("tanah-laut", "syrt karang trna", ["Kepala Desa"]),
    ("tanah-laut", "persyartan aktifasi bpjs pbi", ["SKTM"]),
    ("tanah-laut", "brpa lma pengangktan anak", ["17 hari"]),
    ("tanah-laut", "usia berapa anak terlantar bisa dibantu", ["18 tahun"]),
    ("sragen", "bpnt harus dibelanjakan apa", ["karbohidrat"]),
    ("tarakan", "kenapa kks harus ganti di dinsos", ["E-Warong"]),
    ("tanah-laut", "jumat buka sampai jam brp", ["11.30"]),
    ("tanah-laut", "ijin operasional panti jompo syaratnya", ["NPWP"]),
    ("tarakan", "mau ganti data kpm karena suami meninggal", ["Akte Kematian"]),
    ("sragen", "bantuan bpnt boleh dibelikan apa saja", ["karbohidrat"]),
])


def test_informal_questions_get_the_standard_answer(dialog: D, agency: str, says: str, expects: list[str]) -> None:
    verify_dialog(dialog(agency), [(says, expects)])


def test_a_run_on_message_gets_every_part_answered(dialog: D) -> None:
    reply = dialog("tanah-laut").say(
        "assalamualaikum, mau tanya dong, kemarin kks saya hilang waktu ke pasar, terus harus ngapain ya, bayar gak?")
    assert reply.intent == "answer"
    assert "Kepolisian" in reply.text and "gratis" in reply.text


def test_asking_for_an_officer(dialog: D) -> None:
    reply = dialog("tanah-laut").say("pengen ngobrol sama petugas")
    assert reply.intent == "handoff" and "0822-5225-4224" in reply.text


def test_living_elsewhere_is_told_politely(dialog: D) -> None:
    reply = dialog().say("sy tinggal di jakarta")
    assert reply.intent == "clarify" and "belum melayani" in reply.text


def test_naming_only_a_place_sets_the_agency(dialog: D) -> None:
    d = dialog()
    reply = d.say("kabupaten sragen")
    assert reply.intent == "greeting" and "Kabupaten Sragen" in reply.text and d.state.agency == "sragen"


def test_small_talk(dialog: D) -> None:
    d = dialog("tanah-laut")
    assert d.say("selamat pagi").intent == "greeting"
    assert d.say("makasih ya min").intent == "thanks"
    assert d.say("apa saja layanan dinsos").intent == "menu"


def test_follow_ups_use_the_conversation_context(dialog: D) -> None:
    verify_dialog(dialog("tanah-laut"), [
        ("mau nanya soal karang taruna", ["Kepala Desa", "intent:answer"]),
        ("brp lama?", ["1 hari kerja"]),
        ("bayar ga?", ["gratis"]),
        ("prosedurnya gimana", ["Front Office"]),
        ("kalau kks ilang?", ["Kepolisian"]),
        ("biayanya?", ["gratis"]),
    ])


def test_variant_follow_up_keeps_the_aspect(dialog: D) -> None:
    d = dialog("tanah-laut")
    first = d.say("syarat rekomendasi kks")
    assert "Kepolisian" in first.text and "BNBA" in first.text  # all three variants
    second = d.say("yg rusak aja")
    assert "FC Buku Tabungan" in second.text and "Kepolisian" not in second.text


def test_agency_is_asked_once_then_remembered(dialog: D) -> None:
    d = dialog()
    verify_dialog(d, [
        ("syarat kks hilang", ["intent:clarify", "kabupaten/kota"]),
        ("4", ["Kepolisian", "Kabupaten Tanah Laut"]),
        ("jam buka?", ["WITA"]),
    ])
    assert d.state.agency == "tanah-laut"


def test_a_service_only_one_agency_has_says_whose_it_is_and_asks(dialog: D) -> None:
    d = dialog()
    first = d.say("syarat aktivasi bpjs pbi")  # a Sragen resident must not read "Warga Tanah Laut ..." unwarned
    assert first.intent == "clarify" and "Tanah Laut" in first.text and "SKTM" not in first.text
    second = d.say("4")
    assert second.intent == "answer" and second.agency == "tanah-laut" and "SKTM" in second.text
    other = dialog()
    other.say("syarat aktivasi bpjs pbi")
    elsewhere = other.say("2")  # Sragen: its standard has no PBI activation
    assert elsewhere.intent == "fallback" and "SKTM" not in elsewhere.text and "Sragen" in elsewhere.text


def test_place_named_in_the_message_sets_the_agency(dialog: D) -> None:
    d = dialog()
    reply = d.say("kks hilang di tarakan gmn")
    assert reply.agency == "tarakan" and d.state.agency == "tarakan"


def test_a_kabupaten_we_do_not_serve_gets_a_polite_answer(dialog: D) -> None:
    d = dialog()
    d.say("syarat kks hilang")
    reply = d.say("kabupaten bogor")
    assert reply.intent == "clarify" and "belum melayani" in reply.text
    assert d.say("2").agency == "sragen"


def test_single_agency_deployment_never_asks() -> None:
    kb, lexicon = load(["magetan"])
    engine = Engine(kb, lexicon)
    reply = engine.turn(InboundMessage("test", "u", "syarat kks"), ConversationState())
    assert reply.intent == "answer" and "DTKS" in reply.text


@pytest.mark.parametrize("says", [
    "saldo kks sy kosong padahal blm diambil", "bantuan sy dipotong ketua kelompok 50rb",
    "kartu kks saya ditahan pendamping", "udah terdaftar tp bansos gk pernah cair",
    "nama saya dicoret dari penerima bpnt", "lapor",
])
def test_problems_are_complaints(dialog: D, says: str) -> None:
    reply = dialog("tanah-laut").say(says)
    assert reply.intent == "complaint"
    assert "0822-5225-4224" in reply.text


def test_a_question_about_complaint_channels_is_an_answer(dialog: D) -> None:
    reply = dialog("sragen").say("pengaduan bpnt kemana")
    assert reply.intent == "answer" and "0271-891043" in reply.text


@pytest.mark.parametrize("says", [
    "cara bikin ktp elektronik", "jadwal pertandingan bola", "harga beras berapa", "qwerty uiop",
    "siapa presiden indonesia", "cara daftar beasiswa kuliah",
])
def test_outside_the_standards_is_a_kind_fallback(dialog: D, says: str) -> None:
    reply = dialog("tanah-laut").say(says)
    assert reply.intent == "fallback"
    assert "tidak tercakup" in reply.text and "petugas" in reply.text


def test_menu_lists_services_and_a_number_picks_one(dialog: D) -> None:
    d = dialog("tanah-laut")
    menu = d.say("menu")
    assert menu.intent == "menu" and "10. Tanda Daftar Karang Taruna" in menu.text
    assert "Kepala Desa" in d.say("10").text


def test_aspect_without_service_asks_which_service(dialog: D) -> None:
    d = dialog("tanah-laut")
    reply = d.say("syaratnya apa ya")
    assert reply.intent == "clarify" and reply.messages[0].choices
    assert "SKTM" in d.say("1").text


def test_long_answers_are_paged(dialog: D) -> None:
    d = dialog("tanah-laut")
    first = d.say("prosedur bantuan lansia")
    assert "lanjut" in first.text and len(first.text) < 1600
    rest = d.say("lanjut")
    assert "Penyaluran Bantuan" in rest.text or "lanjut" in rest.text


@pytest.mark.parametrize("says", [
    "", "   ", "😀😀🙏", "\x00\x07\x1b[31m", "<script>alert(1)</script>", "'; DROP TABLE messages; --",
    "a" * 10_000, "syarat kks hilang " * 800,
])
def test_bad_input_gets_a_polite_reply(dialog: D, says: str) -> None:
    reply = dialog("tanah-laut").say(says)
    assert reply.text and len(reply.text) <= 1600
    assert "<script>" not in reply.text
    assert reply.intent in ("empty", "fallback", "answer", "clarify")


def test_replies_fit_whatsapp(engine: Engine) -> None:
    """Every aspect of every service fits one WhatsApp message (1,600 characters)."""
    for agency in engine.kb.agencies.values():
        for service in agency.services:
            for aspect in ("syarat", "biaya", "lama", "prosedur", "produk", "pengaduan", "dasar hukum",
                           "fasilitas", "detail"):
                state = ConversationState(agency=agency.slug, service=f"{agency.slug}/{service.id}")
                reply = engine.turn(InboundMessage("t", "u", aspect, agency.slug), state)
                assert len(reply.text) <= 1600, (service.id, aspect, len(reply.text))
                assert reply.intent == "answer", (service.id, aspect, reply.text)


def test_reset_forgets_the_context(dialog: D) -> None:
    d = dialog("tanah-laut")
    d.say("syarat karang taruna")
    assert d.say("reset").intent == "reset"
    assert d.state.service is None
    assert d.say("brp lama?").intent == "clarify"
