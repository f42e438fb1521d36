"""Understanding citizens as they write: problems told as stories, regional words, amounts, yes/no questions,
narrow details, misspellings, and the conversations around them. Examples written for these tests (never taken
from the evaluation sets)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Dialog, verify_dialog

D = Callable[..., Dialog]


# --- stories --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("agency", "story", "says"), [
    ("tanah-laut", "tiap pencairan kami disuruh setor 20 ribu ke ketua kelompok, katanya uang lelah",
     "tidak boleh dipotong"),
    ("sragen", "buku tabungan sama kartu atm ibu saya disimpan pendamping, kalau mau ambil harus lewat dia",
     "milik KPM"),
    ("magetan", "sudah setahun jadi kpm tapi kartunya belum pernah dibagikan ke saya",
     "diserahkan langsung"),
    ("tarakan", "harusnya terima Rp1.200.000 tapi yang masuk cuma 600rb, sisanya entah kemana",
     "sesuai jumlah"),
    ("tanah-laut", "saldo di kks nol terus dari bulan juni, tiap ke agen katanya belum ada dana",
     "belum diterima"),
    ("sragen", "tonggo kiwa tengen oleh kabeh, aku dhewe sing ora tau oleh, padahal omahku reyot",
     "memeriksa data"),
    ("tanah-laut", "antri dari jam 5 subuh, jam 10 nomor antrian sudah habis, disuruh balik besok",
     "antrean"),
    ("magetan", "petugas di loket ngomongnya kasar, saya dimarahi cuma karena tanya",
     "sopan"),
])
def test_a_problem_told_as_a_story_is_a_complaint_with_empathy(dialog: D, agency: str, story: str,
                                                               says: str) -> None:
    reply = dialog(agency).say(story)
    assert reply.intent == "complaint", reply.text
    assert says.lower() in reply.text.lower() and "lapor" in reply.text


def test_a_story_without_any_complaint_phrase_is_still_a_complaint(dialog: D) -> None:
    reply = dialog("magetan").say("anak saya tiga, suami sudah meninggal, rumah numpang di mertua, "
                                  "dari dulu belum sekali pun dapat bantuan apa apa")
    assert reply.intent == "complaint" and "895021" in reply.text


def test_a_problem_a_service_fixes_names_the_service_and_what_to_bring(dialog: D) -> None:
    reply = dialog("tanah-laut").say("pas mau kontrol ke rs ternyata kartu pbi bapak sudah mati, disuruh bayar umum")
    assert reply.intent == "complaint" and reply.service == "aktivasi-bpjs-penerima-bantuan-iuran-pbi-apbd"
    assert "Aktivasi BPJS" in reply.text and "SKTM" in reply.text and "1 hari kerja" in reply.text


def test_a_lost_card_story_lists_only_the_lost_card_documents(dialog: D) -> None:
    reply = dialog("tanah-laut").say("dompet saya kecopetan di pasar, kks ikut hilang, bulan ini gimana ambilnya")
    assert reply.intent == "complaint" and "Kepolisian" in reply.text and "BNBA" not in reply.text


def test_where_the_standard_says_who_handles_it_that_line_is_quoted(dialog: D) -> None:
    reply = dialog("sragen").say("atm kks suami ketelan mesin atm bank, uangnya jadi gak bisa diambil")
    assert reply.intent == "complaint" and "pendamping sosial" in reply.text


def test_the_complaint_reply_is_short_enough_for_a_phone(dialog: D) -> None:
    for agency in ("tanah-laut", "sragen", "magetan", "tarakan"):
        reply = dialog(agency).say("kartu kks saya hilang waktu banjir kemarin, bantuannya bagaimana nanti")
        assert len(reply.text) <= 1200 and reply.text.count("\n") <= 20, (agency, reply.text)


# --- regional words and amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(("agency", "says", "expects"), [
    ("sragen", "bpnt niku syaratipun nopo mawon", ["SP2D"]),
    ("magetan", "kks pinten dinten dadose", ["15 hari"]),
    ("sragen", "ngurus bpnt mbayar ora", ["gratis"]),
    ("tanah-laut", "ulun handak takon, syarat kks hilang kaya apa", ["Kepolisian"]),
    ("tanah-laut", "berapa lawas ngurus pbi", ["1 hari kerja"]),
])
def test_regional_words_are_understood(dialog: D, agency: str, says: str, expects: list[str]) -> None:
    verify_dialog(dialog(agency), [(says, [*expects, "intent:answer"])])


def test_javanese_greeting_and_wish_to_ask_is_a_greeting(dialog: D) -> None:
    assert dialog("magetan").say("sugeng siang bu, kulo badhe nyuwun pirsa").intent == "greeting"


@pytest.mark.parametrize("story", [
    "dijanjikan 900 ribu, yang diterima 450 ribu",
    "katanya dapat Rp 1,5 juta ternyata cuma 750rb",
    "jatahnya 2 jt tapi kami cuma terima 1.000.000",
])
def test_two_amounts_in_a_story_are_aid_received_short(dialog: D, story: str) -> None:
    reply = dialog("tarakan").say(story)
    assert reply.intent == "complaint" and "sesuai jumlah" in reply.text


# --- yes/no questions and narrow details ------------------------------------------------------------------------


def test_a_yes_no_question_about_a_listed_document_is_answered_yes(dialog: D) -> None:
    reply = dialog("tanah-laut").say("kks hilang apakah wajib ada surat kehilangan dari polisi?")
    assert reply.intent == "answer" and reply.text.split("\n")[1].startswith("*Ya*")
    assert "Kepolisian" in reply.text


def test_a_yes_no_question_about_an_unlisted_document_is_answered_no_with_the_list(dialog: D) -> None:
    reply = dialog("tanah-laut").say("urus surat dtks harus bawa skck gak")
    assert reply.intent == "answer" and "*Tidak*" in reply.text and "Sumber" in reply.text


def test_the_detail_asked_comes_first(dialog: D) -> None:
    reply = dialog("tanah-laut").say("rekomendasi adopsi nanti diteruskan ke mana")
    first = reply.text.split("\n")[1]
    assert first.startswith("👉") and "Provinsi" in reply.text.split("*Selengkapnya:*")[0]


def test_what_the_aid_may_be_spent_on(dialog: D) -> None:
    reply = dialog("sragen").say("uang bpnt boleh buat beli pulsa gak")
    assert "karbohidrat" in reply.text.split("*Selengkapnya:*")[0]


def test_which_letter_a_case_gets(dialog: D) -> None:
    reply = dialog("tarakan").say("kalau data kpm mau diubah nanti dapat surat apa")
    assert reply.text.split("\n")[1] == "👉 Surat Keterangan Perubahan Data"


def test_a_vague_requirement_is_said_to_be_vague(dialog: D) -> None:
    reply = dialog("tanah-laut").say("syarat mundur bpjs apa")
    assert "tanpa rincian" in reply.text and "0822-5225-4224" in reply.text


def test_a_citizen_registering_gets_the_registration_path_not_office_steps(dialog: D) -> None:
    reply = dialog("magetan").say("gimana caranya biar keluarga saya bisa daftar jadi penerima sembako")
    assert "desa/kelurahan" in reply.text and "koordinasi dengan Bank" not in reply.text


# --- misspelled services --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("says", "expects"), [
    ("syarat karang tarona", "Kepala Desa"),
    ("adobsi anak brp lama", "17 hari"),
    ("persyaratan sanding dta", "Sanding"),
])
def test_misspelled_service_names(dialog: D, says: str, expects: str) -> None:
    reply = dialog("tanah-laut").say(says)
    assert reply.intent == "answer" and expects.lower() in reply.text.lower(), reply.text


def test_misspelled_programme_in_javanese(dialog: D) -> None:
    reply = dialog("sragen").say("bpmt syarate opo")
    assert reply.intent == "answer" and "SP2D" in reply.text


# --- never the wrong office -------------------------------------------------------------------------------------


def test_another_agencys_service_is_not_answered_with_ours(dialog: D) -> None:
    for agency in ("sragen", "magetan", "tarakan"):
        reply = dialog(agency).say("syarat izin operasional panti asuhan apa")
        assert reply.intent == "fallback" and "Tanah Laut" in reply.text and "NPWP" not in reply.text


def test_a_place_inside_a_story_does_not_move_the_conversation(dialog: D) -> None:
    d = dialog("magetan")
    d.say("syarat kks apa")
    reply = d.say("kakak saya di sragen dapat bpnt tiap bulan, saya di sini kok tidak pernah dapat")
    assert reply.intent == "complaint" and d.state.agency == "magetan" and "895021" in reply.text


def test_saying_where_one_lives_still_moves_it(dialog: D) -> None:
    d = dialog("magetan")
    d.say("syarat kks apa")
    d.say("maaf saya warga sragen, bpnt saya tidak pernah cair")
    assert d.state.agency == "sragen"


def test_another_office_subject_is_not_a_service(dialog: D) -> None:
    reply = dialog("tanah-laut").say("bpjs ketenagakerjaan suami mau dicairkan syaratnya apa")
    assert reply.intent == "fallback" and "SKTM" not in reply.text


# --- conversations ----------------------------------------------------------------------------------------------


def test_follow_up_yes_no_after_a_list(dialog: D) -> None:
    verify_dialog(dialog("tanah-laut"), [
        ("syarat kks hilang", ["Kepolisian"]),
        ("kalo surat dr kelurahan juga perlu ya?", ["*Ya*", "Kelurahan", "intent:answer"]),
        ("kalau materai perlu gak", ["*Tidak*"]),
    ])


def test_officer_with_a_place_in_the_same_message(dialog: D) -> None:
    d = dialog()
    reply = d.say("saya dari sragen mau ngobrol sama petugas")
    assert reply.intent == "handoff" and "0271-891043" in reply.text and d.state.agency == "sragen"


def test_officer_then_region_by_number(dialog: D) -> None:
    verify_dialog(dialog(), [("mau bicara dengan petugas", ["intent:clarify"]), ("3", ["intent:handoff", "895021"])])


def test_hours_follow_up_for_a_day_and_another_region(dialog: D) -> None:
    verify_dialog(dialog("tanah-laut"), [
        ("jam buka kantor", ["WITA"]),
        ("kalo jumat?", ["11.30"]),
    ])
    verify_dialog(dialog("magetan"), [("nomor telepon dinsos", ["895021"]), ("kalau yang sragen?", ["891043"])])


@pytest.mark.parametrize(("says", "intent", "expects"), [
    ("halo ada orang?", "greeting", "otomatis"),
    ("ini bot ya?", "greeting", "petugas"),
    ("kalau saya lapor takut ketahuan terus dicoret", "complaint", "Anonim"),
    ("status pengaduan saya gimana", "status", "Belum ada pengaduan yang tercatat"),
    ("bisa kirim foto kk disini?", "answer", "Bisa"),
])
def test_questions_about_the_bot_and_complaining(dialog: D, says: str, intent: str, expects: str) -> None:
    reply = dialog("tanah-laut").say(says)
    assert reply.intent == intent and expects in reply.text, reply.text


def test_elderly_and_disabled_gets_that_service(dialog: D) -> None:
    reply = dialog("tanah-laut").say("nenek saya sudah sepuh 81 tahun, lumpuh, ada bantuan dari dinsos?")
    assert reply.intent == "answer" and reply.service == "layanan-bantuan-sosial-dasar-lanjut-usia-disabilitas"


def test_decorated_letters_are_read(dialog: D) -> None:
    reply = dialog("tanah-laut").say("s̷y̸a̶r̵a̷t̸ k̶k̷s̸ h̵i̶l̷a̸n̵g̶")
    assert reply.intent == "answer" and "Kepolisian" in reply.text


@pytest.mark.parametrize(("says", "not_intent"), [
    ("ada petugas yang minta bayaran", "greeting"),  # a report, not "is anyone there?"
    ("apakah adopsi perlu foto ktp?", "none"),  # a requirement question, not "can I send photos here?"
])
def test_questions_about_the_bot_never_take_a_report_or_a_service_question(dialog: D, says: str,
                                                                         not_intent: str) -> None:
    reply = dialog("tanah-laut").say(says)
    assert reply.intent != not_intent and "otomatis" not in reply.text and "boleh dikirim di sini" not in reply.text


def test_yes_needs_every_document_asked_in_the_line(dialog: D) -> None:
    d = dialog("tanah-laut")
    d.say("syarat izin operasional lks")
    reply = d.say("perlu bawa ktp asli nggak?")  # the standard asks for a photocopy
    assert "*Ya*" not in reply.text


def test_a_complaint_lists_no_other_case_documents(dialog: D) -> None:
    reply = dialog("tarakan").say("kartu kks saya ditahan ketua kelompok sudah tiga bulan")
    assert reply.intent == "complaint" and "Akte Kematian" not in reply.text and "hilang" not in reply.text.lower()


def test_can_it_be_done_at_the_office_is_answered_yes(dialog: D) -> None:
    reply = dialog("tanah-laut").say("urus pin kks keblokir bisa di kantor dinsos?")
    assert "*Ya*, layanan ini diurus di *Dinsos Kab. Tanah Laut*" in reply.text and "FC Buku Tabungan" in reply.text


def test_what_the_aid_consists_of_when_the_product_only_names_the_service(dialog: D) -> None:
    d = dialog("sragen")
    reply = d.say("bpnt itu yang dikasih apa")
    text = reply.text + (d.say("lanjut").text if "*lanjut*" in reply.text else "")
    assert reply.aspect == "products" and "karbohidrat" in text


def test_who_hands_out_the_cards(dialog: D) -> None:
    reply = dialog("magetan").say("yg bagiin kks siapa ya")
    assert "👉 Pendistribusian Kartu Keluarga Sejahtera" in reply.text
