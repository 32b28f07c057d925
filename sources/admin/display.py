"""How the sources admin shows dates, texts, origins and encodings."""

from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from sources.diffs import paragraphs


def encoding_read(revision):
    """Return "windows-1252 (confidence 92%)" for a revision, "utf-8" without a confidence, or None."""
    if not revision.encoding:
        return None
    if revision.encoding_confidence is None:
        return revision.encoding
    return f"{revision.encoding} (confidence {revision.encoding_confidence:.0%})"


def origin_file_name(origin):
    """Return the last part of a revision's origin path or URL ("page.html"), or ""."""
    return PurePosixPath(urlsplit(origin).path).name


def compact_datetime(value):
    """Return ``value`` in the site's zone as "2024-03-18 10:00" (wrapping only between date and time)."""
    if value is None:
        return None
    value = timezone.localtime(value)
    return format_html(
        '<span class="compact-date">{}</span> {}', date_format(value, "Y-m-d"), date_format(value, "H:i")
    )


def format_html_paragraphs(text):
    """Return ``text`` as escaped HTML paragraphs, each marked with its code-point offset."""
    return format_html_join(
        "\n", '<p data-start="{}">{}</p>', ((start, linebreaksbr(paragraph)) for start, paragraph in paragraphs(text))
    )
