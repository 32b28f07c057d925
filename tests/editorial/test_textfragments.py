from editorial.textfragments import encode_term, fragment_url, text_directive


def test_terms_are_percent_encoded_with_dash_comma_and_ampersand():
    assert encode_term("Portlaine–Kellbridge, 12-month & more") == (
        "Portlaine%E2%80%93Kellbridge%2C%2012%2Dmonth%20%26%20more"
    )


def test_unique_short_excerpt_is_quoted_whole():
    text = "The board met. Fares will rise by 12 per cent. Nobody objected."
    start = text.index("Fares")

    assert text_directive(text, start, text.index(" Nobody")) == "text=Fares%20will%20rise%20by%2012%20per%20cent."


def test_repeated_excerpt_gets_prefix_and_suffix_from_its_own_paragraph():
    text = "Intro line.\n\nThe chair said fares rise today. Later the mayor said fares rise, tomorrow."
    start = text.rindex("fares rise")

    directive = text_directive(text, start, start + len("fares rise"))

    assert directive == "text=the%20mayor%20said-,fares%20rise,-%2C%20tomorrow."


def test_prefix_does_not_cross_a_paragraph_break():
    text = "Fares rise.\n\nFares rise. Again."
    start = text.rindex("Fares rise")

    assert text_directive(text, start, start + len("Fares rise")) == "text=Fares%20rise,-.%20Again."


def test_long_excerpt_uses_text_start_and_text_end():
    excerpt = (
        "Passengers on the crossing will pay about twelve per cent more from May after the harbour "
        "board approved a revised timetable on Wednesday night"
    )
    text = f"Intro.\n\n{excerpt}, ending months of argument."
    start = text.index(excerpt)

    directive = text_directive(text, start, start + len(excerpt))

    assert directive == "text=Passengers%20on%20the%20crossing,timetable%20on%20Wednesday%20night"


def test_excerpt_over_a_paragraph_break_uses_text_start_and_text_end():
    text = "He said it would rise.\n\nThen it rose."
    directive = text_directive(text, text.index("it would"), len(text))

    assert directive == "text=it%20would%20rise.,Then%20it%20rose."


def test_fragment_url_keeps_an_existing_fragment_and_skips_empty_urls():
    text = "Only once here."

    assert fragment_url("https://example.org/a#top", text, 0, 4) == "https://example.org/a#top:~:text=Only"
    assert fragment_url("https://example.org/a", text, 0, 4) == "https://example.org/a#:~:text=Only"
    assert fragment_url("", text, 0, 4) == ""


def test_plain_terms_are_encoded_as_quote_encodes_them():
    from urllib.parse import quote

    for term in ["Alpha beta", "a_b.c~d 12", "", "x", "tab\there", "dash-in", "ünï", "a,b&c", "50%"]:
        assert encode_term(term) == quote(" ".join(term.split()), safe="").replace("-", "%2D")
