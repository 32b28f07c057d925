"""Storable text and quoting input in messages (``sources.textutils``); decoding is in test_decoding."""

import pytest
from django.core.exceptions import ValidationError

from sources.textutils import replace_unstorable, shown, unstorable_character, validate_storable_text


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Harbour\x00 board", "contains a NUL character at position 7"),
        ("\ud800 lone", "contains an unpaired surrogate (U+D800) at position 0"),
        ("ok \udcff", "contains an unpaired surrogate (U+DCFF) at position 3"),
        ("Café “quoted” 😀 \t\n", ""),
    ],
)
def test_unstorable_character_names_the_first_nul_or_surrogate_and_its_position(text, problem):
    assert unstorable_character(text) == problem


def test_validate_storable_text_refuses_nul_and_surrogates_and_accepts_other_text():
    with pytest.raises(ValidationError, match="NUL character at position 1"):
        validate_storable_text("a\x00b")
    with pytest.raises(ValidationError, match=r"unpaired surrogate \(U\+DFFF\)"):
        validate_storable_text("\udfff")
    validate_storable_text("Zoë’s “café” — 𝔅")
    validate_storable_text(None)


def test_replace_unstorable_puts_the_replacement_character_in_their_place():
    assert replace_unstorable("caf\udce9.txt\x00") == "caf\ufffd.txt\ufffd"


def test_shown_cuts_long_input_and_escapes_what_would_break_a_message_line():
    assert shown("short") == "short"
    assert shown("x" * 1_000_000) == "x" * 79 + "…"
    assert shown("line one\nline two\x00\ud800\u202e", limit=200) == "line one\\nline two\\x00\\ud800\\u202e"


def test_shown_abbreviates_values_that_are_not_strings():
    nested = ["lol"] * 9
    for _ in range(9):
        nested = [nested] * 9  # 9**10 strings if written out in full

    assert len(shown(nested)) <= 80
    assert shown(10**400) == "100000000000000000...0000000000000000000"
