"""The lines of the standards, found by the words of a narrow question."""

from __future__ import annotations

import pytest

from knowledge.lines import Lines, stems, synonyms
from knowledge.model import KnowledgeBase
from knowledge.understand import Lexicon, Reader


@pytest.mark.parametrize(("a", "b"), [
    ("kepolisian", "polisi"), ("penggantian", "ganti"), ("dibelanjakan", "membelanjakan"), ("pengiriman", "kirim"),
    ("penyerahan", "diserahkan"), ("pembagian", "dibagikan"), ("terblokir", "blokir"), ("penyaluran", "disalurkan"),
    ("perubahan", "ubah"), ("mengajukan", "pengajuan"),
])
def test_forms_of_one_word_share_a_stem(a: str, b: str) -> None:
    assert stems(a) & stems(b)


@pytest.mark.parametrize(("a", "b"), [("dikirim", "mengajukan"), ("dibelikan", "membelanjakan"),
                                      ("dibagikan", "penyaluran")])
def test_words_for_the_same_act_are_synonyms(a: str, b: str) -> None:
    assert synonyms(stems(a)) & stems(b) and not stems(a) & stems(b)


@pytest.mark.parametrize(("a", "b"), [("kartu", "kota"), ("surat", "saran"), ("hilang", "hari"), ("beras", "bebas")])
def test_different_words_share_none(a: str, b: str) -> None:
    assert not stems(a) & stems(b)


@pytest.fixture(scope="module")
def lines() -> tuple[KnowledgeBase, Lines]:
    kb = KnowledgeBase.load()
    reader = Reader(kb, Lexicon.load())
    return kb, reader.lines


def test_a_document_is_found_under_its_case(lines: tuple[KnowledgeBase, Lines]) -> None:
    kb, index = lines
    service = kb.service("tanah-laut", "rekomendasi-bpnt-buku-tabungan-kartu-atm-kks")
    assert service is not None
    best = index.best(service, ["surat", "polisi"])
    assert best is not None and best.line.text == "Surat Keterangan Kehilangan dari Kepolisian"
    assert best.line.parent is not None and "Hilang" in best.line.parent


def test_lines_as_good_as_the_best_are_all_given(lines: tuple[KnowledgeBase, Lines]) -> None:
    kb, index = lines
    service = kb.service("tanah-laut", "layanan-bantuan-pengangkatan-anak-adopsi")
    assert service is not None
    found = [m.line.text for m in index.best_lines(service, ["surat", "rekomendasi", "dikirim"], ("procedure",))]
    assert any("Dinas Sosial Provinsi" in text for text in found) and len(found) <= 3


def test_a_group_gives_way_to_its_document(lines: tuple[KnowledgeBase, Lines]) -> None:
    kb, index = lines
    service = kb.service("tanah-laut", "rekomendasi-bpnt-buku-tabungan-kartu-atm-kks")
    assert service is not None
    found = index.best_lines(service, ["kepolisian"], ("requirements",))
    assert [m.line.text for m in found] == ["Surat Keterangan Kehilangan dari Kepolisian"]


def test_no_shared_word_no_line(lines: tuple[KnowledgeBase, Lines]) -> None:
    kb, index = lines
    service = kb.service("sragen", "bantuan-sosial-bantuan-pangan-non-tunai-sembako")
    assert service is not None
    assert index.best(service, ["helikopter"]) is None and index.best_lines(service, []) == []
