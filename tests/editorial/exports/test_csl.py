"""CSL-JSON renders in real citation styles (APA, Chicago author-date, Harvard) with citeproc-py."""

import datetime
import io
import json
import re
import warnings
from pathlib import Path

import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.model import Label
from citeproc.source import VariableError
from citeproc.source.json import CiteProcJSON

from editorial import exports
from editorial.models import Claim
from tests.factories import make_export_corpus, make_published_claim, make_source

pytestmark = pytest.mark.django_db

STYLES_DIR = Path(__file__).resolve().parents[1] / "schemas" / "csl-styles"
STYLES = {
    "apa": STYLES_DIR / "apa.csl",
    "chicago-author-date": STYLES_DIR / "chicago-author-date.csl",
    # Bundled with citeproc-py.
    "harvard": "harvard-cite-them-right",
}
# What a field left empty or half-filled prints: a bare label, Python's None, empty brackets,
# doubled punctuation.
STRAY = re.compile(r"\b(Edition|None|null|undefined)\b|\(\s*\)|\[\s*\]|“\s*”|\.\s*\.|,\s*,|,\s*\.")


def _label_variable_is_set(item, name):
    if name == "locator":
        return item.has_locator
    if name == "citation-number":
        return True
    if name == "page-first":
        name = "page"
    try:
        return str(item.reference[name.replace("-", "_")]).strip() != ""
    except VariableError:
        return False


@pytest.fixture(autouse=True)
def labels_only_for_set_variables(monkeypatch):
    """Make citeproc-py follow CSL 1.0.2 on ``cs:label``: "only rendered if the selected variable is non-empty".

    citeproc-py 0.11.1 prints the term regardless (citeproc-py issue #204, fix proposed in #207),
    so Chicago's newspaper branch printed "Edition." for every article without an edition —
    whatever the item held. Like that fix, only labels naming their own variable are checked
    (``cs:names`` passes its variable in, already known to be set).
    """
    process = Label.process

    def process_if_set(self, item, variable=None, *args, **kwargs):
        if variable is None and not _label_variable_is_set(item, self.get("variable")):
            return None
        return process(self, item, variable, *args, **kwargs)

    monkeypatch.setattr(Label, "process", process_if_set)


def csl_items(claims=None):
    out = io.StringIO()
    exports.write("csl", Claim.objects.order_by("pk") if claims is None else claims, out, base_url="http://testserver")
    return json.loads(out.getvalue())


def render(style_name, item):
    """Return ``(bibliography entry, in-text citation)`` of the CSL-JSON ``item`` in the style, as plain text."""
    style = CitationStylesStyle(str(STYLES[style_name]), validate=False)
    with warnings.catch_warnings():
        # citeproc-py warns about CSL variables it does not model (it ignores them).
        warnings.simplefilter("ignore", UserWarning)
        bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
    citation = Citation([CitationItem(item["id"])])
    bibliography.register(citation)
    cited = bibliography.cite(citation, lambda item: None)
    return str(bibliography.bibliography()[0]), str(cited)


@pytest.fixture
def items():
    """The export corpus's cited sources, plus a web page with an update time and no publication time."""
    make_export_corpus()
    updated_only = make_source(
        "Tide tables, revised",
        "High water at Portlaine is at 06:12.",
        url="https://harbour.example/tides",
        updated_at=datetime.datetime(2024, 5, 1, 9, 30, tzinfo=datetime.UTC),
    )
    make_published_claim("High water is at 06:12.", revision=updated_only.current_revision)
    return csl_items()


def test_no_item_has_an_available_date(items):
    assert items
    assert not [item["id"] for item in items if "available-date" in item]


def test_an_update_time_without_publication_time_stays_in_the_note_only(items):
    (updated_only,) = [item for item in items if item["title"] == "Tide tables, revised"]

    assert "issued" not in updated_only
    assert updated_only["note"] == "Updated 2024-05-01T09:30:00+00:00"


@pytest.mark.parametrize("style_name", sorted(STYLES))
def test_every_item_renders_without_error_or_stray_field(items, style_name):
    titles = {"Island ferry fares to rise 🌊", "Ministry statement on revenue", "Tide tables, revised"}
    assert titles <= {item["title"] for item in items}

    for item in items:
        entry, cited = render(style_name, item)

        assert entry.strip() and cited.strip(), (style_name, item["id"])
        assert not STRAY.search(entry), (style_name, entry)
        assert not STRAY.search(cited), (style_name, cited)
        assert item["title"].split()[0].casefold() in entry.casefold(), (style_name, entry)


def test_a_newspaper_article_renders_its_authors_date_and_newspaper(items):
    (ferry,) = [item for item in items if item["title"] == "Island ferry fares to rise 🌊"]

    apa, _ = render("apa", ferry)
    chicago, chicago_cited = render("chicago-author-date", ferry)
    harvard, _ = render("harvard", ferry)

    assert apa.startswith("Okafor, M., & Reyes, T. (2024, June 14).")
    assert "Harbour Gazette" in apa and "https://harbour-gazette.example/ferry-fares" in apa
    assert chicago.startswith("Okafor, M., and T. Reyes. 2024.") and "Harbour Gazette, June 14" in chicago
    assert chicago_cited == "(Okafor and Reyes 2024)"
    assert harvard.startswith("Okafor, M. and Reyes, T. (2024)")
