"""What kind of message this is: a problem to report (``complaint``), a ``question`` about a service, or ``other``
(greetings, thanks, things outside the standards).

A small linear classifier over character n-grams, so misspellings, run-on stories and regional words still land
near the examples it learned from. It is trained by ``knowledge/corpus/train.py`` (scikit-learn: TF-IDF over
``char_wb`` n-grams and a logistic regression) on ``knowledge/corpus/intents.yaml``, examples written for this
project; the weights are saved as plain JSON, and this module computes exactly what scikit-learn would, so
answering needs neither scikit-learn nor numpy (``tests/knowledge/test_intents.py`` checks both match).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.text import clean_text

MODEL = Path(__file__).resolve().parent / "data" / "intents.json"
_SPACES = re.compile(r"\s\s+")


def prepare(text: str) -> str:
    """The text as the model sees it, in training and in use alike."""
    return clean_text(text).lower()


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's ``analyzer="char_wb"``: n-grams inside words padded with one space on each side."""
    grams: list[str] = []
    for word in _SPACES.sub(" ", text).split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[offset:offset + n])
            while offset + n < size:
                offset += 1
                grams.append(padded[offset:offset + n])
            if offset == 0:  # the word is shorter than n: one n-gram, the whole padded word
                break
    return grams


@dataclass
class IntentModel:
    classes: list[str]
    low: int
    high: int
    vocabulary: dict[str, int]
    idf: list[float]
    coef: list[list[float]]  # one row per class
    intercept: list[float]

    @classmethod
    def load(cls, path: Path = MODEL) -> IntentModel:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return cls(classes=list(data["classes"]), low=int(data["ngram_range"][0]), high=int(data["ngram_range"][1]),
                   vocabulary=dict(data["vocabulary"]), idf=list(data["idf"]), coef=list(data["coef"]),
                   intercept=list(data["intercept"]))

    def features(self, text: str) -> dict[int, float]:
        """TF-IDF with sublinear term frequency, normalised to unit length (as the training vectoriser)."""
        counts = Counter(g for g in char_wb_ngrams(prepare(text), self.low, self.high) if g in self.vocabulary)
        weights = {self.vocabulary[g]: (1.0 + math.log(n)) * self.idf[self.vocabulary[g]] for g, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {i: w / norm for i, w in weights.items()} if norm else {}

    def probabilities(self, text: str) -> dict[str, float]:
        x = self.features(text)
        scores = [b + sum(row[i] * w for i, w in x.items()) for row, b in zip(self.coef, self.intercept, strict=True)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {name: e / total for name, e in zip(self.classes, exps, strict=True)}
