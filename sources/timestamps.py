"""Reading the timestamps publishers print: "Updated at 13:19,16-08-2022", "16 August 2022 13:19".

Numeric dates are read day first (03/04/2022 is 3 April), as the newsroom layout prints them.
A time printed without a zone gives a naive ``datetime``; the import service reads it in the
publisher's zone. A printed offset, ``Z`` or zone abbreviation (``CET``, ``CEST``, ``BST``, ``MEZ``
…) gives an aware one. A date without a time gives midnight of that date, in the printed zone if
any: the date is never moved by a conversion.

Labels name the kind of time, in English, German, French, Spanish, Italian, Swedish and Dutch:
"Updated", "Last updated", "Stand", "Aktualisiert", "Mis à jour le", "Actualizado",
"Aggiornato", "Uppdaterad", "Bijgewerkt op" name the publisher's update time; "Published",
"Veröffentlicht", "Publié le", "Publicado", "Pubblicato", "Publicerad", "Gepubliceerd" the first
publication. Month names are read by dateparser in those languages.
"""

import re
from datetime import UTC, datetime, timedelta, timezone

# Labels in front of a printed time, and which timestamp they name.
_LABELS = [
    (
        r"(?:last\s+)?(?:updated|modified|amended)|(?:zuletzt\s+)?aktualisiert|stand"
        r"|mis\s+à\s+jour|mise\s+à\s+jour|dernière\s+mise\s+à\s+jour"
        r"|actualizad[oa]|última\s+actualización|(?:ultimo\s+)?aggiornamento|aggiornat[oa]"
        r"|(?:senast\s+)?uppdaterad|(?:laatst\s+)?bijgewerkt|geüpdatet|gewijzigd",
        "updated",
    ),
    (
        r"(?:first\s+)?(?:published|posted)|veröffentlicht|erschienen|publié|publicad[oa]"
        r"|pubblicat[oa]|publicerad|gepubliceerd",
        "published",
    ),
]
_LABEL = re.compile(
    r"^\s*(?P<label>" + "|".join(f"(?:{pattern})" for pattern, _ in _LABELS) + r")"
    r"(?:\s+(?:at|on|am|um|le|el|il|den|op|om|à|a\s+las|alle|kl\.?))?\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
_GENERIC_LABEL = re.compile(r"^\s*(?:date|dated|datum|fecha|data)\s*[:\-–—]?\s*", re.IGNORECASE)

# Zone abbreviations news sites print, as fixed offsets (a printed "CET" in summer means CET).
ZONE_ABBREVIATIONS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "IST": 1,
    "CET": 1,
    "MEZ": 1,
    "CEST": 2,
    "MESZ": 2,
    "EET": 2,
    "OEZ": 2,
    "EEST": 3,
    "OESZ": 3,
    "MSK": 3,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "PST": -8,
    "PDT": -7,
}
_ZONE_WORD = re.compile(r"\s*\(?\b(" + "|".join(ZONE_ABBREVIATIONS) + r")\b\)?\s*$")
# "18:00 Uhr", "10h12", "kl. 10.12": the time's own words, which the patterns below do not expect.
_CLOCK_WORDS = re.compile(r"\s+(?:Uhr|h|hrs?|horas?)\b\.?|\b(?:kl\.?|om|alle|ore|um|à|a\s+las)\s+(?=\d)", re.I)
_FRENCH_TIME = re.compile(r"\b(\d{1,2})h(\d{2})\b")

_TIME = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
_DATE = r"(?P<day>\d{1,2})[-./](?P<month>\d{1,2})[-./](?P<year>\d{4})"
_ZONE = r"(?:\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}:?\d{2}))?"
# "13:19,16-08-2022" (time first, as in the newsroom layout) and "16.08.2022 13:19" / "16/08/2022".
_TIME_THEN_DATE = re.compile(rf"^{_TIME}{_ZONE}\s*[,;]?\s*{_DATE}$")
_DATE_THEN_TIME = re.compile(rf"^{_DATE}(?:\s*[,;T]?\s*(?:at\s+)?{_TIME}{_ZONE})?$", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
MAX_TIMESTAMP_LENGTH = 80

DATEPARSER_SETTINGS = {
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
    "PREFER_DATES_FROM": "past",
    # A date without a year or day is not a publisher's timestamp.
    "REQUIRE_PARTS": ["day", "month", "year"],
}
DATEPARSER_LANGUAGES = ["en", "de", "fr", "es", "it", "sv", "nl", "ru"]


def strip_label(text):
    """Return ``(label, rest)``: "updated", "published" or ``None``, and the text after the label."""
    text = " ".join((text or "").split())
    if match := _LABEL.match(text):
        word = match.group("label").casefold()
        for pattern, label in _LABELS:
            if re.fullmatch(pattern, word, re.IGNORECASE):
                return label, text[match.end() :]
    if match := _GENERIC_LABEL.match(text):
        return None, text[match.end() :]
    return None, text


def _zone(value):
    if not value:
        return None
    if value.upper() in {"Z", "UTC", "GMT"}:
        return UTC
    sign = -1 if value[0] == "-" else 1
    digits = value[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _from_match(match):
    parts = match.groupdict()
    try:
        value = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
        )
    except ValueError:
        return None
    zone = _zone(parts.get("zone"))
    return value.replace(tzinfo=zone) if zone else value


def _iso(text):
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _dateparser(text):
    import dateparser  # imported here: it loads language data that most commands never need

    value = dateparser.parse(text, settings=DATEPARSER_SETTINGS, languages=DATEPARSER_LANGUAGES)
    if value is None:
        return None
    # dateparser also reads relative phrases ("yesterday", "2 hours ago") and picks years out of
    # sentences; a printed timestamp states its year, and that must be the year it read.
    years = _YEAR.findall(text)
    if len(years) != 1 or int(years[0]) != value.year:
        return None
    return value


def parse_timestamp(text):
    """Return the date and time printed in ``text``, or ``None`` when it cannot be read.

    A leading label ("Updated at", "Stand:", "Mis à jour le") is ignored. The result is naive
    when no zone is printed and aware when an offset, ``Z`` or a zone abbreviation is. A date
    without a time gives midnight of that date.
    """
    _, rest = strip_label(text)
    rest = rest.strip().rstrip(".")
    if not rest or len(rest) > MAX_TIMESTAMP_LENGTH or not re.search(r"\d", rest):
        return None
    if value := _iso(rest):
        return value
    zone = None
    if match := _ZONE_WORD.search(rest):
        zone = timezone(timedelta(hours=ZONE_ABBREVIATIONS[match.group(1).upper()]))
        rest = rest[: match.start()]
    rest = _FRENCH_TIME.sub(r"\1:\2", rest)
    rest = _CLOCK_WORDS.sub(" ", rest).strip(" ,;")
    value = None
    for pattern in (_TIME_THEN_DATE, _DATE_THEN_TIME):
        if match := pattern.match(rest):
            value = _from_match(match)
            break
    else:
        value = _dateparser(rest)
    if value is None or zone is None:
        return value
    # The printed zone wins; the wall-clock date and time stay as printed.
    return value.replace(tzinfo=zone)


def timestamp_label(line):
    """Return "updated" or "published" when ``line`` is a labelled timestamp line, else ``None``.

    The line must be the label followed by something date-like (it contains a digit and is
    short): "Updated guidance for schools" is a headline, not a timestamp. Whether the date
    itself can be read is ``parse_timestamp``'s question.
    """
    label, rest = strip_label(line)
    if label and rest and len(rest) <= MAX_TIMESTAMP_LENGTH and re.search(r"\d", rest):
        return label
    return None
