"""The importers: the newsroom text layout, Markdown with front matter, HTML pages, the registry."""

import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from sources.importers import FORMATS, detect_format, get_importer, html, markdown, text
from sources.importers.base import ImportProblem, ParsedAuthor

FIXTURES = Path(__file__).parent / "fixtures"
# The sample documents sit beside the repository, in ../shared/seeds (not copied into it).
SEEDS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds").resolve()

FERRY_BODY_1 = (
    "Ferry operators on both sides of the North Sea agreed on Tuesday to keep a reduced winter "
    "timetable, ending weeks of uncertainty for the freight companies that depend on the route."
)
FERRY_BODY_2 = "The deal keeps two crossings a day until March, when the operators will look at the numbers again."

FERRY = f"""Ferry operators agree winter timetable after talks

Ferry operators agree winter timetable after talks

Anna Lindqvist in Stockholm and Pieter de Vries in Rotterdam


{FERRY_BODY_1}

{FERRY_BODY_2}
"""

PIER = """Updated at 09:05,03-04-2023

Harbour board approves ‘temporary’ repairs to northern pier

Coastal affairs

Despite objections from residents, the harbour board approved a set of repairs that it calls temporary, \
although the contract runs for five years and the budget has doubled since the autumn.

Residents say the pier has been “temporary” for a decade — and that nobody asked them.
"""


def parse_text(document):
    return text.parse(document.encode("utf-8"), "story.txt")


# The newsroom text layout


def test_text_reads_a_headline_printed_twice_once_with_the_byline_and_its_authors():
    parsed = parse_text(FERRY)
    assert parsed.title == "Ferry operators agree winter timetable after talks"
    assert parsed.byline == "Anna Lindqvist in Stockholm and Pieter de Vries in Rotterdam"
    assert parsed.authors == [
        ParsedAuthor(name="Anna Lindqvist", location="Stockholm"),
        ParsedAuthor(name="Pieter de Vries", location="Rotterdam"),
    ]
    assert parsed.section == ""
    assert parsed.text == f"{FERRY_BODY_1}\n\n{FERRY_BODY_2}"
    assert parsed.format == "text"
    assert parsed.encoding == "utf-8"
    assert parsed.warnings == []


def test_text_reads_the_updated_line_and_the_rubric_and_keeps_them_out_of_the_body():
    parsed = parse_text(PIER)
    assert parsed.updated_at == datetime(2023, 4, 3, 9, 5)
    assert parsed.published_at is None
    assert parsed.title == "Harbour board approves ‘temporary’ repairs to northern pier"
    assert parsed.section == "Coastal affairs"
    assert parsed.byline == ""
    assert parsed.text.startswith("Despite objections from residents")
    for header_line in ("Updated at", "Harbour board approves", "Coastal affairs"):
        assert header_line not in parsed.text
    assert "“temporary” for a decade — and" in parsed.text  # typography as printed


def test_text_reads_a_published_line_a_by_byline_and_a_rubric_after_it():
    parsed = parse_text(
        "Published 3 April 2023 14:30\n\nLighthouse gets a new keeper\n\nBy Mei Tanaka\n\nPeople\n\n"
        "The lighthouse on the point has a new keeper for the first time in forty years.\n"
    )
    assert parsed.published_at == datetime(2023, 4, 3, 14, 30)
    assert parsed.byline == "By Mei Tanaka"
    assert parsed.authors == [ParsedAuthor(name="Mei Tanaka")]
    assert parsed.section == "People"
    assert parsed.text == "The lighthouse on the point has a new keeper for the first time in forty years."


def test_text_keeps_a_by_line_that_names_no_one_as_the_byline_not_the_rubric():
    parsed = parse_text(
        "Talks resume in Riga\n\nBy our Baltic correspondent\n\n"
        "Negotiators returned to the table in Riga on Monday after a week-long pause.\n"
    )
    assert parsed.byline == "By our Baltic correspondent"
    assert parsed.authors == []
    assert parsed.section == ""
    assert parsed.text.startswith("Negotiators returned")


def test_text_keeps_a_short_first_sentence_in_the_body():
    parsed = parse_text(
        "Storm closes the coast road\n\nIt rained.\n\n"
        "By the evening the coast road was closed in both directions and the buses had stopped running.\n"
    )
    assert parsed.section == ""
    assert parsed.text.startswith("It rained.\n\nBy the evening")


def test_text_keeps_a_run_of_short_lines_in_the_body():
    parsed = parse_text("Sailings this week\n\nKey dates\n\nMonday morning\n\nThursday evening\n")
    assert parsed.section == ""
    assert parsed.text == "Key dates\n\nMonday morning\n\nThursday evening"


def test_text_keeps_the_first_line_of_a_wrapped_paragraph_in_the_body():
    parsed = parse_text(
        "Storm closes the coast road\n\nThe coast road\nwas closed in both directions by the evening.\n\nMore later.\n"
    )
    assert parsed.section == ""
    assert parsed.text.startswith("The coast road\nwas closed")


def test_text_keeps_an_opening_quotation_in_the_body():
    parsed = parse_text("Mayor digs in\n\n“We are not moving”\n\nThe mayor said the office would stay where it is.\n")
    assert parsed.section == ""
    assert parsed.text.startswith("“We are not moving”")


def test_text_reads_crlf_and_windows_1252_with_a_warning():
    data = FERRY.replace("\n", "\r\n").replace("Pieter", "Zoë").encode("cp1252")
    parsed = text.parse(data, "story.txt")
    assert parsed.authors[1].name == "Zoë de Vries"
    assert parsed.encoding == "windows-1252"
    assert parsed.warnings == ["decoded as windows-1252, not UTF-8"]
    assert "\r" not in parsed.text
    assert parsed.text == f"{FERRY_BODY_1}\n\n{FERRY_BODY_2}"


def test_text_warns_about_an_unreadable_updated_line_and_still_reads_the_headline():
    parsed = parse_text("Updated at 25:61,03-04-2023\n\nPier repairs approved\n\nThe board approved the repairs.\n")
    assert parsed.title == "Pier repairs approved"
    assert parsed.updated_at is None
    assert parsed.warnings == ["line 1: cannot read the date in “Updated at 25:61,03-04-2023”; imported without it"]


def test_text_without_a_headline_names_the_line():
    with pytest.raises(ImportProblem) as problem:
        parse_text("\n\n" + "A very long opening paragraph that goes on. " * 10 + "\n")
    assert problem.value.line == 3
    assert str(problem.value).startswith("line 3: no title")


def test_text_with_a_header_but_no_body_is_refused():
    with pytest.raises(ImportProblem, match="no body text"):
        parse_text("Ferry talks\n\nFerry talks\n\nAnna Lindqvist in Stockholm\n")


# Markdown with front matter

FULL_FRONT_MATTER = """---
title: Island school gets a new roof
url: https://courier.example.org/news/school-roof
publisher: The Coastal Courier
section: Education
authors:
  - name: Mei Tanaka
    location: Osaka
  - Karim Haddad
published: 2023-04-03T14:30:00+02:00
updated: 3 April 2023 18:00
language: en
tags: [schools, islands]
---

The island school will have a **new roof** before the winter, the council said.



Work starts in [June](https://example.org/june).
"""


def test_markdown_reads_every_front_matter_key():
    parsed = markdown.parse(FULL_FRONT_MATTER.encode(), "roof.md")
    assert parsed.title == "Island school gets a new roof"
    assert parsed.url == "https://courier.example.org/news/school-roof"
    assert parsed.publisher == "The Coastal Courier"
    assert parsed.section == "Education"
    assert parsed.authors == [ParsedAuthor("Mei Tanaka", "Osaka"), ParsedAuthor("Karim Haddad")]
    assert parsed.byline == "Mei Tanaka in Osaka and Karim Haddad"
    assert parsed.published_at == datetime(2023, 4, 3, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    assert parsed.updated_at == datetime(2023, 4, 3, 18, 0)
    assert parsed.language == "en"
    assert parsed.tags == ["schools", "islands"]
    assert parsed.format == "markdown"
    # Markdown kept as written, paragraphs normalised.
    assert parsed.text == (
        "The island school will have a **new roof** before the winter, the council said.\n\n"
        "Work starts in [June](https://example.org/june)."
    )


def test_markdown_reads_authors_from_a_byline():
    parsed = markdown.parse(b"---\ntitle: Roof\nbyline: By Mei Tanaka and Karim Haddad\n---\nText.\n", "a.md")
    assert parsed.byline == "By Mei Tanaka and Karim Haddad"
    assert [author.name for author in parsed.authors] == ["Mei Tanaka", "Karim Haddad"]


def test_markdown_takes_a_missing_title_from_the_first_heading_and_drops_it_from_the_body():
    parsed = markdown.parse(b"# School roof repaired #\n\nThe roof is done.\n\n## Costs\n\nHigh.\n", "a.md")
    assert parsed.title == "School roof repaired"
    assert parsed.text == "The roof is done.\n\n## Costs\n\nHigh."


def test_markdown_drops_a_first_heading_that_repeats_the_title():
    parsed = markdown.parse(b"---\ntitle: School roof repaired\n---\n# School Roof Repaired\n\nDone.\n", "a.md")
    assert parsed.text == "Done."
    parsed = markdown.parse(b"---\ntitle: School roof repaired\n---\n# Costs\n\nHigh.\n", "a.md")
    assert parsed.text == "# Costs\n\nHigh."


def test_markdown_without_title_or_heading_is_refused():
    with pytest.raises(ImportProblem, match=r"^no title"):
        markdown.parse(b"---\nsection: Schools\n---\nJust text.\n", "a.md")


@pytest.mark.parametrize(
    ("front_matter", "line"),
    [
        ("title: Roof: repaired\n", 3),  # a second colon in an unquoted value
        ("title: Roof\ntags: [a, b\nurl: https://example.org\n", 5),  # unclosed list, found on the next key
    ],
)
def test_markdown_with_malformed_yaml_names_the_line(front_matter, line):
    data = f"\n---\n{front_matter}---\nText.\n".encode()
    with pytest.raises(ImportProblem) as problem:
        markdown.parse(data, "a.md")
    assert problem.value.line == line
    assert "malformed YAML front matter" in str(problem.value)


def test_markdown_with_unclosed_front_matter_is_refused():
    with pytest.raises(ImportProblem, match="never closed") as problem:
        markdown.parse(b"---\ntitle: Roof\n\nText.\n", "a.md")
    assert problem.value.line == 1


def test_markdown_front_matter_must_be_a_mapping():
    with pytest.raises(ImportProblem, match="key: value"):
        markdown.parse(b"---\n- a list\n---\nText.\n", "a.md")


def test_markdown_with_an_unreadable_date_warns_and_imports_without_it():
    parsed = markdown.parse(b"---\ntitle: Roof\npublished: soon-ish\n---\nText.\n", "a.md")
    assert parsed.published_at is None
    assert parsed.warnings == ["field published: cannot read the date “soon-ish”; imported without it"]


def test_markdown_warns_about_unknown_keys():
    parsed = markdown.parse(b"---\ntitle: Roof\nautors: [Mei Tanaka]\n---\nText.\n", "a.md")
    assert parsed.warnings == ["front matter: ignored unknown key(s) autors"]


def test_markdown_refuses_yaml_aliases_before_expanding_them():
    # 380 bytes of nested aliases ("billion laughs") that stand for 9**9 strings.
    data = (FIXTURES / "alias_bomb.md").read_bytes()
    started = time.monotonic()
    with pytest.raises(ImportProblem) as problem:
        markdown.parse(data, "alias_bomb.md")

    assert time.monotonic() - started < 5
    assert str(problem.value) == "line 3: YAML front matter: anchors and aliases (&name, *name) are not allowed"


def test_markdown_refuses_a_lone_yaml_anchor_and_deeply_nested_front_matter():
    with pytest.raises(ImportProblem, match=r"^line 3: YAML front matter: anchors and aliases"):
        markdown.parse(b"---\ntitle: Roof\ntags: &t [a, b]\n---\nText.\n", "a.md")
    with pytest.raises(ImportProblem, match=r"^line 2: YAML front matter nested too deeply$"):
        markdown.parse(b"---\ntags: " + b"[" * 100_000 + b"\n---\nText.\n", "a.md")


def test_markdown_messages_and_warnings_quote_at_most_80_characters_of_the_input():
    with pytest.raises(ImportProblem) as problem:
        markdown.parse(b"---\ntitle: Roof\nauthors:\n  - [" + b"x, " * 5_000 + b"x]\n---\nText.\n", "a.md")
    parsed = markdown.parse(b"---\ntitle: Roof\npublished: " + b"soon " * 5_000 + b"\n---\nText.\n", "a.md")

    assert len(str(problem.value)) < 200
    assert len(parsed.warnings[0]) < 200


# HTML pages


def test_html_reads_the_article_and_its_metadata():
    parsed = html.parse((FIXTURES / "harbour_article.html").read_bytes(), "harbour_article.html")
    # The visible headline, not the metadata title with its kicker.
    assert parsed.title == "Harbour ferry timetable rewritten after winter storms"
    assert parsed.authors == [ParsedAuthor("Ingrid Halvorsen"), ParsedAuthor("Tomás Ruiz")]
    assert parsed.byline == "Ingrid Halvorsen and Tomás Ruiz"
    assert parsed.publisher == "The Coastal Courier"
    assert parsed.url == "https://courier.example.org/news/2023/harbour-ferry-timetable"
    assert parsed.language == "en-GB"
    assert parsed.section == "Local transport"
    plus_one = timezone(timedelta(hours=1))
    assert parsed.published_at == datetime(2023, 2, 14, 8, 30, tzinfo=plus_one)
    assert parsed.updated_at == datetime(2023, 2, 14, 17, 5, tzinfo=plus_one)
    assert parsed.format == "html"


def test_html_body_has_one_blank_line_between_paragraphs_and_no_page_furniture():
    parsed = html.parse((FIXTURES / "harbour_article.html").read_bytes(), "harbour_article.html")
    paragraphs = parsed.text.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("The harbour board has rewritten the ferry timetable")
    assert "“Nobody wants to cut a service" in parsed.text
    assert "\n\n\n" not in parsed.text
    for furniture in ("Sign up for the morning briefing", "Most read", "Copyright", "Port authority", "By Ingrid"):
        assert furniture not in parsed.text


PLAIN_PAGE = """<html lang="de"><head><meta charset="windows-1252">
<title>Neue F\u00e4hre f\u00fcr die Insel</title>
<meta name="author" content="Von Jana M\u00fcller">
<meta property="article:published_time" content="2023-05-02T07:00:00Z">
</head><body><article><h1>Neue F\u00e4hre f\u00fcr die Insel</h1>
<p>Die Gemeinde hat am Dienstag eine neue F\u00e4hre in Dienst gestellt, die bei jedem Wetter fahren soll und
doppelt so viele Autos wie das alte Schiff an Bord nehmen kann.</p>
<p>Die Pendler auf der Insel hoffen, dass damit die langen Wartezeiten am Anleger im Sommer endlich vorbei sind,
wenn die Touristen kommen und die Schlangen bis in den Ort reichen.</p>
<p>Der B\u00fcrgermeister sprach von einem guten Tag f\u00fcr die Insel und dankte den Werftarbeitern.</p>
</article></body></html>"""


def test_html_reads_the_declared_charset_and_a_meta_author_without_its_prefix():
    parsed = html.parse(PLAIN_PAGE.encode("cp1252"), "faehre.html")
    assert parsed.encoding == "windows-1252"
    assert parsed.warnings == []  # declared by the page, not guessed
    assert parsed.title == "Neue Fähre für die Insel"
    assert parsed.authors == [ParsedAuthor("Jana Müller")]
    assert parsed.language == "de"
    assert parsed.published_at == datetime(2023, 5, 2, 7, 0, tzinfo=UTC)
    assert parsed.text.startswith("Die Gemeinde hat am Dienstag")


def test_html_without_article_text_is_refused():
    with pytest.raises(ImportProblem, match="no article text"):
        html.parse(b"<html><head><title>Empty</title></head><body><div> </div><img src=x></body></html>", "empty.html")


# The registry


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("story.txt", b"Title\n\nText.", "text"),
        ("STORY.TXT", b"Title\n\nText.", "text"),
        ("story.txt", b"\n---\ntitle: Roof\n---\nText.", "markdown"),
        ("story.txt", b"Title\n\n---\n\nText.", "text"),  # a rule later in the file is not front matter
        ("story.md", b"# Title", "markdown"),
        ("story.markdown", b"# Title", "markdown"),
        ("page.html", b"<html>", "html"),
        ("page.htm", b"<html>", "html"),
    ],
)
def test_detect_format_goes_by_extension(filename, data, expected):
    assert detect_format(filename, data) == expected


def test_detect_format_refuses_an_unknown_extension_and_lists_the_known_formats():
    with pytest.raises(ImportProblem) as problem:
        detect_format("scan.pdf", b"%PDF")
    message = str(problem.value)
    assert "“.pdf”" in message
    assert "html (.html, .htm, .xhtml), markdown (.md, .markdown), text (.txt)" in message


def test_get_importer_refuses_an_unknown_format_and_lists_the_known_formats():
    assert get_importer("text") is text
    with pytest.raises(
        ImportProblem, match=r"unknown format “docx”; known formats: claimset \(\.json\), html .*markdown .*text"
    ):
        get_importer("docx")


def test_every_registered_importer_implements_the_interface():
    for name, module in FORMATS.items():
        assert name == module.FORMAT
        assert all(extension.startswith(".") for extension in module.EXTENSIONS)
        assert callable(module.parse)


# The sample documents, where this machine has them (they are third-party text and are not copied
# into the repository).

needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason=f"the sample documents are not on this machine: no folder {SEEDS} (../shared/seeds beside the repository)",
)


@needs_seeds
def test_seed_with_a_repeated_headline_and_two_located_authors():
    parsed = text.parse((SEEDS / "000_b7242732fc2f6759.txt").read_bytes(), "000.txt")
    assert parsed.title == "Russia and Belarus seek closer embrace with political deal and military drills"
    assert parsed.byline == "Max Seddon in Moscow and Richard Milne in Oslo"
    assert parsed.authors == [ParsedAuthor("Max Seddon", "Moscow"), ParsedAuthor("Richard Milne", "Oslo")]
    assert parsed.text.startswith("Russia and Belarus are expected on Thursday")
    assert parsed.title not in parsed.text
    assert parsed.section == ""
    assert "\n\n\n" not in parsed.text


@needs_seeds
def test_seed_with_an_updated_line_and_a_rubric():
    parsed = text.parse((SEEDS / "003_f94f3559c92d6070.txt").read_bytes(), "003.txt")
    assert parsed.updated_at == datetime(2022, 8, 16, 13, 19)
    assert parsed.title == (
        "Minsk to ’compensate’ for political rapprochement with West by defence cooperation with Moscow"
    )
    assert parsed.section == "Belarus in focus"
    assert parsed.text.startswith("Despite their desire")
    assert "Updated at" not in parsed.text
    assert "Belarus in focus" not in parsed.text


def test_html_ignores_json_ld_nested_too_deeply_to_read():
    page = (
        b"<html><head><title>Roof repaired</title><script type='application/ld+json'>"
        + b"[" * 100_000
        + b"</script></head><body><article><h1>Roof repaired</h1><p>"
        + b"The island school has a new roof, the council said on Tuesday. " * 5
        + b"</p></article></body></html>"
    )

    parsed = html.parse(page, "roof.html")

    assert parsed.title == "Roof repaired"
    assert parsed.text.startswith("The island school has a new roof")


# Authors, headlines and time lines as newsrooms print them

PARAGRAPHS = "".join(
    f"<p>{sentence} The council will meet again next week to discuss the plans in more detail.</p>"
    for sentence in (
        "The harbour board approved the repairs on Tuesday after a long debate.",
        "Residents had asked for the work for years, and welcomed the decision.",
        "The contractor says the work will take most of the summer.",
    )
)


def page(head, body, lang="en"):
    html_head = f'<html lang="{lang}"><head><meta charset="utf-8">{head}</head>'
    return f"{html_head}<body><article>{body}</article></body></html>".encode()


def test_html_discards_a_site_named_as_author_and_reads_the_printed_byline():
    data = page(
        '<title>Pier repairs approved | Harbour Gazette</title><meta name="author" content="Harbour Gazette">'
        '<meta property="og:url" content="https://harbourgazette.example/pier">',
        "<h1>Pier repairs approved</h1>"
        f'<p class="byline">By Mara Okafor, Tomas Reyes and Ilse Brandvold in Portlaine</p>{PARAGRAPHS}',
    )
    parsed = html.parse(data, "pier.html")
    assert parsed.authors == [
        ParsedAuthor("Mara Okafor", "Portlaine"),
        ParsedAuthor("Tomas Reyes", "Portlaine"),
        ParsedAuthor("Ilse Brandvold", "Portlaine"),
    ]
    assert parsed.byline == "By Mara Okafor, Tomas Reyes and Ilse Brandvold in Portlaine"
    assert parsed.publisher == "Harbour Gazette"
    assert "By Mara Okafor" not in parsed.text


def test_html_discards_an_author_that_is_the_sites_domain():
    data = page(
        '<title>Pier repairs approved</title><meta name="author" content="harbourgazette.example">'
        '<meta property="og:url" content="https://www.harbourgazette.example/pier">',
        f"<h1>Pier repairs approved</h1>{PARAGRAPHS}",
    )
    assert html.parse(data, "pier.html").authors == []


def test_html_keeps_the_og_title_headline_and_gives_the_site_name_to_the_publisher():
    data = page(
        "<title>Pier repairs approved - Coastal news in brief | Harbour Gazette</title>"
        '<meta property="og:title" content="Pier repairs approved">',
        PARAGRAPHS,
    )
    parsed = html.parse(data, "pier.html")
    assert parsed.title == "Pier repairs approved"
    assert parsed.publisher == "Harbour Gazette"


def test_html_reads_a_printed_update_line_apart_from_the_publication_date():
    data = page(
        "<title>Pier repairs approved</title>"
        '<meta property="article:published_time" content="2024-05-04T08:30:00+01:00">',
        f'<h1>Pier repairs approved</h1><p class="updated">Updated: 5 May 2024, 10:12 CET</p>{PARAGRAPHS}',
    )
    parsed = html.parse(data, "pier.html")
    assert parsed.published_at == datetime(2024, 5, 4, 8, 30, tzinfo=timezone(timedelta(hours=1)))
    assert parsed.updated_at == datetime(2024, 5, 5, 10, 12, tzinfo=timezone(timedelta(hours=1)))
    assert "Updated:" not in parsed.text


def test_text_reads_a_closing_stand_line_as_the_update_time_and_leaves_it_out_of_the_body():
    document = (
        "Schleuse bleibt gesperrt\n\nVon Jana Fischer und Paul Wagner aus Kiel\n\n"
        "Die Schleuse bleibt bis Ende Mai gesperrt, teilte die Behörde am Montag mit.\n\n"
        "Für die Reedereien bedeutet das lange Umwege, sagte ein Sprecher des Hafens.\n\n"
        "Stand: 28.04.2020 18:00 Uhr\n"
    )
    parsed = text.parse(document.encode("utf-8"), "schleuse.txt")
    assert parsed.language == "de"
    assert parsed.authors == [ParsedAuthor("Jana Fischer", "Kiel"), ParsedAuthor("Paul Wagner", "Kiel")]
    assert parsed.updated_at == datetime(2020, 4, 28, 18, 0)
    assert parsed.published_at is None
    assert "Stand:" not in parsed.text


def test_markdown_reads_the_byline_in_the_language_the_front_matter_gives():
    document = (
        "---\ntitle: Schleuse bleibt gesperrt\nlanguage: de\nbyline: Jana Fischer und Paul Wagner aus Kiel\n---\n\n"
        "Die Schleuse bleibt bis Ende Mai gesperrt.\n"
    )
    parsed = markdown.parse(document.encode("utf-8"), "schleuse.md")
    assert parsed.authors == [ParsedAuthor("Jana Fischer", "Kiel"), ParsedAuthor("Paul Wagner", "Kiel")]
