"""The attributor measured on the project's own corpus of invented news texts (``suggestions_corpus/``).

Each text's expected suggestions are in ``expected.json``. A suggestion found matches an expected
one of the same kind when their passages overlap by at least ``OVERLAP`` of the two together;
precision counts every suggestion found (in the negatives too), recall is per kind, and
attribution is the share of matches whose speaker is the expected one (case and diacritics folded).
"""

import json
import unicodedata
from pathlib import Path

import pytest

from editorial.suggestions.attribute import DIRECT, REPORTED, attribute

CORPUS = Path(__file__).parent / "suggestions_corpus"
OVERLAP = 0.7
THRESHOLDS = {"direct_recall": 0.9, "reported_recall": 0.6, "attribution": 0.9, "precision": 0.85}


def fold(name):
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def locate(text, excerpt, name):
    start = text.find(excerpt)
    assert start >= 0, f"{name}: expected excerpt not in the text: {excerpt!r}"
    assert text.find(excerpt, start + 1) < 0, f"{name}: expected excerpt occurs twice: {excerpt!r}"
    return start, start + len(excerpt)


def overlap(first, second):
    shared = min(first[1], second[1]) - max(first[0], second[0])
    return max(shared, 0) / (max(first[1], second[1]) - min(first[0], second[0]))


def score(corpus=CORPUS):
    """Return the corpus's figures and the misses and false positives, by text."""
    expected_file = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    counts = {"found": 0, "matched": 0, "attributed": 0}
    expected_by_kind = {DIRECT: 0, REPORTED: 0}
    matched_by_kind = {DIRECT: 0, REPORTED: 0}
    problems = []
    for name, entry in expected_file["texts"].items():
        text = (corpus / name).read_text(encoding="utf-8")
        found = attribute(text, authors=entry["authors"])
        counts["found"] += len(found)
        unmatched = list(found)
        for expected in entry["expected"]:
            span = locate(text, expected["excerpt"], name)
            expected_by_kind[expected["kind"]] += 1
            best = max(
                (item for item in unmatched if item.kind == expected["kind"]),
                key=lambda item: overlap(span, (item.start, item.end)),
                default=None,
            )
            if best is None or overlap(span, (best.start, best.end)) < OVERLAP:
                problems.append(f"{name}: missed {expected['kind']} {expected['excerpt'][:60]!r}")
                continue
            unmatched.remove(best)
            counts["matched"] += 1
            matched_by_kind[expected["kind"]] += 1
            if fold(best.speaker) == fold(expected["speaker"]):
                counts["attributed"] += 1
            else:
                problems.append(f"{name}: {best.excerpt[:40]!r} said by {best.speaker!r}, not {expected['speaker']!r}")
        problems.extend(f"{name}: false {item.kind} {item.excerpt[:60]!r} ({item.speaker})" for item in unmatched)
    figures = {
        "direct_recall": matched_by_kind[DIRECT] / expected_by_kind[DIRECT],
        "reported_recall": matched_by_kind[REPORTED] / expected_by_kind[REPORTED],
        "attribution": counts["attributed"] / counts["matched"],
        "precision": counts["matched"] / counts["found"],
        "expected_direct": expected_by_kind[DIRECT],
        "expected_reported": expected_by_kind[REPORTED],
        "found": counts["found"],
    }
    return figures, problems


def test_the_corpus_meets_the_issues_thresholds():
    figures, problems = score()
    print("\nSuggested claims on the corpus:", json.dumps({k: round(v, 3) for k, v in figures.items()}))
    for problem in problems:
        print("  ", problem)

    for figure, threshold in THRESHOLDS.items():
        assert figures[figure] >= threshold, f"{figure} {figures[figure]:.2f} < {threshold}: {problems}"


@pytest.mark.parametrize("name", sorted(path.name for path in CORPUS.glob("*.txt")))
def test_every_suggestion_is_the_text_at_its_offsets(name):
    text = (CORPUS / name).read_text(encoding="utf-8")

    for item in attribute(text):
        assert text[item.start : item.end] == item.excerpt
        assert item.kind in {DIRECT, REPORTED}
        assert 0 < item.confidence <= 1


def test_the_corpus_has_every_shape_and_negatives():
    expected_file = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    texts = {name: (CORPUS / name).read_text(encoding="utf-8") for name in expected_file["texts"]}
    everything = "\n".join(texts.values())

    for shape in ["said Ilse", "Ndiaye said", "added: “", "said, “", "according to", "According to", "told reporters"]:
        assert shape in everything
    assert "so-called “" in texts["negatives.txt"]
    assert "\n\n“We will not wait" in texts["union.txt"]  # a quotation over two paragraphs
