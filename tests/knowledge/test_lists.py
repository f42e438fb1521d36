"""The cell reader copes with the formats the OCR'd standards use."""

from knowledge.importer.lists import split_items


def test_numbered_items_run_together_on_one_line() -> None:
    _, items = split_items("1. Foto copy KTP 2. Foto copy KK 3. Masuk dalam DTKS 4. Masuk data bayar SP2D")
    assert items == ["Foto copy KTP", "Foto copy KK", "Masuk dalam DTKS", "Masuk data bayar SP2D"]


def test_html_list_with_dashes_and_semicolons() -> None:
    cell = '<ul style="list-style-type: none"> - Fotocopy KK/KTP; - Fotocopy KKS(Kartu Kesejahteraan Sosial); ' \
           '- Surat Keterangan dari Kelurahan.'
    _, items = split_items(cell)
    assert items == ["Fotocopy KK/KTP", "Fotocopy KKS(Kartu Kesejahteraan Sosial)", "Surat Keterangan dari Kelurahan"]


def test_nested_variants_keep_their_own_documents() -> None:
    cell = ("<ol> 1. Untuk Pembuatan Baru <ul> - FC KTP - FC Kartu Keluarga 2. Karena Hilang : <ul> - FC KTP "
            "- Surat Keterangan Kehilangan dari Kepolisian")
    _, items = split_items(cell)
    assert items == [
        {"text": "Untuk Pembuatan Baru", "items": ["FC KTP", "FC Kartu Keluarga"]},
        {"text": "Karena Hilang", "items": ["FC KTP", "Surat Keterangan Kehilangan dari Kepolisian"]},
    ]


def test_letters_and_li_tags() -> None:
    _, items = split_items("<ul> a. Rasa aman; b. Suasana nyaman")
    assert items == ["Rasa aman", "Suasana nyaman"]
    _, items = split_items("<ol> <li>1. Satu langkah;</li> <li>2. Langkah dua.</li> </ol>")
    assert items == ["Satu langkah", "Langkah dua"]


def test_numbers_inside_text_are_not_list_markers() -> None:
    _, items = split_items("1. UU Nomor 25 Tahun 2009. tentang Pelayanan Publik 2. Permendagri No. 52 Tahun 2011")
    assert items == ["UU Nomor 25 Tahun 2009. tentang Pelayanan Publik", "Permendagri No. 52 Tahun 2011"]


def test_skipped_or_repeated_numbers_are_tolerated() -> None:
    _, items = split_items("1. Satu 2. Dua 3. Tiga 3. Empat 5. Lima")
    assert items == ["Satu", "Dua", "Tiga", "Empat", "Lima"]


def test_intro_before_list_is_returned_apart() -> None:
    intro, items = split_items("Melalui : 1. Telepon : 0271-891043 2. Kotak pengaduan")
    assert intro == "Melalui"
    assert items == ["Telepon : 0271-891043", "Kotak pengaduan"]


def test_plain_text_has_no_items() -> None:
    intro, items = split_items("Tidak dipungut biaya/gratis")
    assert (intro, items) == ("Tidak dipungut biaya/gratis", [])
