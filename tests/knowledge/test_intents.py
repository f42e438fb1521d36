"""The intent classifier: what answers at run time (pure Python) is what scikit-learn trained, and the saved
weights are what the committed corpus gives."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from knowledge.intents import MODEL, IntentModel, char_wb_ngrams, prepare

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("sklearn", reason="scikit-learn is a development dependency (make test installs it)")


def _train() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train", ROOT / "knowledge" / "corpus" / "train.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["train"] = module
    spec.loader.exec_module(module)
    return module


SAMPLES = [
    "kartu kks ibu saya dibawa ketua kelompok dan belum dikembalikan",
    "syarat bikin kks baru apa aja",
    "selamat pagi",
    "harga cabai di pasar brp",
    "sudah 5 bulan bpnt gak masuk, tetangga dapat semua",
    "s̷y̸a̶r̵a̷t̸ k̶k̷s̸",
    "𝐬𝐲𝐚𝐫𝐚𝐭 𝐤𝐤𝐬 𝐡𝐢𝐥𝐚𝐧𝐠",
    "",
]


def test_the_runtime_model_computes_what_scikit_learn_computes() -> None:
    train = _train()
    texts, labels = train.examples()
    fitted = train.pipeline().fit(texts, labels)
    ours = IntentModel(**_as_model(train.fit(texts, labels)))
    for text in SAMPLES:
        theirs = dict(zip(fitted.classes_, fitted.predict_proba([prepare(text)])[0], strict=True))
        mine = ours.probabilities(text)
        for label, p in theirs.items():
            assert mine[label] == pytest.approx(p, abs=1e-4), (text, label)


def _as_model(data: dict[str, object]) -> dict[str, object]:
    low, high = data["ngram_range"]  # type: ignore[misc]
    return {"classes": data["classes"], "low": low, "high": high, "vocabulary": data["vocabulary"],
            "idf": data["idf"], "coef": data["coef"], "intercept": data["intercept"]}


def test_the_saved_model_is_what_the_corpus_gives() -> None:
    train = _train()
    assert MODEL.read_text(encoding="utf-8") == train.dump(train.fit(*train.examples())), (
        "knowledge/data/intents.json is stale: run .venv/bin/python knowledge/corpus/train.py")


def test_char_wb_ngrams_match_scikit_learn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyse = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=False).build_analyzer()
    for text in ["kks  hilang", "a", "bpjs pbi mati", " saldo 0 ", "ok"]:
        assert char_wb_ngrams(text, 2, 5) == analyse(text)


def test_stories_read_as_complaints_and_questions_as_questions() -> None:
    model = IntentModel.load()
    story = model.probabilities("kemarin waktu pencairan uangnya dipotong 100 ribu sama ketua katanya buat kas")
    question = model.probabilities("syarat ngurus surat keterangan terdaftar dtks apa saja")
    assert story["complaint"] > 0.8 and question["question"] > 0.5
