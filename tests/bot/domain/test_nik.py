"""NIKs as citizens type them: accepted when they can be real, refused with the reason, never shown whole."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.nik import NikError, NikProblem, mask, parse_nik

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(("typed", "born", "female", "province"), [
    ("3314011508850001", date(1985, 8, 15), False, "Jawa Tengah"),  # Sragen
    ("6301025508900002", date(1990, 8, 15), True, "Kalimantan Selatan"),  # Tanah Laut, a woman: 15 + 40
    ("6571 0101 0101 0003", date(2001, 1, 1), False, "Kalimantan Utara"),  # Tarakan, typed in groups
    ("3520-03-680299-0004", date(1999, 2, 28), True, "Jawa Timur"),  # Magetan, with dashes
    ("6473010101250001", date(2025, 1, 1), False, "Kalimantan Timur"),  # an old Tarakan (Kaltim) code
    ("9501010101600001", date(1960, 1, 1), False, "Papua Pegunungan"),
])
def test_real_niks_are_read(typed: str, born: date, female: bool, province: str) -> None:
    nik = parse_nik(typed, TODAY)
    assert (nik.birth_date, nik.female, nik.province) == (born, female, province)
    assert len(nik.value) == 16 and nik.value.isdigit()


@pytest.mark.parametrize(("typed", "problem"), [
    ("33140115O8850001", NikProblem.NOT_DIGITS),  # a letter O for a zero
    ("３３１４０１１５０８８５０００１", NikProblem.NOT_DIGITS),  # full-width digits
    ("331401150885001", NikProblem.LENGTH),  # 15 digits
    ("33140115088500011", NikProblem.LENGTH),  # 17 digits
    ("9901011508850001", NikProblem.PROVINCE),  # no province 99
    ("2001011508850001", NikProblem.PROVINCE),
    ("3300011508850001", NikProblem.REGION),
    ("3314001508850001", NikProblem.REGION),
    ("3314013508850001", NikProblem.BIRTH_DATE),  # day 35: neither a man's nor a woman's
    ("3314017208850001", NikProblem.BIRTH_DATE),  # day 72 - 40 = 32
    ("3314013002850001", NikProblem.BIRTH_DATE),  # 30 February
    ("3314011513850001", NikProblem.BIRTH_DATE),  # month 13
    ("3314011508850000", NikProblem.SERIAL),
])
def test_impossible_niks_are_refused_with_the_reason(typed: str, problem: NikProblem) -> None:
    with pytest.raises(NikError) as refused:
        parse_nik(typed, TODAY)
    assert refused.value.problem == problem


def test_the_length_given_is_reported() -> None:
    with pytest.raises(NikError) as refused:
        parse_nik("331401150885001", TODAY)
    assert refused.value.length == 15


def test_a_two_digit_year_is_in_the_past() -> None:
    assert parse_nik("3314010112260001", TODAY).birth_date == date(2026, 12, 1)  # born today
    assert parse_nik("3314010212260001", TODAY).birth_date == date(1926, 12, 2)  # tomorrow: 100 years ago


def test_masking_keeps_four_and_four() -> None:
    assert mask("3314011508850001") == "3314********0001"
    assert parse_nik("6301025508900002", TODAY).masked() == "6301********0002"
    assert mask("1234") == "****"


@given(st.text(max_size=40))
def test_any_text_is_either_a_nik_or_a_reason(text: str) -> None:
    try:
        nik = parse_nik(text, TODAY)
    except NikError as error:
        assert isinstance(error.problem, NikProblem)
    else:
        assert nik.value.isdigit() and len(nik.value) == 16 and nik.birth_date <= TODAY
