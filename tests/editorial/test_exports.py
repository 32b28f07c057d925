"""Exports: every format is valid for the corpus, HTTP exports hold published claims only, queries are bounded."""

import csv
import html.parser
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial import exports
from editorial.exports import EXPORTERS, UnknownFormat, export_response
from editorial.exports.claimset import REVISION_EXTRA
from editorial.exports.csv import COLUMNS
from editorial.models import Citation, Claim
from sources.models import Revision, text_sha256
from tests.editorial.schemas.validators import csl_validator, failed_w3c_musts
from tests.factories import (
    FERRY_TEXT_UPDATED,
    make_citation,
    make_claim,
    make_export_corpus,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


@pytest.fixture
def corpus():
    return make_export_corpus()


def export(fmt, claims=None, **options):
    """Return the text of ``claims`` (default: all, oldest first) exported as ``fmt`` with ``write``."""
    out = io.StringIO()
    options.setdefault("base_url", BASE)
    exports.write(fmt, Claim.objects.order_by("pk") if claims is None else claims, out, **options)
    return out.getvalue()


def http_export(rf, fmt, claims=None, **options):
    """Return ``(response, text)`` of ``export_response`` over ``claims`` (default: every claim)."""
    request = rf.get("/claims/export/")
    claims = Claim.objects.order_by("pk") if claims is None else claims
    response = export_response(fmt, claims, filename="claims", request=request, **options)
    return response, b"".join(response.streaming_content).decode("utf-8")


def revision_by_url(url):
    """Return the revision whose public page is ``url``."""
    match = re.search(r"/sources/([^/]+)/revisions/(\d+)/$", url)
    return Revision.objects.get(source__slug=match[1], number=int(match[2]))


# The registry ------------------------------------------------------------------------------------


def test_every_exporter_declares_its_name_media_type_extension_and_label():
    assert set(EXPORTERS) == {"csv", "json", "jsonld", "annotations", "csl", "bibtex", "ris", "markdown", "html"}
    for name, module in EXPORTERS.items():
        assert name == module.NAME
        assert module.MEDIA_TYPE and module.EXTENSION and module.LABEL
        assert callable(module.iter_chunks) and callable(module.write)


def test_an_unknown_format_names_the_known_ones():
    with pytest.raises(UnknownFormat, match="csv, json, jsonld, annotations, csl, bibtex, ris, markdown, html"):
        exports.get_exporter("xlsx")


# CSV ---------------------------------------------------------------------------------------------


def test_csv_has_one_row_per_citation_and_reads_back_with_csv_reader(corpus):
    rows = list(csv.reader(io.StringIO(export("csv", version="live"))))

    assert rows[0] == COLUMNS
    body = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    claims_without_citations = Claim.objects.filter(citations__isnull=True).count()
    assert len(body) == Citation.objects.count() + claims_without_citations == 10
    first = next(row for row in body if row["excerpt"] == "the new fares take effect in May")
    revision = Revision.objects.get(source=corpus.sources.ferry, number=2)
    assert first["claim_id"] == str(corpus.published.pk)
    assert first["speaker"] == "Ilse Brandvold"
    assert first["tags"] == "ferries; prices"
    assert revision.text[int(first["start"]) : int(first["end"])] == first["excerpt"]
    assert (first["revision"], first["sha256"]) == ("2", revision.sha256)
    assert first["publisher"] == "Harbour Gazette"
    assert first["url"] == "https://harbour-gazette.example/ferry-fares"
    assert first["published_at"] == "2024-06-13T23:30:00+00:00"
    assert first["permalink"] == f"{BASE}/claims/{corpus.published.pk}/{corpus.published.slug}/"
    bare = next(row for row in body if row["claim_id"] == str(corpus.bare.pk))
    assert bare["excerpt"] == bare["source_title"] == bare["permalink"] == ""


def test_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(corpus):
    rows = list(csv.reader(io.StringIO(export("csv", version="live"))))

    statements = {row[1] for row in rows[1:]}
    assert "'=The fare rise is a tax on living at sea 🌊." in statements
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_neutralise_prefixes_formula_starts(value):
    assert exports.csv.neutralise(value) == "'" + value
    assert exports.csv.neutralise("plain " + value) == "plain " + value
    assert exports.csv.neutralise(-1) == -1


def test_csv_starts_with_a_byte_order_mark_only_when_asked(corpus, rf):
    assert not export("csv").startswith("\ufeff")
    assert export("csv", bom=True).startswith("\ufeffclaim_id,")
    response = export_response("csv", Claim.objects.all(), filename="claims", request=rf.get("/"), bom=True)
    assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbfclaim_id,")


# Claim-set JSON ----------------------------------------------------------------------------------


def test_claimset_json_has_exactly_the_documented_shape(corpus):
    document = json.loads(export("json", version="live", claim_set=corpus.claim_set))

    assert list(document) == [
        "format",
        "exported_at",
        "originals",
        "set",
        "sources",
        "claims",
        "publishers",
        "speakers",
        "sets",
    ]
    assert document["format"] == "editorial.claimset/2"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", document["exported_at"])
    assert document["set"] == {
        "title": "Ferry fares & <friends>",
        "slug": corpus.claim_set.slug,
        "description": "Claims about the ferries.",
    }
    source_keys = ["id", "slug", "title", "url", "publisher", "section", "byline", "authors", "language"]
    source_keys += ["published_at", "updated_at", "notes", "tags", "created_at", "history", "revisions"]
    sources = {source["id"]: source for source in document["sources"]}
    for source in document["sources"]:
        assert list(source) == source_keys
        for revision in source["revisions"]:
            assert list(revision) == [
                "number",
                "sha256",
                "captured_at",
                "updated_at",
                "title",
                "byline",
                "captured_by",
                "origin",
                "format",
                "encoding",
                *REVISION_EXTRA,
                "original",
                "text",
            ]
            assert revision["sha256"] == text_sha256(revision["text"])
    claim_keys = ["id", "statement", "slug", "speaker", "claim_date", "status", "verdict", "verdict_explanation"]
    claim_keys += ["tags", "created_at", "created_by", "published_at", "citations", "relations", "approved"]
    claim_keys += ["moderation"]
    claims = {claim["id"]: claim for claim in document["claims"]}
    for claim in document["claims"]:
        assert list(claim) == claim_keys
        for citation in claim["citations"]:
            assert list(citation) == [
                "source",
                "revision",
                "excerpt",
                "start",
                "end",
                "prefix",
                "suffix",
                "note",
                "created_at",
                "anchor",
            ]
            revision = next(r for r in sources[citation["source"]]["revisions"] if r["number"] == citation["revision"])
            text = revision["text"]
            assert text[citation["start"] : citation["end"]] == citation["excerpt"]
            assert text[: citation["start"]].endswith(citation["prefix"])
            assert text[citation["end"] :].startswith(citation["suffix"])
        for relation in claim["relations"]:
            assert list(relation) == ["kind", "claim", "note", "created_at"]
            assert relation["claim"] in claims

    ferry = next(source for source in document["sources"] if source["title"] == "Island ferry fares to rise 🌊")
    assert ferry["publisher"] == "Harbour Gazette"
    assert ferry["authors"] == [
        {"name": "Mara Okafor", "location": "Portlaine"},
        {"name": "Tomas Reyes", "location": "Kellbridge"},
    ]
    assert ferry["published_at"] == "2024-06-13T23:30:00+00:00"
    assert [revision["number"] for revision in ferry["revisions"]] == [1, 2]
    published = next(claim for claim in document["claims"] if claim["statement"].startswith("The fare increase"))
    assert (published["status"], published["verdict"], published["claim_date"]) == (
        "published",
        "disputed",
        "2024-03-13",
    )
    assert published["tags"] == ["ferries", "prices"]
    public = json.loads(export("json", claim_set=corpus.claim_set))  # over HTTP: version 1, with links
    assert public["format"] == "editorial.claimset/1"
    assert list(public) == ["format", "exported_at", "set", "sources", "claims"]
    published = next(claim for claim in public["claims"] if claim["statement"].startswith("The fare increase"))
    assert published["citations"][0]["url"].startswith("https://harbour-gazette.example/ferry-fares#:~:text=")


def test_claimset_json_is_streamed_exactly_as_json_dumps_writes_it(corpus):
    text = export("json", version="live")

    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def test_claimset_json_ids_are_document_references_in_export_order(corpus):
    document = json.loads(export("json", version="live"))

    assert [source["id"] for source in document["sources"]] == [f"s{n}" for n in range(1, 6)]
    assert [claim["id"] for claim in document["claims"]] == [f"c{n}" for n in range(1, 9)]
    by_statement = {claim["statement"]: claim for claim in document["claims"]}
    (relation,) = by_statement["=The fare rise is a tax on living at sea 🌊."]["relations"]
    assert (relation["kind"], relation["claim"]) == ("contradicts", by_statement[corpus.published.statement]["id"])


def test_staff_backup_lists_every_source_and_a_filtered_export_only_cited_ones(corpus):
    backup = json.loads(export("json", version="live", all_sources=True))
    cited = json.loads(export("json", version="live"))

    assert "Uncited source" in {source["title"] for source in backup["sources"]}
    assert "Uncited source" not in {source["title"] for source in cited["sources"]}


# W3C Web Annotation ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["public", "live"])
def test_every_annotation_passes_every_w3c_must_assertion(corpus, version):
    collection = json.loads(export("annotations", version=version))

    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection"
    page = collection["first"]
    assert page["type"] == "AnnotationPage" and page["partOf"] == collection["id"]
    expected = 9 if version == "live" else 5
    assert len(page["items"]) == expected
    for annotation in page["items"]:
        assert failed_w3c_musts(annotation) == []


def test_annotation_selectors_hold_code_point_offsets_into_the_captured_revision(corpus):
    annotations = json.loads(export("annotations", version="live"))["first"]["items"]

    for annotation in annotations:
        target = annotation["target"]
        quote, position = target["selector"]
        revision = revision_by_url(target["state"]["cached"])
        assert (quote["type"], position["type"]) == ("TextQuoteSelector", "TextPositionSelector")
        assert revision.text[position["start"] : position["end"]] == quote["exact"]
        assert revision.text[: position["start"]].endswith(quote["prefix"])
        assert revision.text[position["end"] :].startswith(quote["suffix"])
        assert target["state"]["type"] == "TimeState"
        assert target["state"]["sourceDate"].endswith("Z")

    late = next(a for a in annotations if a["target"]["selector"][0]["exact"] == "the new fares take effect in May")
    start = late["target"]["selector"][1]["start"]
    assert start == FERRY_TEXT_UPDATED.index("the new fares take effect in May")
    utf16_start = len(FERRY_TEXT_UPDATED[:start].encode("utf-16-le")) // 2
    assert utf16_start == start + 2  # 🌊 and 𝔅 are one code point each, two UTF-16 units
    assert late["target"]["source"] == "https://harbour-gazette.example/ferry-fares"


def test_an_annotation_of_a_source_without_address_targets_the_revision_page(corpus):
    annotations = json.loads(export("annotations", version="live"))["first"]["items"]

    ministry = [a for a in annotations if "/sources/ministry-statement-on-revenue/" in a["target"]["source"]]
    assert ministry
    for annotation in ministry:
        assert annotation["target"]["source"] == annotation["target"]["state"]["cached"]


def test_annotation_bodies_carry_statement_tags_and_verdict(corpus):
    annotations = json.loads(export("annotations", version="public"))["first"]["items"]

    annotation = next(a for a in annotations if a["id"].startswith(f"{BASE}/claims/{corpus.published.pk}/"))
    purposes = [(body.get("purpose"), body.get("value")) for body in annotation["body"]]
    assert ("describing", corpus.published.statement) in purposes
    assert ("tagging", "ferries") in purposes
    assert ("assessing", "Disputed") in purposes


# schema.org JSON-LD ------------------------------------------------------------------------------


def test_jsonld_has_a_claim_review_where_there_is_a_verdict_and_claims_elsewhere(corpus):
    document = json.loads(export("jsonld", Claim.objects.published().order_by("pk"), version="public"))

    assert document["@context"] == "https://schema.org"
    graph = document["@graph"]
    assert [node["@type"] for node in graph] == ["ClaimReview", "Claim", "Claim"]
    review = graph[0]
    assert review["claimReviewed"] == corpus.published.statement
    assert review["reviewRating"]["@type"] == "Rating"
    assert review["reviewRating"]["alternateName"] == "Disputed"
    assert review["url"].startswith(f"{BASE}/claims/{corpus.published.pk}/")
    claim = review["itemReviewed"]
    assert claim["@type"] == "Claim"
    assert claim["author"] == {"@type": "Person", "name": "Ilse Brandvold"}
    article = claim["appearance"][0]
    assert article["@type"] == "NewsArticle"
    assert article["author"] == [{"@type": "Person", "name": "Mara Okafor"}, {"@type": "Person", "name": "Tomas Reyes"}]
    assert article["publisher"] == {"@type": "Organization", "name": "Harbour Gazette"}
    assert (article["datePublished"], article["dateModified"]) == (
        "2024-06-13T23:30:00+00:00",
        "2024-06-14T08:45:00+00:00",
    )
    assert claim["firstAppearance"] == article
    quotations = claim["citation"]
    assert [quote["@type"] for quote in quotations] == ["Quotation", "Quotation"]
    assert quotations[0]["text"] == "the smallest rise that keeps both boats sailing"
    assert quotations[0]["isBasedOn"]["@id"] == "https://harbour-gazette.example/ferry-fares"
    assert ":~:text=" in quotations[0]["url"]


def test_jsonld_of_a_government_speaker_is_an_organization(corpus):
    graph = json.loads(export("jsonld", version="live"))["@graph"]

    rejected = next(node for node in graph if node.get("text", "").startswith("Revenue rose"))
    assert rejected["author"]["@type"] == "Organization"


# CSL-JSON, BibTeX, RIS ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["public", "live"])
def test_csl_json_validates_against_the_official_schema(corpus, version):
    items = json.loads(export("csl", version=version))

    assert list(csl_validator().iter_errors(items)) == []
    assert len({item["id"] for item in items}) == len(items)


def test_csl_json_describes_each_cited_source_once_with_dates_in_the_publishers_zone(corpus):
    items = {item["title"]: item for item in json.loads(export("csl", version="live"))}

    assert set(items) == {
        "Island ferry fares to rise 🌊",
        "Ministry statement on revenue",
        "R&D up 100% for $5 #1 _now_ {braces} ~ ^ \\ in “Saltmere”",
        "Draft-only source",
        "Edit-only source",
    }
    ferry = items["Island ferry fares to rise 🌊"]
    assert ferry["type"] == "article-newspaper"
    assert ferry["id"] == corpus.sources.ferry.slug
    assert ferry["container-title"] == ferry["publisher"] == "Harbour Gazette"
    assert ferry["author"] == [{"family": "Okafor", "given": "Mara"}, {"family": "Reyes", "given": "Tomas"}]
    assert ferry["issued"] == {"date-parts": [[2024, 6, 14]]}  # 00:30 BST, 23:30 UTC the day before
    assert ferry["note"] == "Updated 2024-06-14T08:45:00+00:00"
    assert ferry["accessed"]["date-parts"][0][0] >= 2024
    assert ferry["URL"] == "https://harbour-gazette.example/ferry-fares"
    battery = items["R&D up 100% for $5 #1 _now_ {braces} ~ ^ \\ in “Saltmere”"]
    assert battery["author"][0] == {"family": "Hoek", "given": "Piet", "non-dropping-particle": "van der"}
    assert items["Ministry statement on revenue"]["type"] == "report"


def test_bibtex_entries_have_unique_keys_escaped_fields_and_balanced_braces(corpus):
    text = export("bibtex", version="live")
    entries = re.findall(r"^@(\w+)\{([^,]+),\n(.*?)\n\}$", text, flags=re.MULTILINE | re.DOTALL)

    assert len(entries) == 5
    keys = [key for _, key, _ in entries]
    assert len(set(keys)) == len(keys)
    fields = {key: dict(re.findall(r"^  (\w+) = \{(.*)\},$", body, flags=re.MULTILINE)) for _, key, body in entries}
    for _, _, body in entries:
        assert body.count("{") == body.count("}")
    ferry = fields[corpus.sources.ferry.slug]
    assert ferry["author"] == "Okafor, Mara and Reyes, Tomas"
    assert ferry["journal"] == "Harbour Gazette"
    assert ferry["date"] == "2024-06-14" and ferry["year"] == "2024"
    assert ferry["url"] == "https://harbour-gazette.example/ferry-fares"
    assert "urldate" in ferry and ferry["addendum"] == "Updated 2024-06-14T08:45:00+00:00"
    battery = fields[corpus.sources.battery.slug]
    assert battery["title"] == (
        r"R\&D up 100\% for \$5 \#1 \_now\_ \textbraceleft{}braces\textbraceright{} \textasciitilde{} "
        r"\textasciicircum{} \textbackslash{} in “Saltmere”"
    )
    assert battery["author"] == "van der Hoek, Piet and Castellanos, Anwen"
    types = {key: kind for kind, key, _ in entries}
    assert types[corpus.sources.ferry.slug] == "article"
    assert types[corpus.sources.ministry.slug] == "techreport"


def test_ris_records_have_the_expected_tags(corpus):
    text = export("ris", Claim.objects.published(), version="public")

    assert "\n" not in text.replace("\r\n", "")
    records = [record for record in text.split("ER  - \r\n") if record.strip()]
    assert len(records) == 2  # the ferry and battery sources; the ministry is cited only by unlisted claims
    ferry = next(record for record in records if "Island ferry fares" in record)
    lines = ferry.strip().split("\r\n")
    assert lines[0] == "TY  - NEWS"
    assert f"ID  - {corpus.sources.ferry.slug}" in lines
    assert [line for line in lines if line.startswith("AU")] == ["AU  - Okafor, Mara", "AU  - Reyes, Tomas"]
    assert "DA  - 2024/06/14" in lines and "PY  - 2024" in lines
    assert "UR  - https://harbour-gazette.example/ferry-fares" in lines
    assert "T2  - Harbour Gazette" in lines
    assert any(line.startswith("Y2  - ") for line in lines)


# Dossiers ----------------------------------------------------------------------------------------


def test_markdown_dossier_numbers_footnotes_through_the_document(corpus):
    text = export("markdown", version="live", claim_set=corpus.claim_set)

    assert text.startswith("# Ferry fares & \\<friends\\>\n")
    notes = re.findall(r"^\\\[(\d+)\\\] ", text, flags=re.MULTILINE)
    assert notes == [str(n) for n in range(1, 10)]
    marks = re.findall(r"^## .*?((?:\\\[\d+\\\])*)$", text, flags=re.MULTILINE)
    assert re.findall(r"\d+", "".join(marks)) == notes
    ferry = corpus.sources.ferry.current_revision
    assert f"SHA-256 `{ferry.sha256}`" in text
    assert "<https://harbour-gazette.example/ferry-fares#:~:text=" in text
    assert (
        "*Island ferry fares to rise 🌊*, Harbour Gazette, Mara Okafor in Portlaine and Tomas Reyes in Kellbridge"
        in text
    )
    assert "Published 2024-06-14 00:30 BST; updated 2024-06-14 09:45 BST." in text
    assert "R&D up 100% for $5 \\#1 \\_now\\_ {braces} \\~ ^ \\\\ in “Saltmere”" in text


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.ids, self.links = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a":
            self.links.append(attrs.get("href"))

    def handle_data(self, data):
        self.parts.append(data)


def test_html_dossier_escapes_everything_and_links_each_footnote(corpus):
    claim = make_claim("<script>alert(1)</script> & more")
    make_citation(claim, corpus.sources.ferry.current_revision, "after months of argument")
    text = export("html", version="live", claim_set=corpus.claim_set)

    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in text
    assert "Ferry fares &amp; &lt;friends&gt;" in text
    parser = _Text()
    parser.feed(text)
    footnotes = [value for value in parser.ids if value.startswith("fn-")]
    assert footnotes == [f"fn-{n}" for n in range(1, 11)]
    assert any(link.startswith("https://harbour-gazette.example/ferry-fares#:~:text=") for link in parser.links)
    assert corpus.sources.ferry.current_revision.sha256 in text


# Over HTTP: published claims only, in their approved version -------------------------------------

CLAIM_FORMATS = ["csv", "json", "jsonld", "annotations", "markdown", "html"]
SOURCE_FORMATS = ["csl", "bibtex", "ris"]
NEVER_OVER_HTTP = [
    "DRAFT-ONLY",  # a draft
    "EDITED-UNPUBLISHED",  # an edit nobody approved
    "unpublished-tag",
    "Draft-only source",
    "draft-only-source",
    "Edit-only source",
    "edit-only-source",
    "quotes.",  # the excerpts of the draft and of the unpublished citation
    "R&amp;D spending doubled",  # retracted (not listed)
    "R&D spending doubled",
    "Revenue rose by 5% &amp; more",  # rejected
    "Revenue rose by 5% & more",
    "in_review",
    "Saltmere battery stores",  # the claim in review
    "Ministry statement",  # cited only by claims that are not listed
    "ministry-statement",
]


@pytest.mark.parametrize("fmt", CLAIM_FORMATS + SOURCE_FORMATS)
def test_http_exports_hold_published_claims_only_in_their_approved_version(corpus, rf, fmt):
    _, text = http_export(rf, fmt, Claim.objects.order_by("pk"))

    for forbidden in NEVER_OVER_HTTP:
        assert forbidden not in text, forbidden
    if fmt in CLAIM_FORMATS:
        assert "Saltmere battery will store wind power." in text  # the approved statement
    else:
        assert "Saltmere" in text and "Island ferry fares" in text


def test_a_claim_with_unpublished_edits_exports_its_approved_version(corpus, rf):
    _, text = http_export(rf, "json")
    claims = json.loads(text)["claims"]

    edited = next(claim for claim in claims if claim["statement"] == "Saltmere battery will store wind power.")
    assert edited["tags"] == ["energy"]
    assert [citation["excerpt"] for citation in edited["citations"]] == ["Saltmere battery will store"]
    assert [claim["status"] for claim in claims] == ["published", "corrected", "published"]


def test_http_export_streams_an_attachment_named_after_the_format(corpus, rf):
    response, text = http_export(rf, "csv")

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="claims.csv"'
    assert text.startswith("claim_id,")
    response, _ = http_export(rf, "csl")
    assert response["Content-Disposition"] == 'attachment; filename="claims.csl.json"'
    assert f"{BASE}/claims/" in http_export(rf, "annotations")[1]


def test_a_claim_set_exported_over_http_keeps_its_order_and_hides_unpublished_members(corpus, rf):
    claim_set = corpus.claim_set
    _, text = http_export(rf, "json", claim_set.published_claims(), claim_set=claim_set)
    document = json.loads(text)

    assert document["set"]["title"] == "Ferry fares & <friends>"
    assert [claim["statement"] for claim in document["claims"]] == [
        "=The fare rise is a tax on living at sea 🌊.",
        corpus.published.statement,
        "Saltmere battery will store wind power.",
    ]
    # The relation to the draft member is not in the document, nor anything naming the draft.
    assert "DRAFT-ONLY" not in text
    assert all(relation["claim"].startswith("c") for claim in document["claims"] for relation in claim["relations"])


def test_relations_over_http_lead_only_to_published_claims(corpus, rf):
    _, text = http_export(rf, "json")
    claims = {claim["statement"]: claim for claim in json.loads(text)["claims"]}

    assert claims[corpus.published.statement]["relations"] == []  # its relation leads to a draft
    assert claims["Saltmere battery will store wind power."]["relations"] == [
        {"kind": "duplicates", "claim": claims["=The fare rise is a tax on living at sea 🌊."]["id"]}
    ]


# Queries: a fixed number per chunk ---------------------------------------------------------------


def add_published_claims(count, moderator, sources):
    for number in range(count):
        claim = make_claim(f"Published claim {number} for counting.", tags=[f"tag{number % 3}"])
        for source in sources[number % 2 :][:2]:
            make_citation(claim, source.current_revision)
        claim.submit(moderator)
        claim.publish(moderator)


def count_queries(fmt, version):
    claims = Claim.objects.order_by("pk")
    with CaptureQueriesContext(connection) as context:
        export(fmt, claims, version=version)
    return len(context.captured_queries)


MAX_QUERIES = 12  # per export of one chunk, whatever the format
# The staff command's claim-set JSON (version 2) reads the whole record: a few more kinds of row.
MAX_QUERIES_FULL_RECORD = 17


@pytest.mark.parametrize("version", ["public", "live"])
def test_query_count_is_bounded_and_the_same_for_5_and_50_claims(version, django_assert_max_num_queries):
    moderator = make_user(None, "Editors", "Moderators")
    sources = [make_source(f"Counted source {n}", f"Sentence {n} one. Sentence {n} two.") for n in range(4)]
    add_published_claims(5, moderator, sources)
    export("csv", version=version)  # warm the content type cache, so that every count compares like with like
    five = {fmt: count_queries(fmt, version) for fmt in EXPORTERS}
    add_published_claims(45, moderator, sources)
    fifty = {fmt: count_queries(fmt, version) for fmt in EXPORTERS}

    assert fifty == five
    for fmt in EXPORTERS:
        full_record = fmt == "json" and version == "live"
        with django_assert_max_num_queries(MAX_QUERIES_FULL_RECORD if full_record else MAX_QUERIES, info=fmt):
            export(fmt, version=version)


def test_queries_grow_per_chunk_not_per_claim():
    moderator = make_user(None, "Editors", "Moderators")
    sources = [make_source(f"Chunked source {n}", f"Sentence {n} one. Sentence {n} two.") for n in range(3)]
    add_published_claims(30, moderator, sources)

    with CaptureQueriesContext(connection) as context:
        export("csv", version="live", chunk_size=10)
    # 1 claim cursor + 3 chunks × (citations, revisions, bylines, tags, relations)
    assert len(context.captured_queries) <= 1 + 3 * 5
    rows = list(csv.reader(io.StringIO(export("csv", version="live", chunk_size=10))))
    assert len(rows) == 1 + 60
