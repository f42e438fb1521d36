"""Personal data at rest: encrypted so that only the key opens it, found again by a keyed hash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.protect import ProtectError, Protector, new_key, parse_key, parse_keys

KEY = parse_key(new_key())


def test_a_value_comes_back_only_with_its_key_and_purpose() -> None:
    box = Protector(KEY)
    stored = box.encrypt(b"3314011508850001", "nik")
    assert b"3314011508850001" not in stored and box.decrypt(stored, "nik") == b"3314011508850001"
    with pytest.raises(ProtectError):
        box.decrypt(stored, "photo")  # the purpose is bound in
    with pytest.raises(ProtectError):
        Protector(parse_key(new_key())).decrypt(stored, "nik")  # another key
    altered = stored[:-1] + bytes([stored[-1] ^ 1])
    with pytest.raises(ProtectError):
        box.decrypt(altered, "nik")
    with pytest.raises(ProtectError):
        box.decrypt(b"\x01short", "nik")


def test_the_same_value_encrypts_differently_each_time_but_hashes_the_same() -> None:
    box = Protector(KEY)
    assert box.encrypt(b"x", "nik") != box.encrypt(b"x", "nik")
    assert box.lookup("3314011508850001", "nik") == box.lookup("3314011508850001", "nik")
    assert box.lookup("3314011508850001", "nik") != Protector(parse_key(new_key())).lookup("3314011508850001", "nik")
    assert box.lookup("3314011508850001", "nik") != box.lookup("3314011508850001", "ticket")


@pytest.mark.parametrize("bad", ["", "short", "zz" * 32, "ab" * 30, "00" * 31])
def test_a_key_that_is_not_32_bytes_is_refused(bad: str) -> None:
    with pytest.raises(ProtectError):
        parse_key(bad)


def test_hex_keys_are_accepted() -> None:
    assert parse_key("ab" * 32) == bytes([0xAB]) * 32


@given(st.binary(max_size=2048), st.sampled_from(["nik", "photo"]))
def test_any_bytes_round_trip(data: bytes, purpose: str) -> None:
    box = Protector(KEY)
    assert box.decrypt(box.encrypt(data, purpose), purpose) == data


def test_the_newest_key_seals_and_hashes_and_an_older_one_still_opens_and_is_looked_for() -> None:
    old, new = parse_key(new_key()), parse_key(new_key())
    stored = Protector(old).encrypt(b"3314011508850001", "nik")
    both = Protector(new, old)
    assert both.keys == 2 and both.opened(stored, "nik") == (b"3314011508850001", 1)
    again = both.reseal(stored, "nik")
    assert again is not None and Protector(new).opened(again, "nik") == (b"3314011508850001", 0)
    assert both.reseal(again, "nik") is None  # already under the newest: nothing to rewrite
    with pytest.raises(ProtectError):
        Protector(old).decrypt(both.encrypt(b"x", "nik"), "nik")
    with pytest.raises(ProtectError):
        Protector(parse_key(new_key()), old).reseal(Protector(new).encrypt(b"x", "nik"), "nik")  # no key opens it
    nik = "3314011508850001"
    assert both.lookup(nik, "nik") == Protector(new).lookup(nik, "nik")
    assert both.lookups(nik, "nik") == [Protector(new).lookup(nik, "nik"), Protector(old).lookup(nik, "nik")]


def test_data_key_lists_its_keys_newest_first() -> None:
    first, second = new_key(), "ab" * 32
    assert parse_keys(f" {first} , {second},") == [parse_key(first), bytes([0xAB]) * 32]
    with pytest.raises(ProtectError):
        parse_keys(f"{first},short")
