"""Where a long message is cut (mutation testing of bot/splitting.py): whole paragraphs packed while they fit,
then the last newline before the limit, then the last space, and only then a hard cut; a cut is only taken past
the middle of the limit, so no part is needlessly short."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.messaging.splitting import split_body


@pytest.mark.parametrize(("text", "limit", "parts"), [
    # a message exactly at the limit is sent as it is, even one opening with a blank line
    ("\n\nHalo", 6, ["\n\nHalo"]),
    ("Halo Ibu", 8, ["Halo Ibu"]),
    # paragraphs are packed while the joined text fits, the limit included
    ("aaaa\n\nbbbb\n\ncc", 10, ["aaaa\n\nbbbb", "cc"]),
    # a paragraph exactly at the limit is not cut
    ("aaa\n\nxxxxxx yyy", 10, ["aaa", "xxxxxx yyy"]),
    # the last newline before the limit wins over an earlier one and over a later space
    ("a" * 11 + "\n" + "bbbb" + "\n" + "c" * 10, 20, ["a" * 11 + "\nbbbb", "c" * 10]),
    ("a" * 11 + "\n" + "bb bb" + "c" * 10, 20, ["a" * 11, "bb bb" + "c" * 10]),
    ("a" * 12 + "\n" + "b" * 5, 15, ["a" * 12, "b" * 5]),
    # a newline after the limit is not used: the last space before the limit is
    ("aaaaaaaa bbb\nccccc", 10, ["aaaaaaaa", "bbb\nccccc"]),
    # the last space before the limit, not the first, nor one after the limit
    ("aaaaaa bb ccc", 10, ["aaaaaa bb", "ccc"]),
    ("aaaaaaaa bbb ccc", 10, ["aaaaaaaa", "bbb ccc"]),
    ("aaaaaaaa bbbbb", 10, ["aaaaaaaa", "bbbbb"]),
    # the whitespace at a cut goes: no part ends or starts with it
    ("aaaaaa  bb", 8, ["aaaaaa", "bb"]),
    ("aaaa \nbbbbbb", 8, ["aaaa", "bbbbbb"]),
    ("aaaaaa \n  bbbbbbb", 12, ["aaaaaa", "bbbbbbb"]),
])
def test_where_a_long_message_is_cut(text: str, limit: int, parts: list[str]) -> None:
    assert split_body(text, limit) == parts


@pytest.mark.parametrize(("text", "limit", "parts"), [
    # a newline or space exactly at the middle (or before it) would leave a short part: cut at the limit instead
    ("aaaaa\nbbbbbbbbb", 10, ["aaaaa\nbbbb", "bbbbb"]),
    ("aaaaa bbbbbbbbb", 10, ["aaaaa bbbb", "bbbbb"]),
    ("aaaaa\nbbbbbbbbbbb", 12, ["aaaaa\nbbbbbb", "bbbbb"]),
    ("aaaaa bbbbbbbbbbb", 12, ["aaaaa bbbbbb", "bbbbb"]),
    # a newline too early is passed over for a later space past the middle
    ("aaaaa\nbb bbbbbbb", 10, ["aaaaa\nbb", "bbbbbbb"]),
    ("aaaaa\nbbb bbbbbbbb", 12, ["aaaaa\nbbb", "bbbbbbbb"]),
    ("aaa\nbbbb cccccccc", 12, ["aaa\nbbbb", "cccccccc"]),
    # just past the middle is fine
    ("aaaaaa\nbbbbbbbbb", 10, ["aaaaaa", "bbbbbbbbb"]),
    ("aaaaaa bbbbbbbbb", 10, ["aaaaaa", "bbbbbbbbb"]),
])
def test_a_cut_lies_past_the_middle_of_the_limit(text: str, limit: int, parts: list[str]) -> None:
    assert split_body(text, limit) == parts


WORD = st.text(alphabet="abcdefghij", min_size=1, max_size=12)


@given(st.lists(st.lists(WORD, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=10),
       st.integers(min_value=20, max_value=120))
def test_paragraphs_that_fit_are_packed_whole_and_greedily(paragraphs: list[str], limit: int) -> None:
    paragraphs = [p[:limit] for p in paragraphs]
    text = "\n\n".join(paragraphs)
    parts = split_body(text, limit)
    assert "\n\n".join(parts) == text  # no paragraph that fits is ever cut
    for part, following in pairwise(parts):
        # a part ends only where the next paragraph would not have fitted
        assert len(part) + 2 + len(following.split("\n\n")[0]) > limit


@given(st.lists(WORD, min_size=1, max_size=60).map(" ".join), st.integers(min_value=30, max_value=80))
def test_a_long_paragraph_is_cut_between_words_into_parts_past_half_the_limit(text: str, limit: int) -> None:
    parts = split_body(text, limit)
    assert " ".join(parts) == text  # every cut is at a space, which goes; no word is broken
    assert all(len(part) <= limit for part in parts)
    assert all(len(part) > limit // 2 for part in parts[:-1])
    for part, following in pairwise(parts):
        # the cut is at the last space before the limit: the next word would not have fitted (one ending exactly
        # on the limit goes to the next part too, as the space after it is not looked at)
        assert len(part) + 1 + len(following.split(" ")[0]) >= limit


def test_long_bodies_split_at_paragraphs() -> None:
    text = "\n\n".join(f"Paragraf {n}: " + "kata " * 60 for n in range(12))
    parts = split_body(text, 1600)
    assert all(len(p) <= 1600 for p in parts) and len(parts) > 1
    assert "\n\n".join(parts) == text
    assert split_body("pendek", 1600) == ["pendek"]
    huge = split_body("x" * 5000, 1600)
    assert all(len(p) <= 1600 for p in huge) and "".join(huge) == "x" * 5000


PARAGRAPHS = st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=900), min_size=1, max_size=12)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@given(PARAGRAPHS.map("\n\n".join), st.integers(min_value=20, max_value=4096))
def test_a_split_never_exceeds_the_limit_and_joins_back_to_the_original(text: str, limit: int) -> None:
    parts = split_body(text, limit)
    assert all(len(part) <= limit for part in parts)
    assert _squeeze("".join(parts)) == _squeeze(text)  # nothing lost or reordered; only cut whitespace goes
    if len(text) <= limit:
        assert parts == [text]
