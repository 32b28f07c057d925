from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from sources.models import Revision, Source

pytestmark = pytest.mark.django_db

DEMO = settings.BASE_DIR / "demo" / "sources"
BRIDGE_URL = "https://harbour-gazette.example/news/kellbridge-swing-bridge-inquiry"


def import_demo():
    out = StringIO()
    call_command("import_sources", str(DEMO), stdout=out, stderr=StringIO())
    return out.getvalue()


def authors_of(source):
    return [(byline.author.name, byline.location) for byline in source.ordered_bylines()]


def test_importing_the_demo_folder_creates_every_source():
    output = import_demo()

    assert Source.objects.count() == 8, output
    assert Revision.objects.count() == 9, output
    assert "README" not in output
    assert not Source.objects.filter(title__icontains="demo documents").exists()
    for source in Source.objects.all():
        assert source.current_revision is not None, source
        assert source.current_revision.text.count("\n\n") >= 3, source
        assert source.current_revision.verify_hash()


def test_second_import_of_the_demo_folder_adds_nothing():
    import_demo()
    revisions = set(Revision.objects.values_list("pk", "sha256"))

    import_demo()

    assert Source.objects.count() == 8
    assert set(Revision.objects.values_list("pk", "sha256")) == revisions


def test_updated_story_becomes_a_second_revision_of_one_source():
    import_demo()

    source = Source.objects.get(url=BRIDGE_URL)
    first, second = source.revisions.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert "11,000 vehicles" in first.text and "Edda Fairbanks" not in first.text
    assert "14,000 vehicles" in second.text and "Edda Fairbanks" in second.text
    assert source.current_revision == second
    assert second.publisher_updated_at > first.publisher_updated_at


def test_bylines_keep_order_and_locations():
    import_demo()

    ferry = Source.objects.get(title__startswith="Island ferry fares")
    assert authors_of(ferry) == [("Mara Okafor", "Portlaine"), ("Tomas Reyes", "Kellbridge")]
    assert ferry.section == "Coastal affairs"
    assert ferry.updated_at is not None
    cod = Source.objects.get(title__startswith="Cod quota")
    assert [name for name, _ in authors_of(cod)] == ["Anwen Castellanos", "Piet van der Hoek", "Oluwaseun Brandt"]
    battery = Source.objects.get(url__endswith="/saltmere-battery-plant")
    assert authors_of(battery) == [("Anwen Castellanos", "Saltmere"), ("Piet van der Hoek", "Eastholm")]
    assert battery.publisher.name == "Northern Ledger"


def test_text_keeps_curly_quotes_and_characters_outside_the_basic_plane():
    import_demo()

    ferry = Source.objects.get(title__startswith="Island ferry fares").current_revision.text
    assert "“the smallest rise that keeps both boats sailing through the winter”" in ferry
    assert "The board’s chair" in ferry
    cod = Source.objects.get(title__startswith="Cod quota").current_revision.text
    assert "🐟" in cod
    assert cod.index("🐟") < cod.index("Dr Helka Varga")
    festival = Source.objects.get(url__endswith="/tide-lights-returns")
    assert "🌊" in festival.current_revision.text
    assert "𝔅lackletter" in festival.current_revision.text
    assert festival.publisher.name == "The Lantern Post"


def test_non_english_sources_keep_their_language():
    import_demo()

    german = Source.objects.get(url__endswith="/fischereihafen-erweiterung")
    assert german.language == "de"
    assert "„die wichtigste Investition in unsere Küste seit einer Generation“" in german.current_revision.text
    french = Source.objects.get(url__endswith="/marche-aux-poissons-quai-nord")
    assert french.language.startswith("fr")
    assert "« Le marché fait vivre tout le quartier" in french.current_revision.text


def test_html_pages_keep_the_article_and_drop_the_page_furniture():
    import_demo()

    lunches = Source.objects.get(url__endswith="/free-school-lunches-ravensford")
    assert lunches.title == "Free school lunches to reach every primary pupil in Ravensford"
    assert lunches.publisher.name == "The Valley Courier"
    assert authors_of(lunches) == [("Hannah Lindqvist", "")]
    assert lunches.published_at is not None
    text = lunches.current_revision.text
    assert text.startswith("Every primary pupil in Ravensford")
    assert "School bus routes redrawn" not in text
    assert "All rights reserved" not in text
