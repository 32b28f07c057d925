"""Excerpts highlighted inside a source's text, as HTML in which every character of text is escaped.

A text is cut into paragraphs (at blank lines) and each paragraph into *segments* at every start
and end of a highlighted span, so overlapping and nested excerpts need no nesting of elements: a
segment is covered by zero, one or several spans, and is rendered once.
"""

import itertools
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from sources.textutils import paragraph_spans


@dataclass(frozen=True)
class Span:
    """A highlighted stretch ``start``–``end`` (code points) of a text; ``href`` and ``title`` optional."""

    start: int
    end: int
    href: str = ""
    title: str = ""


@dataclass
class Segment:
    text: str
    spans: list = field(default_factory=list)


def paragraph_bounds(text):
    """Return the ``(start, end)`` offsets of the paragraphs of ``text`` (``sources.textutils``)."""
    return paragraph_spans(text)


def paragraph_window(text, start, end):
    """Return ``(window_start, window_end)``: the paragraphs of ``text`` that ``start``–``end`` touches."""
    window_start, window_end = start, end
    for paragraph_start, paragraph_end in paragraph_bounds(text):
        if paragraph_end <= start or paragraph_start >= end:
            continue
        window_start = min(window_start, paragraph_start)
        window_end = max(window_end, paragraph_end)
    return window_start, window_end


def segment(text, spans, *, offset=0, length=None):
    """Return the paragraphs of ``text[offset:offset+length]``, each a list of :class:`Segment`.

    ``spans`` use offsets into the whole ``text``; spans outside the window or empty are ignored,
    spans reaching past it are clipped.
    """
    length = len(text) - offset if length is None else length
    window = text[offset : offset + length]
    spans = [span for span in spans if span.end > span.start]
    result = []
    for paragraph_start, paragraph_end in paragraph_bounds(window):
        start, end = offset + paragraph_start, offset + paragraph_end
        cuts = {start, end}
        for span in spans:
            for edge in (span.start, span.end):
                if start < edge < end:
                    cuts.add(edge)
        edges = sorted(cuts)
        pieces = []
        for piece_start, piece_end in itertools.pairwise(edges):
            covering = [span for span in spans if span.start <= piece_start and span.end >= piece_end]
            pieces.append(Segment(text[piece_start:piece_end], covering))
        result.append(pieces)
    return result


def render_segments(paragraphs, *, paragraph_class=""):
    """Return ``paragraphs`` (from :func:`segment`) as ``<p>`` elements; highlighted segments in ``<mark>``.

    A segment covered by one linked span links to it; one covered by several links to the first and
    names them all in its ``title``, and is marked as an overlap.
    """
    html = []
    for pieces in paragraphs:
        inner = []
        for piece in pieces:
            if not piece.spans:
                inner.append(escape(piece.text))
                continue
            first = piece.spans[0]
            css = "excerpt excerpt-overlap" if len(piece.spans) > 1 else "excerpt"
            title = " · ".join(span.title for span in piece.spans if span.title)
            if first.href:
                inner.append(
                    format_html(
                        '<mark class="{}"><a href="{}"{}>{}</a></mark>',
                        css,
                        first.href,
                        format_html(' title="{}"', title) if title else "",
                        piece.text,
                    )
                )
            else:
                inner.append(format_html('<mark class="{}">{}</mark>', css, piece.text))
        attribute = format_html(' class="{}"', paragraph_class) if paragraph_class else ""
        html.append(format_html("<p{}>{}</p>", attribute, mark_safe("".join(str(part) for part in inner))))  # noqa: S308
    return mark_safe("\n".join(str(part) for part in html))  # noqa: S308 — built from escaped parts


def highlight_text(text, spans, **options):
    """Return the whole ``text`` as escaped paragraphs with ``spans`` highlighted."""
    return render_segments(segment(text, spans), **options)


def highlight_in_paragraph(text, start, end, **options):
    """Return the paragraph(s) of ``text`` holding ``start``–``end``, escaped, the passage in ``<mark>``."""
    window_start, window_end = paragraph_window(text, start, end)
    paragraphs = segment(text, [Span(start, end)], offset=window_start, length=window_end - window_start)
    return render_segments(paragraphs, **options)
