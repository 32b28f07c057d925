"""The Markdown and HTML dossiers: separate note marks, quotes never doubled, details only when known."""

import io
import re

import pytest
from markdown_it import MarkdownIt

from editorial import exports
from editorial.exports import html
from editorial.exports.dossier import quoted
from editorial.models import Claim
from tests.factories import make_citation, make_claim, make_source

pytestmark = pytest.mark.django_db

TEXT = (
    "“We effectively froze fares for a decade,” the chair said on Tuesday.\n\n"
    "Fuel costs rose by a third, and the board cut two sailings."
)


def export(fmt, claims=None):
    out = io.StringIO()
    claims = Claim.objects.order_by("pk") if claims is None else claims
    exports.write(fmt, claims, out, version="live", base_url="http://testserver")
    return out.getvalue()


@pytest.fixture
def claim():
    """A claim citing two passages, one of them a quotation with its own marks, explained without a verdict."""
    revision = make_source("Fares frozen", TEXT).current_revision
    claim = make_claim("Fares were frozen for ten years.", verdict_explanation="The board's minutes say so.")
    make_citation(claim, revision, "“We effectively froze fares for a decade,”")
    make_citation(claim, revision, "Fuel costs rose by a third")
    return claim


@pytest.mark.parametrize(
    ("excerpt", "printed"),
    [
        ("fares rose", "“fares rose”"),
        ("“We effectively froze fares,”", "“We effectively froze fares,”"),
        ("“We froze fares,” she said", "“We froze fares,” she said"),
        ("she called it “a freeze”", "she called it “a freeze”"),
        ("she called it “a freeze”.", "she called it “a freeze”."),
        ('"Plain quotes"', '"Plain quotes"'),
        ("«Nous avons gelé les tarifs»", "«Nous avons gelé les tarifs»"),
        ("the workers’", "“the workers’”"),  # an apostrophe, not a closing quote
    ],
)
def test_an_excerpt_is_quoted_unless_it_carries_its_own_quotation_marks(excerpt, printed):
    assert quoted(excerpt) == printed


def test_markdown_marks_each_note_separately_with_plain_references(claim):
    text = export("markdown")

    assert "## 1. Fares were frozen for ten years. \\[1\\]\\[2\\]\n" in text
    assert re.findall(r"^\\\[(\d)\\\] ", text, flags=re.MULTILINE) == ["1", "2"]
    assert "[^" not in text
    # CommonMark without extensions shows the marks and notes as printed.
    rendered = MarkdownIt("commonmark").render(text)
    assert "<h2>1. Fares were frozen for ten years. [1][2]</h2>" in rendered
    assert "<p>[2] “Fuel costs rose by a third” — <em>Fares frozen</em>." in rendered


def test_markdown_header_says_how_the_notes_are_referenced(claim):
    header = export("markdown").split("## 1.")[0]

    assert "Numbers in brackets after a claim, \\[1\\], refer to the numbered citations below it." in header


def test_markdown_does_not_double_an_excerpts_own_quotation_marks(claim):
    text = export("markdown")

    assert "\\[1\\] “We effectively froze fares for a decade,” — *Fares frozen*." in text
    assert "““" not in text and "””" not in text


def test_markdown_prints_an_explanation_without_a_verdict_line(claim):
    text = export("markdown")

    assert "Verdict" not in text
    assert "- **Explanation:** The board's minutes say so.\n" in text


def test_markdown_prints_verdict_and_explanation_on_their_own_lines(claim):
    claim.verdict = "supported"
    claim.save()

    text = export("markdown")

    assert "- **Verdict:** Supported by the evidence\n- **Explanation:** The board's minutes say so.\n" in text


def test_html_marks_a_claims_notes_in_one_superscript_separated_by_commas(claim):
    page = export("html")

    assert '<sup class="refs"><a href="#fn-1" id="ref-1">1</a>, <a href="#fn-2" id="ref-2">2</a></sup></h2>' in page
    assert page.count("<sup") == 1


def test_html_does_not_double_quotation_marks_and_shows_an_explanation_without_verdict(claim):
    page = export("html")

    assert "“We effectively froze fares for a decade,” — <cite>Fares frozen</cite>" in page
    assert "“Fuel costs rose by a third” — <cite>Fares frozen</cite>" in page
    assert "““" not in page and "””" not in page
    assert "<dt>Explanation</dt><dd>The board&#x27;s minutes say so.</dd>" in page
    assert "<dt>Verdict</dt>" not in page


def test_html_stylesheet_is_the_one_whose_hash_the_policy_allows(claim):
    import base64
    import hashlib

    page = export("html")
    (style,) = re.findall(r"<style>(.*?)</style>", page, flags=re.DOTALL)

    assert style == html.STYLESHEET
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    assert f"'sha256-{digest}'" == html.STYLE_SOURCE
