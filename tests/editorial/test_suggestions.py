"""Suggested claims: the attributor's shapes, their storage when a revision is captured, and the command."""

import json

import pytest
from django.core.management import CommandError, call_command

from editorial.models import SuggestedClaim
from editorial.suggestions.attribute import DIRECT, REPORTED, attribute
from editorial.suggestions.patterns import ENGLISH, LANGUAGES, language
from tests.factories import add_revision, make_source


def found(text, **options):
    return [(item.kind, item.speaker, item.excerpt) for item in attribute(text, **options)]


# The attributor -----------------------------------------------------------------------------------


def test_a_quotation_said_after_gets_the_speaker_and_the_printed_description():
    (item,) = attribute("“The pier will reopen in May,” said Ilse Brandvold, chair of the harbour board.")

    assert (item.kind, item.speaker, item.excerpt) == (DIRECT, "Ilse Brandvold", "The pier will reopen in May")
    assert item.speaker_description == "chair of the harbour board"


def test_offsets_are_code_points_even_after_characters_outside_the_basic_plane():
    text = "🌊𝔅 Tide report.\n\n“Waves reached four metres 🌊 overnight,” Rafael Ndiaye said."

    (item,) = attribute(text)

    assert text[item.start : item.end] == item.excerpt == "Waves reached four metres 🌊 overnight"


def test_a_split_quotation_is_two_suggestions_by_one_speaker():
    text = "“We waited eleven weeks,” Kari Lehtonen said, “and heard nothing at all.”"

    assert found(text) == [
        (DIRECT, "Kari Lehtonen", "We waited eleven weeks"),
        (DIRECT, "Kari Lehtonen", "and heard nothing at all."),
    ]


def test_a_pronoun_is_the_last_person_who_spoke_never_the_byline_author():
    text = (
        "Mara Okafor reports from the island.\n\n"
        "Tomas Reyes said the ferry would run twice a day.\n\n"
        "“Nobody will be left on the quay,” he added."
    )

    assert found(text, authors=["Mara Okafor"])[-1] == (DIRECT, "Tomas Reyes", "Nobody will be left on the quay")
    assert found("Mara Okafor reports.\n\n“The quay is closed today,” she said.", authors=["Mara Okafor"]) == []


def test_a_surname_alone_is_the_full_name_printed_before():
    text = "Kari Lehtonen, chair of the union, spoke first.\n\n“The strike goes ahead,” Lehtonen said."

    (item,) = attribute(text)

    assert item.speaker == "Kari Lehtonen"


def test_reported_statements_give_the_clause_as_the_excerpt():
    text = (
        "According to Ruth Mendel, the reservoirs are at their lowest level since 1976.\n\n"
        "Koskinen told reporters that sailings would be cut by half from Thursday.\n\n"
        "Aleksi Virtanen warned that the dispute could cost millions a week."
    )

    assert found(text) == [
        (REPORTED, "Ruth Mendel", "the reservoirs are at their lowest level since 1976"),
        (REPORTED, "Koskinen", "sailings would be cut by half from Thursday"),
        (REPORTED, "Aleksi Virtanen", "the dispute could cost millions a week"),
    ]


def test_scare_quotes_and_titles_are_not_suggested():
    text = (
        "The so-called “blue corridor” deal was signed in 2019.\n\n"
        "Lawmakers debated what commentators called a “test case” for the law.\n\n"
        "The novel “A Winter in Saltmere” sold out."
    )

    assert found(text) == []


def test_a_quotation_over_two_paragraphs_is_one_suggestion():
    text = "Lehtonen told the rally:\n\n“We asked for a fair pension.\n\n“We will not wait any longer.”"

    (item,) = attribute(text)

    assert item.excerpt == "We asked for a fair pension.\n\n“We will not wait any longer."


def test_the_pattern_table_is_per_language_with_english_for_the_rest():
    assert LANGUAGES["en"] is ENGLISH
    assert language("en-GB") is ENGLISH
    assert language("xx") is ENGLISH
    assert "said" in ENGLISH.speech_verbs


# Storage, the capture signal and the command ------------------------------------------------------

TEXT = (
    "The harbour board met on Tuesday.\n\n"
    "“This timetable keeps both boats sailing,” said Ilse Brandvold, chair of the board.\n\n"
    "Brandvold said the fares would be reviewed again in the spring."
)


@pytest.mark.django_db
def test_capturing_a_revision_stores_its_suggestions_once_the_capture_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        source = make_source("Harbour board", TEXT)

    stored = list(SuggestedClaim.objects.filter(revision=source.current_revision).in_text_order())
    assert [(s.kind, s.speaker, s.excerpt) for s in stored] == [
        (DIRECT, "Ilse Brandvold", "This timetable keeps both boats sailing"),
        (REPORTED, "Ilse Brandvold", "the fares would be reviewed again in the spring"),
    ]
    assert all(source.current_revision.text[s.start : s.end] == s.excerpt for s in stored)

    with django_capture_on_commit_callbacks(execute=True):
        newer = add_revision(source, TEXT + "\n\n“We listened,” Brandvold added.")

    assert SuggestedClaim.objects.filter(revision=newer).count() == 3
    assert SuggestedClaim.objects.filter(revision=source.current_revision).count() == 3


@pytest.mark.django_db
def test_the_command_prints_every_sources_suggestions_as_json(capsys):
    source = make_source("Harbour board", TEXT)
    make_source("Nothing quoted", "A plain paragraph without anyone speaking.")

    call_command("suggest_claims", "--format", "json")

    items = json.loads(capsys.readouterr().out)
    assert [item["source"] for item in items] == [source.pk, source.pk]
    first = items[0]
    assert set(first) == {
        "source",
        "revision",
        "speaker",
        "speaker_description",
        "excerpt",
        "start",
        "end",
        "kind",
        "confidence",
    }
    assert (first["revision"], first["speaker"], first["speaker_description"], first["kind"]) == (
        1,
        "Ilse Brandvold",
        "chair of the board",
        "direct",
    )
    assert TEXT[first["start"] : first["end"]] == first["excerpt"]
    assert SuggestedClaim.objects.filter(revision__source=source).count() == 2


@pytest.mark.django_db
def test_the_command_prints_text_for_the_sources_named(capsys):
    source = make_source("Harbour board", TEXT)

    call_command("suggest_claims", str(source.pk))

    out = capsys.readouterr().out
    assert "2 suggested claims" in out
    assert "direct 0.90 Ilse Brandvold (chair of the board): “This timetable keeps both boats sailing”" in out


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_source():
    make_source("Harbour board", TEXT)

    with pytest.raises(CommandError, match="No source with id 9999"):
        call_command("suggest_claims", "9999", "--format", "json")
