from datetime import UTC, datetime, timedelta, timezone

import pytest

from sources.timestamps import parse_timestamp, timestamp_label

PLUS_THREE = timezone(timedelta(hours=3))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Updated at 13:19,16-08-2022", datetime(2022, 8, 16, 13, 19)),
        ("Updated 16.08.2022 13:19", datetime(2022, 8, 16, 13, 19)),
        ("13:19, 16-08-2022", datetime(2022, 8, 16, 13, 19)),
        ("Published: 16 August 2022 13:19", datetime(2022, 8, 16, 13, 19)),
        ("Published on August 16, 2022", datetime(2022, 8, 16)),
        ("First published 2 March 2021", datetime(2021, 3, 2)),
        ("Last updated: Tuesday 16 August 2022 13:19 GMT", datetime(2022, 8, 16, 13, 19, tzinfo=UTC)),
        ("16 August 2022 13:19", datetime(2022, 8, 16, 13, 19)),
        ("August 16, 2022", datetime(2022, 8, 16)),
        ("03/04/2022", datetime(2022, 4, 3)),  # day first
        ("03.04.2022 09:05", datetime(2022, 4, 3, 9, 5)),
        ("2022-08-16", datetime(2022, 8, 16)),
        ("2022-08-16T13:19:00", datetime(2022, 8, 16, 13, 19)),
        ("2022-08-16T13:19:00+03:00", datetime(2022, 8, 16, 13, 19, tzinfo=PLUS_THREE)),
        ("2022-08-16T10:19:00Z", datetime(2022, 8, 16, 10, 19, tzinfo=UTC)),
        ("16-08-2022 13:19 +0300", datetime(2022, 8, 16, 13, 19, tzinfo=PLUS_THREE)),
        ("Aktualisiert am 16.08.2022, 13:19 Uhr", datetime(2022, 8, 16, 13, 19)),
    ],
)
def test_parse_timestamp_reads_printed_times(text, expected):
    value = parse_timestamp(text)
    assert value == expected
    assert (value.tzinfo is None) == (expected.tzinfo is None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "Updated yesterday",
        "2 hours ago",
        "August 2022",  # no day
        "16 August",  # no year
        "31/02/2022",  # no such day
        "Updated at 25:61,16-08-2022",
        "The treaty from 1999 was never ratified by either parliament",
        "Belarus in focus",
    ],
)
def test_parse_timestamp_returns_none_for_what_it_cannot_read(text):
    assert parse_timestamp(text) is None


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("Updated at 13:19,16-08-2022", "updated"),
        ("Last updated: 16 August 2022", "updated"),
        ("Modified 2022-08-16", "updated"),
        ("Published 16 August 2022", "published"),
        ("Posted on 03/04/2022", "published"),
        ("Updated at 25:61,16-08-2022", "updated"),  # labelled, even if the date is unreadable
        ("16 August 2022", None),
        ("Updated guidance for schools", None),  # a headline, not a timestamp
        ("Published works of the year", None),
    ],
)
def test_timestamp_label_names_the_kind_of_timestamp_line(line, label):
    assert timestamp_label(line) == label


CET, CEST = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("line", "label", "expected"),
    [
        ("Stand: 28.04.2020 18:00 Uhr", "updated", datetime(2020, 4, 28, 18, 0)),
        ("Zuletzt aktualisiert: 28.04.2020", "updated", datetime(2020, 4, 28)),
        ("Actualizado: 05/05/2024 10:12 CEST", "updated", datetime(2024, 5, 5, 10, 12, tzinfo=CEST)),
        ("Actualizado el 5 de mayo de 2024 a las 10:12", "updated", datetime(2024, 5, 5, 10, 12)),
        ("Mis à jour le 5 mai 2024 à 10h12", "updated", datetime(2024, 5, 5, 10, 12)),
        ("Updated: 5 May 2024, 10:12 CET", "updated", datetime(2024, 5, 5, 10, 12, tzinfo=CET)),
        ("Last updated 5 May 2024", "updated", datetime(2024, 5, 5)),
        ("Aggiornato il 5 maggio 2024 alle 10:12", "updated", datetime(2024, 5, 5, 10, 12)),
        ("Uppdaterad 5 maj 2024 kl. 10.12", "updated", datetime(2024, 5, 5, 10, 12)),
        ("Bijgewerkt op 5 mei 2024 om 10:12", "updated", datetime(2024, 5, 5, 10, 12)),
        ("Veröffentlicht am 4. Mai 2024, 08:30 Uhr", "published", datetime(2024, 5, 4, 8, 30)),
        ("Publié le 4 mai 2024 à 08h30", "published", datetime(2024, 5, 4, 8, 30)),
        ("Publicado el 4 de mayo de 2024", "published", datetime(2024, 5, 4)),
        ("Pubblicato il 4 maggio 2024", "published", datetime(2024, 5, 4)),
        ("Publicerad 4 maj 2024 08:30", "published", datetime(2024, 5, 4, 8, 30)),
        ("Gepubliceerd op 4 mei 2024 08:30", "published", datetime(2024, 5, 4, 8, 30)),
    ],
)
def test_update_and_publication_lines_in_seven_languages(line, label, expected):
    assert timestamp_label(line) == label
    value = parse_timestamp(line)
    assert value == expected
    assert value.utcoffset() == expected.utcoffset()


def test_a_printed_zone_keeps_the_date_of_a_date_without_a_time():
    value = parse_timestamp("Updated: 5 May 2024 CEST")
    assert (value.date().isoformat(), value.utcoffset()) == ("2024-05-05", timedelta(hours=2))
