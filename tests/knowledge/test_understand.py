"""Reading a message: normalising it is idempotent."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from knowledge.text import clean_text


@given(st.text(max_size=1500))
@example("a" * 999 + " b")  # the cut at 1,000 characters falls just after a space
def test_normalising_a_message_twice_changes_nothing_more(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert len(once) <= 1000 and once == once.strip()
