"""The satisfaction index and case tickets: pure arithmetic and parsing, checked by hand-made examples."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.skm import UNSUR, WEIGHT_PERMEN, score
from bot.domain.tickets import ALPHABET, TICKET, find_ticket, new_ticket

ALL = range(1, len(UNSUR) + 1)


def test_every_answer_four_is_100_and_a() -> None:
    result = score([{u: 4 for u in ALL}] * 3)
    assert result is not None
    assert (result.respondents, result.ikm, result.category, result.performance) == (3, 100.0, "A", "Sangat baik")


def test_a_worked_example() -> None:
    # Two respondents: one answers 3 everywhere, the other 4 except 2 for Biaya/tarif (unsur 4).
    result = score([{u: 3 for u in ALL}, {u: (2 if u == 4 else 4) for u in ALL}])
    assert result is not None
    assert result.nrr[4] == 2.5 and result.nrr[1] == 3.5
    mean = (3.5 * 8 + 2.5) / 9  # 3.3889
    assert result.ikm == round(mean * 25, 2) == 84.72 and result.category == "B"


@pytest.mark.parametrize(("answers", "category"), [(4, "A"), (3, "C"), (2, "D"), (1, "D")])  # 100, 75, 50, 25
def test_categories(answers: int, category: str) -> None:
    result = score([{u: answers for u in ALL}])
    assert result is not None and result.category == category


def test_category_boundaries_after_rounding() -> None:
    # Mean NRR 3.5324 x 25 = 88.31: A. Mean 3.532 x 25 = 88.30: B. Mean 3.0644 x 25 = 76.61: B.
    def mix(fours: int, others: int, other: int = 3) -> str:
        result = score([{u: 4 for u in ALL}] * fours + [{u: other for u in ALL}] * others)
        assert result is not None
        return result.category
    assert mix(5324, 4676) == "A" and mix(5320, 4680) == "B" and mix(644, 9356) == "B" and mix(640, 9360) == "C"


def test_the_regulations_weight_is_available() -> None:
    answers = [{u: 4 for u in ALL}]
    result = score(answers, WEIGHT_PERMEN)
    assert result is not None and result.ikm == 99.0  # 9 x 4 x 0.11 x 25


def test_a_stopped_survey_counts_what_was_answered() -> None:
    result = score([{1: 4, 2: 4}, {u: 4 for u in ALL}])
    assert result is not None and result.respondents == 2 and result.ikm == 100.0


def test_no_answers_no_index_and_bad_answers_refused() -> None:
    assert score([]) is None and score([{}]) is None
    for bad in ({10: 4}, {1: 5}, {1: 0}):
        with pytest.raises(ValueError):
            score([bad])


def test_tickets_match_the_contract_and_avoid_confusable_characters() -> None:
    tickets = {new_ticket("TLT") for _ in range(300)}
    assert len(tickets) >= 299  # random, not sequential (a repeat in 300 has odds of about 1 in 24,000)
    assert all(TICKET.fullmatch(t) and not set(t[4:]) & set("0O1I") for t in tickets)
    counts = Counter("".join(t[4:] for t in tickets))
    assert set(counts) == set(ALPHABET)  # every symbol used
    with pytest.raises(ValueError):
        new_ticket("tl1")


@pytest.mark.parametrize(("typed", "found"), [
    ("TLT-7K3QMR", "TLT-7K3QMR"),
    ("tlt-7k3qmr", "TLT-7K3QMR"),
    ("no tiket saya TLT 7K3QMR ya", "TLT-7K3QMR"),
    ("status srg.AB23CD", "SRG-AB23CD"),
    ("ada kasus apa", None),  # not an agency code
    ("TLT-7K3QM0", None),  # 0 is never in a ticket
    ("TLT-7K3", None),
    ("", None),
])
def test_a_ticket_is_found_in_what_a_citizen_typed(typed: str, found: str | None) -> None:
    assert find_ticket(typed, ["TLT", "SRG", "MGT", "TRK"]) == found


@given(st.text(max_size=60))
def test_whatever_is_typed_a_found_ticket_is_well_formed(text: str) -> None:
    found = find_ticket(text, ["TLT", "SRG"])
    assert found is None or re.fullmatch(r"(TLT|SRG)-[A-HJ-NP-Z2-9]{5,8}", found)
