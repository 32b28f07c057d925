"""BibTeX of the cited sources (biblatex-friendly fields: ``date``, ``url``, ``urldate``).

Entry types: ``@article`` for newspaper and magazine articles (the publisher as ``journal``),
``@misc`` for web pages, ``@techreport`` for reports. Keys are the sources' slugs (unique). Field
values are escaped for LaTeX (``& % $ # _ { } ~ ^ \\``), so a headline like "R&D up 5%" reads as
printed; URLs are written as they are (biblatex reads ``url`` verbatim).
"""

from collections.abc import Iterator

from editorial.exports import bibliography
from editorial.exports.base import write_chunks
from editorial.exports.records import CHUNK_SIZE, PUBLIC, isoformat

NAME = "bibtex"
MEDIA_TYPE = "application/x-bibtex; charset=utf-8"
EXTENSION = "bib"
LABEL = "BibTeX (cited sources)"

ENTRY_TYPES = {
    bibliography.NEWSPAPER: "article",
    bibliography.MAGAZINE: "article",
    bibliography.WEBPAGE: "misc",
    bibliography.REPORT: "techreport",
}
# Replacements keep braces balanced: BibTeX counts braces even after a backslash.
_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)


def escape(value):
    """Return ``value`` with LaTeX's special characters escaped and white space collapsed."""
    return " ".join(str(value).split()).translate(_ESCAPES)


def write(claims, out, **options):
    write_chunks(iter_chunks(claims, **options), out)


def iter_chunks(claims, *, version=PUBLIC, base_url=None, claim_set=None, chunk_size=CHUNK_SIZE) -> Iterator[str]:
    """Yield one BibTeX entry per source ``claims`` cite."""
    for entry in bibliography.cited_sources(claims, version=version, base_url=base_url, chunk_size=chunk_size):
        yield entry_text(entry)


def _name(name):
    parts = bibliography.split_name(name)
    if "literal" in parts:
        return "{" + escape(parts["literal"]) + "}"
    family = " ".join(filter(None, [parts.get("non-dropping-particle"), parts["family"]]))
    return f"{escape(family)}, {escape(parts['given'])}"


def entry_text(entry):
    """Return the BibTeX entry for a ``bibliography.CitedSource``."""
    source = entry.source
    published = source.local_date(source.published_at)
    accessed = source.local_date(entry.accessed)
    updated = isoformat(source.updated_at)
    fields = [
        ("author", " and ".join(_name(name) for name, _ in source.authors), False),
        ("title", escape(source.title), False),
        ("journal" if ENTRY_TYPES[entry.kind] == "article" else "institution", escape(source.publisher), False),
        ("publisher", escape(source.publisher) if entry.kind == bibliography.WEBPAGE else "", False),
        ("date", published.isoformat() if published else "", False),
        ("year", str(published.year) if published else "", False),
        ("url", source.url, True),
        ("urldate", accessed.isoformat() if accessed else "", False),
        ("langid", escape(source.language), False),
        ("note", escape(f"Section: {source.section}") if source.section else "", False),
        ("addendum", escape(f"Updated {updated}") if updated else "", False),
    ]
    lines = [f"@{ENTRY_TYPES[entry.kind]}{{{entry.key},"]
    lines += [f"  {name} = {{{value}}}," for name, value, _ in fields if value]
    lines.append("}")
    return "\n".join(lines) + "\n\n"
