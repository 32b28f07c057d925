import pytest

from sources.bylines import format_byline, looks_like_byline, parse_byline
from sources.importers.base import ParsedAuthor


def authors(*pairs):
    return [ParsedAuthor(name=name, location=location) for name, location in pairs]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Anna Lindqvist in Stockholm and Pieter de Vries in Rotterdam",
            authors(("Anna Lindqvist", "Stockholm"), ("Pieter de Vries", "Rotterdam")),
        ),
        (
            "By Anna Lindqvist, Karim Haddad and Mei Tanaka",
            authors(("Anna Lindqvist", ""), ("Karim Haddad", ""), ("Mei Tanaka", "")),
        ),
        (
            "By Anna Lindqvist, Karim Haddad, and Mei Tanaka",
            authors(("Anna Lindqvist", ""), ("Karim Haddad", ""), ("Mei Tanaka", "")),
        ),
        ("Anna Lindqvist and Karim Haddad", authors(("Anna Lindqvist", ""), ("Karim Haddad", ""))),
        ("Anna Lindqvist & Karim Haddad", authors(("Anna Lindqvist", ""), ("Karim Haddad", ""))),
        ("Anna Lindqvist, Stockholm correspondent", authors(("Anna Lindqvist", "Stockholm"))),
        ("Anna Lindqvist, Chief Economics Correspondent", authors(("Anna Lindqvist", ""))),
        ("Anna Lindqvist, our correspondent in Riga", authors(("Anna Lindqvist", "Riga"))),
        ("By Anna Lindqvist in Stockholm", authors(("Anna Lindqvist", "Stockholm"))),
        # A location after the last of several names is shared by the names before it.
        (
            "Anna Lindqvist and Karim Haddad in Beirut",
            authors(("Anna Lindqvist", "Beirut"), ("Karim Haddad", "Beirut")),
        ),
        (
            "Anna Lindqvist in Oslo, Karim Haddad and Mei Tanaka in Osaka",
            authors(("Anna Lindqvist", "Oslo"), ("Karim Haddad", "Osaka"), ("Mei Tanaka", "Osaka")),
        ),
        ("Anna Lindqvist; Karim Haddad", authors(("Anna Lindqvist", ""), ("Karim Haddad", ""))),
        ("by Anna Lindqvist", authors(("Anna Lindqvist", ""))),
        ("BY:  Anna   Lindqvist  and\tKarim Haddad ", authors(("Anna Lindqvist", ""), ("Karim Haddad", ""))),
        ("Ursula van der Berg in The Hague", authors(("Ursula van der Berg", "The Hague"))),
        ("Omar al-Rashid in Rio de Janeiro", authors(("Omar al-Rashid", "Rio de Janeiro"))),
        ("Seán O’Connell and J. R. Whitaker Jr.", authors(("Seán O’Connell", ""), ("J. R. Whitaker Jr.", ""))),
        ("Anna Lindqvist, Reuters", authors(("Anna Lindqvist", ""))),
        ("By Reuters", authors(("Reuters", ""))),
        ("ANNA LINDQVIST IN STOCKHOLM", authors(("ANNA LINDQVIST", "STOCKHOLM"))),
    ],
)
def test_parse_byline_reads_authors_in_order(line, expected):
    assert parse_byline(line) == expected
    assert looks_like_byline(line)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Baltic in focus",  # a rubric: "in" followed by a lower-case word
        "Sweden and Norway",  # one-word parts are not names without "By"
        "Sweden and Norway agree to share the cost of a new bridge over the fjord",
        "The ministers met on Tuesday.",
        "It rained.",
        "Analysis",
        "Anna Lindqvist went home early.",
        "“We will not give up,” she said",
        "Reporting by Anna Lindqvist; Editing by someone else entirely",
        "Updated at 13:19,16-08-2022",
        "x" * 400,
    ],
)
def test_parse_byline_returns_nothing_for_lines_that_are_not_bylines(line):
    assert parse_byline(line) == []
    assert not looks_like_byline(line)


@pytest.mark.parametrize(
    "line",
    [
        "By our Moscow correspondent",
        "by staff reporters",
        "By a special correspondent",
        "by anna lindqvist",  # names are read only when capitalised
    ],
)
def test_a_by_line_that_names_no_one_is_a_byline_without_authors(line):
    assert parse_byline(line) == []
    assert looks_like_byline(line)


@pytest.mark.parametrize(
    "line", ["By the time the ferry came, the quay was empty.", "By the evening, the road was shut"]
)
def test_a_sentence_starting_with_by_is_not_a_byline(line):
    assert not looks_like_byline(line)


def test_format_byline_prints_names_as_a_newsroom_would():
    assert format_byline(authors(("Anna Lindqvist", ""))) == "Anna Lindqvist"
    assert format_byline(authors(("Anna Lindqvist", "Oslo"), ("Mei Tanaka", "Osaka"))) == (
        "Anna Lindqvist in Oslo and Mei Tanaka in Osaka"
    )
    assert format_byline(authors(("A B", ""), ("C D", ""), ("E F", ""))) == "A B, C D and E F"
    assert format_byline([]) == ""


@pytest.mark.parametrize(
    ("line", "language", "expected"),
    [
        (
            "Von Anna Schmidt, Jonas Weber und Lea Krause",
            "de",
            authors(("Anna Schmidt", ""), ("Jonas Weber", ""), ("Lea Krause", "")),
        ),
        (
            "Von Anna Schmidt, Jonas Weber und Lea Krause aus Berlin",
            "de",
            authors(("Anna Schmidt", "Berlin"), ("Jonas Weber", "Berlin"), ("Lea Krause", "Berlin")),
        ),
        (
            "Anna Schmidt in Berlin und Jonas Weber in Wien",
            "de-AT",
            authors(("Anna Schmidt", "Berlin"), ("Jonas Weber", "Wien")),
        ),
        ("Von Anna Schmidt, Berlin", "de", authors(("Anna Schmidt", "Berlin"))),
        ("Por Ana López y Carlos Ruiz en Madrid", "es", authors(("Ana López", "Madrid"), ("Carlos Ruiz", "Madrid"))),
        ("Par Marie Dubois et Luc Martin à Paris", "fr", authors(("Marie Dubois", "Paris"), ("Luc Martin", "Paris"))),
        ("Di Marco Rossi e Giulia Bianchi da Roma", "it", authors(("Marco Rossi", "Roma"), ("Giulia Bianchi", "Roma"))),
        ("Av Åsa Lind och Erik Holm i Göteborg", "sv", authors(("Åsa Lind", "Göteborg"), ("Erik Holm", "Göteborg"))),
        (
            "Door Pieter de Vries en Sanne Bakker in Den Haag",
            "nl",
            authors(("Pieter de Vries", "Den Haag"), ("Sanne Bakker", "Den Haag")),
        ),
        # An English byline in a document in another language is still read.
        (
            "By Max Seddon in Moscow and Richard Milne in Oslo",
            "de",
            authors(("Max Seddon", "Moscow"), ("Richard Milne", "Oslo")),
        ),
        # Without a language, the opening word says which one.
        ("Por Ana López y Carlos Ruiz en Madrid", "", authors(("Ana López", "Madrid"), ("Carlos Ruiz", "Madrid"))),
        ("Door Pieter de Vries en Sanne Bakker", "", authors(("Pieter de Vries", ""), ("Sanne Bakker", ""))),
    ],
)
def test_parse_byline_reads_bylines_in_the_documents_language(line, language, expected):
    assert parse_byline(line, language) == expected
    assert looks_like_byline(line, language)


def test_the_documents_language_decides_what_en_means():
    # Dutch "en" joins two names; Spanish "en" names the place.
    assert parse_byline("Sanne Bakker en Pieter Smit", "nl") == authors(("Sanne Bakker", ""), ("Pieter Smit", ""))
    assert parse_byline("Ana López en Madrid", "es") == authors(("Ana López", "Madrid"))


@pytest.mark.parametrize(
    ("line", "language"),
    [
        ("Von der Leyen besucht Kiew", "de"),
        ("Par ailleurs, la mairie a annoncé des travaux.", "fr"),
        ("Por favor", "es"),
        ("Di sera il porto è chiuso", "it"),
    ],
)
def test_sentences_in_other_languages_are_not_bylines(line, language):
    assert parse_byline(line, language) == []
    assert not looks_like_byline(line, language)
