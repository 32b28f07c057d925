"""The import corpus: invented news texts and pages in seven languages and the usual encodings.

Each file in ``tests/sources/corpus/`` is read by its importer and checked against
``expected.json``: title, authors with their locations, published and updated times (ISO 8601; an
offset only where the file prints a zone), the encoding, the language where the importer states
one, and the publisher for HTML pages. ``corpus_score`` (printed at the end of the run by
``tests/sources/conftest.py``) counts the fields read right across the corpus.
"""

import json
from pathlib import Path

import pytest

from sources.importers import detect_format, get_importer

CORPUS = Path(__file__).with_name("corpus")
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
FIELDS = ("title", "authors", "published", "updated", "encoding", "language", "publisher")

# field → [right, checked], filled in as the files are read; the run's summary prints it.
corpus_score = {name: [0, 0] for name in FIELDS}


def _iso(value):
    return value.isoformat() if value is not None else None


def read(name):
    """Return the fields of ``expected.json`` as the importer reads file ``name``."""
    data = (CORPUS / name).read_bytes()
    document = get_importer(detect_format(name, data)).parse(data, name)
    return {
        "title": document.title,
        "authors": [[author.name, author.location] for author in document.authors],
        "published": _iso(document.published_at),
        "updated": _iso(document.updated_at),
        "encoding": document.encoding,
        "language": document.language,
        "publisher": document.publisher,
    }


def test_the_corpus_covers_every_language_and_encoding_the_importers_prefer():
    languages = {name.split("_")[0] for name in EXPECTED}
    encodings = {want["encoding"] for want in EXPECTED.values()}
    assert {"en", "de", "fr", "es", "it", "sv", "nl"} <= languages
    assert {
        "utf-8",
        "windows-1252",
        "ISO-8859-15",
        "windows-1250",
        "ISO-8859-2",
        "windows-1251",
        "KOI8-R",
        "ISO-8859-13",
        "Shift_JIS",
        "GB18030",
        "EUC-KR",
    } <= encodings
    assert sorted(path.name for path in CORPUS.iterdir() if path.name != "expected.json" and path.suffix != ".md") == (
        sorted(EXPECTED)
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_is_read_with_its_metadata(name):
    want = EXPECTED[name]
    got = read(name)
    wrong = {}
    for field in FIELDS:
        if field not in want:
            continue
        corpus_score[field][1] += 1
        if got[field] == want[field]:
            corpus_score[field][0] += 1
        else:
            wrong[field] = {"read": got[field], "expected": want[field]}
    assert wrong == {}
