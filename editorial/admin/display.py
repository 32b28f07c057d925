"""How the editorial admin shows claims: excerpts in context, anchor states, the moderation log, counts.

Everything returned as HTML is built with ``format_html``, so statements, excerpts, titles and notes
are escaped wherever they are shown. ``claim_display_prefetches`` is what a listed claim's columns
read, fetched once for the whole list.
"""

import re

from django.contrib import admin
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from editorial import anchoring
from editorial.models import AnchorState, Citation

ANCHOR_LABELS = {
    AnchorState.CURRENT: "Current",
    AnchorState.EXACT: "Source changed: same words",
    AnchorState.FUZZY: "Source changed: found with differences",
    AnchorState.ORPHANED: "Source changed: passage gone",
}
# The worst state first: a claim's summary names the worst of its citations.
ANCHOR_SEVERITY = (AnchorState.ORPHANED, AnchorState.FUZZY, AnchorState.EXACT, AnchorState.CURRENT)

PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")


def claims_count(count):
    """Return "1 claim" or "<count> claims", for messages and titles."""
    return f"{count} claim{'s' if count != 1 else ''}"


def annotation_column(annotation, description):
    """Return a list column showing the value the admin's queryset annotates as ``annotation``, sortable by it.

    Assign it in the admin's class body under the annotation's name: ``claim_count =
    annotation_column("claim_count", "Claims")``.
    """

    @admin.display(description=description, ordering=annotation)
    def column(model_admin, obj):
        return getattr(obj, annotation)

    return column


def claim_display_prefetches():
    """Return what listed claims prefetch for their columns: tags, and citations in order with their sources.

    The revisions' texts and original files are deferred: a list shows titles and anchor states only.
    """
    return (
        "tags",
        Prefetch(
            "citations",
            queryset=Citation.objects.select_related("revision__source")
            .defer("revision__text", "revision__original")
            .order_by("position", "pk"),
        ),
    )


def local_time(value):
    """Return the aware datetime ``value`` in the site's time zone, as ``YYYY-MM-DD HH:MM``."""
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def one_line(text):
    """Return ``text`` with each line or paragraph break shown as " ¶ ", for context shown inline."""
    return PARAGRAPH_BREAK.sub(" ¶ ", text)


def excerpt_in_context(prefix, excerpt, suffix):
    """Return the excerpt highlighted between its context, escaped: ``…prefix<mark>excerpt</mark>suffix…``."""
    lead = "…" if len(prefix) >= anchoring.CONTEXT_LENGTH else ""
    tail = "…" if len(suffix) >= anchoring.CONTEXT_LENGTH else ""
    return format_html(
        '<span class="excerpt-in-context">{}{}<mark>{}</mark>{}{}</span>',
        lead,
        one_line(prefix),
        one_line(excerpt),
        one_line(suffix),
        tail,
    )


def citation_in_context(citation):
    return excerpt_in_context(citation.prefix, citation.excerpt, citation.suffix)


def anchor_html(citation):
    """Return the citation's anchor state as a labelled badge, with its score when the source changed."""
    label = ANCHOR_LABELS.get(citation.anchor_state, citation.anchor_state)
    detail = ""
    if citation.anchor_state == AnchorState.FUZZY and citation.anchor_score is not None:
        detail = f" ({citation.anchor_score}/100)"
    return format_html(
        '<span class="anchor-state anchor-{}" title="{}">{}{}</span>',
        citation.anchor_state,
        AnchorState(citation.anchor_state).label if citation.anchor_state in AnchorState.values else "",
        label,
        detail,
    )


def anchor_summary_html(citations):
    """Return one line summing up the anchor states of ``citations`` ("Source changed: 1 fuzzy, 1 exact")."""
    if not citations:
        return format_html('<span class="anchor-state anchor-none">{}</span>', "No citations")
    counts = dict.fromkeys(ANCHOR_SEVERITY, 0)
    for citation in citations:
        counts[citation.anchor_state] = counts.get(citation.anchor_state, 0) + 1
    changed = [(state, counts[state]) for state in ANCHOR_SEVERITY[:-1] if counts[state]]
    if not changed:
        return format_html('<span class="anchor-state anchor-current">{}</span>', "Current")
    worst = changed[0][0]
    details = ", ".join(f"{count} {AnchorState(state).name.lower()}" for state, count in changed)
    return format_html('<span class="anchor-state anchor-{}">Source changed ({})</span>', worst, details)


def moderation_log_html(claim):
    """Return the claim's moderation log as an HTML table, oldest first, escaped."""
    events = list(claim.moderation_events.select_related("user").order_by("at", "pk"))
    if not events:
        return "No moderation steps yet."
    rows = format_html_join(
        "\n",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
        (
            (
                local_time(event.at),
                event.get_action_display(),
                event.user.get_username() if event.user else "(deleted user)",
                event.get_from_status_display() or "—",
                event.get_to_status_display(),
                event.note or "—",
            )
            for event in events
        ),
    )
    return format_html(
        '<table class="moderation-log"><thead><tr><th>When</th><th>Step</th><th>By</th><th>Status</th>'
        "<th>Note</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )
