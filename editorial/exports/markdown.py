"""A Markdown dossier: each claim with its details and numbered notes for its citations.

The notes are plain numbered references, not the footnote extension (``[^1]``) that only some
renderers know: a claim's heading ends with its notes' numbers in brackets, ``[2][3]``, and each
note follows the claim as a paragraph starting with its number, ``[2] “…” — Source.``. Numbers run
through the whole document, so they read the same in any Markdown renderer and as plain text.

Text from claims and sources is escaped, so a statement holding ``*``, ``_``, ``[`` or ``<`` reads as
printed; addresses go in angle brackets. See ``dossier`` for what a note holds.
"""

import re
from collections.abc import Iterator

from editorial.exports import dossier, records
from editorial.exports.base import write_chunks
from editorial.exports.records import CHUNK_SIZE, PUBLIC

NAME = "markdown"
MEDIA_TYPE = "text/markdown; charset=utf-8"
EXTENSION = "md"
LABEL = "Markdown dossier"

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!])")


def escape(text):
    """Return ``text`` on one line with Markdown's special characters backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def link(url):
    """Return ``url`` as a Markdown autolink."""
    return "<" + url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E") + ">"


def write(claims, out, **options):
    write_chunks(iter_chunks(claims, **options), out)


def iter_chunks(claims, *, version=PUBLIC, base_url=None, claim_set=None, chunk_size=CHUNK_SIZE) -> Iterator[str]:
    """Yield the Markdown dossier of ``claims``, a claim at a time."""
    base_url = records.site_url() if base_url is None else base_url.rstrip("/")
    head = [f"# {escape(dossier.heading(claim_set))}", ""]
    if claim_set is not None and claim_set.description:
        head += [escape(claim_set.description), ""]
    head += [
        escape(dossier.exported_line(version=version, base_url=base_url))
        + " Numbers in brackets after a claim, "
        + reference(1)
        + ", refer to the numbered citations below it.",
        "",
    ]
    yield "\n".join(head) + "\n"
    for item in dossier.dossier_claims(claims, version=version, base_url=base_url, chunk_size=chunk_size):
        yield claim_text(item)


def reference(number):
    """Return the mark of note ``number``, ``[2]``, escaped so that no renderer takes it for a link."""
    return f"\\[{number}\\]"


def claim_text(item):
    claim = item.claim
    references = "".join(reference(footnote.number) for footnote in item.footnotes)
    lines = [f"## {item.number}. {escape(claim.statement)}{' ' + references if references else ''}", ""]
    details = [
        ("Speaker", escape(claim.speaker_name)),
        ("Claim date", claim.claim_date.isoformat() if claim.claim_date else ""),
        ("Status", escape(item.status_label)),
        ("Verdict", escape(item.verdict_label)),
        ("Explanation", escape(claim.verdict_explanation)),
        ("Tags", escape(", ".join(claim.tags))),
        ("Public page", link(claim.permalink) if claim.permalink else ""),
    ]
    lines += [f"- **{label}:** {value}" for label, value in details if value]
    lines.append("")
    for footnote in item.footnotes:
        # A paragraph each: a list here would run on from the details list in some renderers.
        lines += [f"{reference(footnote.number)} {footnote_text(footnote)}", ""]
    return "\n".join(lines) + "\n"


def footnote_text(footnote):
    source = ", ".join(
        filter(None, [f"*{escape(footnote.source_title)}*", escape(footnote.publisher), escape(footnote.byline)])
    )
    dates = "; ".join(
        filter(
            None,
            [
                f"published {footnote.published}" if footnote.published else "",
                f"updated {footnote.updated}" if footnote.updated else "",
            ],
        )
    )
    parts = [f"{escape(footnote.quoted_excerpt)} — {source}."]
    if dates:
        parts.append(dates[0].upper() + dates[1:] + ".")
    if footnote.url:
        parts.append(link(footnote.url) + ".")
    parts.append(
        f"Revision {footnote.revision_number} ({link(footnote.revision_url)}), captured {footnote.captured}, "
        f"SHA-256 `{footnote.sha256}`."
    )
    if footnote.note:
        parts.append(escape(footnote.note))
    return " ".join(parts)
