"""Train the intent classifier on ``knowledge/corpus/intents.yaml`` and save its weights as plain JSON.

    .venv/bin/python knowledge/corpus/train.py            # writes knowledge/data/intents.json, prints a 5-fold score
    .venv/bin/python knowledge/corpus/train.py --check    # exit 1 unless the saved model is what the corpus gives

scikit-learn (a development dependency) trains; ``knowledge.intents`` answers with the saved weights alone.
Training is deterministic, so the saved file is reproducible from the corpus (a test checks it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from knowledge.intents import MODEL, prepare  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "intents.yaml"
NGRAMS = (2, 5)
MAX_FEATURES = 20_000
C = 8.0
DIGITS = 6  # significant digits kept in the saved weights


def examples(path: Path = CORPUS) -> tuple[list[str], list[str]]:
    data: dict[str, list[str]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts, labels = [], []
    for label in sorted(data):
        for text in data[label]:
            texts.append(prepare(str(text)))
            labels.append(label)
    return texts, labels


def pipeline() -> Any:
    import numpy
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, lowercase=False, sublinear_tf=True,
                                 min_df=2, max_features=MAX_FEATURES, dtype=numpy.float64)
    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
    return make_pipeline(vectoriser, model)


def _round(value: float) -> float:
    return float(f"{value:.{DIGITS}g}")


def fit(texts: list[str], labels: list[str]) -> dict[str, Any]:
    """The trained model as the JSON ``knowledge.intents.IntentModel`` loads."""
    trained = pipeline().fit(texts, labels)
    vectoriser, model = trained.steps[0][1], trained.steps[1][1]
    return {
        "classes": [str(c) for c in model.classes_],
        "ngram_range": list(NGRAMS),
        "vocabulary": {gram: int(i) for gram, i in sorted(vectoriser.vocabulary_.items())},
        "idf": [_round(v) for v in vectoriser.idf_],
        "coef": [[_round(v) for v in row] for row in model.coef_],
        "intercept": [_round(v) for v in model.intercept_],
    }


def dump(model: dict[str, Any]) -> str:
    return json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="only check that the saved model is up to date")
    args = parser.parse_args()
    texts, labels = examples()
    saved = dump(fit(texts, labels))
    if args.check:
        same = MODEL.exists() and MODEL.read_text(encoding="utf-8") == saved
        print("the saved model is up to date" if same else "the saved model differs: run knowledge/corpus/train.py")
        return 0 if same else 1
    from sklearn.model_selection import cross_val_score

    folds = cross_val_score(pipeline(), texts, labels, cv=5)
    MODEL.write_text(saved, encoding="utf-8")
    counts = {label: labels.count(label) for label in sorted(set(labels))}
    print(f"{len(texts)} examples {counts}; 5-fold accuracy {folds.mean():.3f} (+/- {folds.std():.3f})")
    print(f"saved {MODEL.relative_to(ROOT)} ({MODEL.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
