"""``export_claims --format warc``: the web captures a claim set cites, as one WARC file that
warcio reads and checks."""

import io
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker

from sources.services import capture_url
from tests.factories import make_citation, make_claim, make_published_claim
from tests.sources.test_capture_web import CHANGED, PAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def cited(site):
    pier = capture_url(site.page("/pier", PAGE)).revision
    june = capture_url(site.page("/june", CHANGED.replace(b"Pier", b"Jetty"))).revision
    published = make_published_claim("Repairs start in May.", revision=pier, excerpt="repairs to the old pier")
    draft = make_claim("Repairs start in June.")
    make_citation(draft, june, "repairs to the old pier")
    return SimpleNamespace(pier=pier, june=june, published=published, draft=draft, site=site)


def responses(path):
    with open(path, "rb") as file:
        records = list(ArchiveIterator(io.BytesIO(file.read())))
    return [record.rec_headers.get_header("WARC-Target-URI") for record in records if record.rec_type == "response"]


def test_the_public_bundle_holds_the_captures_the_published_claims_cite(cited, tmp_path, capsys):
    out = tmp_path / "set.warc.gz"

    call_command("export_claims", "--format", "warc", "--public", "--output", str(out))

    assert responses(out) == [cited.site.url("/pier")]
    assert Checker(SimpleNamespace(inputs=[str(out)], verbose=False)).process_all() == 0
    assert "Wrote 1 web capture as WARC" in capsys.readouterr().err


def test_the_staff_bundle_holds_every_cited_capture_and_replays_both_exchanges(cited, tmp_path):
    out = tmp_path / "all.warc.gz"

    call_command("export_claims", "--format", "warc", "--output", str(out))

    assert sorted(responses(out)) == sorted([cited.site.url("/pier"), cited.site.url("/june")])
    assert Checker(SimpleNamespace(inputs=[str(out)], verbose=False)).process_all() == 0


def test_a_warc_bundle_is_not_written_as_text(cited):
    with pytest.raises(CommandError, match="A WARC file is binary"):
        call_command("export_claims", "--format", "warc", stdout=io.StringIO())
