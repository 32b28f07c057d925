"""Score the HTML importer against article pages with known metadata.

Usage: python bench/html_metadata_score.py PATH_TO_ARTICLES_DIR

The folder holds ``*.html`` pages and an ``expected.json`` mapping each file name to its
``title``, ``authors`` (list), ``date`` (YYYY-MM-DD) and the body snippets the text must contain
(``with``) and must not contain (``without``). Prints one block per file and the totals.

Comparisons: titles and author names after folding case, white space and quote/dash variants;
a title also counts when the expected one is a truncated start of ours (the reference data
cuts some titles short) — shown as "ok (expected is truncated)". Authors match as a set of
names. The date is the date part of the published time as printed on the page (no zone
conversion).
"""

import json
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sources.importers import html
from sources.importers.base import ImportProblem

_EQUIVALENTS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def fold(text):
    text = unicodedata.normalize("NFC", text or "").translate(_EQUIVALENTS)
    return " ".join(text.casefold().split())


def score_title(found, expected):
    if fold(found) == fold(expected):
        return True, "ok"
    if fold(expected) and fold(found).startswith(fold(expected)) and len(expected) >= 0.9 * len(found):
        return True, "ok (expected is truncated)"
    return False, f"got {found!r}, expected {expected!r}"


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    folder = Path(argv[1])
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    totals = {"title": 0, "authors": 0, "date": 0, "with": 0, "without": 0}
    counts = {"with": 0, "without": 0}
    started = time.perf_counter()

    for name in sorted(expected):
        want = expected[name]
        print(f"== {name}")
        try:
            document = html.parse((folder / name).read_bytes(), name)
        except ImportProblem as problem:
            print(f"   failed: {problem}")
            counts["with"] += len(want.get("with", []))
            counts["without"] += len(want.get("without", []))
            continue

        ok, note = score_title(document.title, want["title"])
        totals["title"] += ok
        print(f"   title:   {note}")

        found_authors = sorted(fold(author.name) for author in document.authors)
        expected_authors = sorted(fold(author) for author in want["authors"])
        ok = found_authors == expected_authors
        totals["authors"] += ok
        names = [author.name for author in document.authors]
        print("   authors: " + ("ok" if ok else f"got {names!r}, expected {want['authors']!r}"))

        found_date = document.published_at.date().isoformat() if document.published_at else None
        ok = found_date == want["date"]
        totals["date"] += ok
        print("   date:    " + ("ok" if ok else f"got {found_date}, expected {want['date']}"))

        for kind, must_contain in (("with", True), ("without", False)):
            for snippet in want.get(kind, []):
                counts[kind] += 1
                ok = (snippet in document.text) == must_contain
                totals[kind] += ok
                if not ok:
                    print(f"   {kind}:    {'missing' if must_contain else 'present'}: {snippet!r}")
        print(
            f"   other:   publisher={document.publisher!r} language={document.language!r} "
            f"section={document.section!r} updated={document.updated_at}"
        )

    files = len(expected)
    print()
    print(
        f"title {totals['title']}/{files}, authors {totals['authors']}/{files}, date {totals['date']}/{files}, "
        f"with {totals['with']}/{counts['with']}, without {totals['without']}/{counts['without']}"
        f"  ({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
