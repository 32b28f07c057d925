from editorial.highlight import Span, highlight_in_paragraph, highlight_text, paragraph_window, segment

TEXT = "First paragraph here.\n\nThe board said “fares rise”.\nStill the same paragraph.\n\nLast one."


def test_paragraph_window_is_the_paragraph_holding_the_passage():
    start = TEXT.index("fares")
    start_of_paragraph, end_of_paragraph = paragraph_window(TEXT, start, start + 5)

    assert TEXT[start_of_paragraph:end_of_paragraph] == "The board said “fares rise”.\nStill the same paragraph."


def test_paragraph_window_covers_every_paragraph_a_passage_spans():
    start, end = TEXT.index("here."), TEXT.index("The board") + 3

    window = TEXT[slice(*paragraph_window(TEXT, start, end))]

    assert window.startswith("First paragraph") and window.endswith("same paragraph.")


def test_excerpt_is_marked_inside_its_paragraph_only():
    start = TEXT.index("“fares rise”")

    html = highlight_in_paragraph(TEXT, start, start + len("“fares rise”"))

    assert html == '<p>The board said <mark class="excerpt">“fares rise”</mark>.\nStill the same paragraph.</p>'
    assert "First paragraph" not in html and "Last one" not in html


def test_text_and_excerpt_are_escaped():
    text = 'Intro <b>bold</b>.\n\nHe said <script>alert(1)</script> and "><img src=x onerror=alert(1)>.'
    start = text.index("<script>")

    html = highlight_in_paragraph(text, start, text.index(" and"))

    assert "<script>" not in html and "<img" not in html
    assert '<mark class="excerpt">&lt;script&gt;alert(1)&lt;/script&gt;</mark>' in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_overlapping_spans_are_split_into_segments_without_nesting():
    text = "abcdefghij"
    spans = [Span(2, 6, "/claims/1/a/", "one"), Span(4, 8, "/claims/2/b/", "two")]

    (paragraph,) = segment(text, spans)

    assert [(piece.text, [span.title for span in piece.spans]) for piece in paragraph] == [
        ("ab", []),
        ("cd", ["one"]),
        ("ef", ["one", "two"]),
        ("gh", ["two"]),
        ("ij", []),
    ]
    html = str(highlight_text(text, spans))
    assert html.count("<mark") == 3 and "<mark><mark" not in html
    assert 'class="excerpt excerpt-overlap"><a href="/claims/1/a/" title="one · two">ef</a>' in html


def test_nested_span_and_span_crossing_paragraphs():
    text = "one two\n\nthree four"
    spans = [Span(0, len(text), "/a/", "outer"), Span(4, 7, "/b/", "inner")]

    paragraphs = segment(text, spans)

    assert len(paragraphs) == 2
    assert [piece.text for piece in paragraphs[0]] == ["one ", "two"]
    assert [len(piece.spans) for piece in paragraphs[0]] == [1, 2]
    assert [piece.text for piece in paragraphs[1]] == ["three four"]


def test_titles_and_links_are_escaped():
    html = str(highlight_text("quoted", [Span(0, 6, '/x/"onmouseover="x', '"><script>')]))

    assert "<script>" not in html and 'onmouseover="x' not in html
    assert "&quot;&gt;&lt;script&gt;" in html


def test_characters_outside_the_basic_plane_count_as_one():
    text = "🐟 fish 𝔅 said “yes”."
    start = text.index("“yes”")

    html = highlight_in_paragraph(text, start, start + 5)

    assert '<mark class="excerpt">“yes”</mark>' in html
