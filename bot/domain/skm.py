"""Survei Kepuasan Masyarakat (PermenPANRB 14/2017): nine *unsur*, each answered 1-4; the index of a period.

NRR of an unsur = the sum of its answers / the number of answers it got; IKM = sum(NRR x weight) over the nine
unsur (weight 1/9, which the regulation writes as 0,11), converted to 25-100 by x 25; the category from the
converted value rounded to two decimals: A >= 88,31, B >= 76,61, C >= 65,00, otherwise D. The questions and
answer labels a citizen sees are in ``handlers/messages.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

UNSUR = (
    "Persyaratan", "Sistem, mekanisme, dan prosedur", "Waktu penyelesaian", "Biaya/tarif",
    "Produk spesifikasi jenis pelayanan", "Kompetensi pelaksana", "Perilaku pelaksana",
    "Penanganan pengaduan, saran dan masukan", "Sarana dan prasarana",
)
WEIGHT_EXACT, WEIGHT_PERMEN = 1 / 9, 0.11
CATEGORIES = ((88.31, "A", "Sangat baik"), (76.61, "B", "Baik"), (65.00, "C", "Kurang baik"), (0.0, "D", "Tidak baik"))


@dataclass(frozen=True)
class SkmResult:
    respondents: int
    nrr: dict[int, float]  # unsur (1-9) -> mean answer; unsur nobody answered are left out
    ikm: float  # 25-100, rounded to two decimals
    category: str  # A, B, C or D
    performance: str  # "Sangat baik", ...


def score(responses: Iterable[Mapping[int, int]], weight: float = WEIGHT_EXACT) -> SkmResult | None:
    """The index of a set of responses (each: unsur 1-9 -> answer 1-4; a stopped survey has fewer unsur).
    None when there is no answer at all. An unsur nobody answered does not count in the mean."""
    sums: dict[int, int] = {}
    counts: dict[int, int] = {}
    respondents = 0
    for response in responses:
        answered = False
        for unsur, value in response.items():
            if not 1 <= unsur <= len(UNSUR):
                raise ValueError(f"unsur {unsur} is not 1-{len(UNSUR)}")
            if value not in (1, 2, 3, 4):
                raise ValueError(f"an answer is 1-4, not {value}")
            sums[unsur] = sums.get(unsur, 0) + value
            counts[unsur] = counts.get(unsur, 0) + 1
            answered = True
        respondents += answered
    if not respondents:
        return None
    nrr = {u: sums[u] / counts[u] for u in sorted(sums)}
    # sum(NRR x weight) x 25 over the nine unsur; an unsur nobody answered is left out and the others count for
    # it (x 9 / answered), so one skipped question does not pull the index down. With the exact weight 1/9 this
    # is the mean NRR x 25; with the regulation's 0,11 and all nine answered, its own arithmetic.
    ikm = round(sum(nrr.values()) * weight * len(UNSUR) / len(nrr) * 25, 2)
    letter, performance = next((c, p) for floor, c, p in CATEGORIES if ikm >= floor)
    return SkmResult(respondents, nrr, ikm, letter, performance)
