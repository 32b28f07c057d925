"""``sources.services.rows``: the bulk writers' inserts (``COPY`` on PostgreSQL, ``bulk_create`` elsewhere)."""

import pytest
from taggit.models import Tag

from editorial.models import PublicEntryTag
from sources.models import Source
from sources.services.capture import NewSource, create_sources
from sources.services.rows import insert_rows
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_insert_rows_writes_link_rows_from_tuples():
    first, second = Tag.objects.create(name="ports"), Tag.objects.create(name="grain")
    before = Tag.objects.count()

    insert_rows(Tag, ("name", "slug"), [("harbours", "harbours"), ("Border", "border")])

    assert Tag.objects.count() == before + 2
    assert set(Tag.objects.exclude(pk__in=[first.pk, second.pk]).values_list("name", "slug")) == {
        ("harbours", "harbours"),
        ("Border", "border"),
    }


def test_insert_rows_refuses_rows_that_leave_a_field_out():
    with pytest.raises(ValueError, match=r"PublicEntryTag\): no value for tag_id"):
        insert_rows(PublicEntryTag, ("entry_id",), [(1,)])
    assert not PublicEntryTag.objects.exists()


def test_created_sources_point_at_their_newest_revision():
    texts = ["First text of the report.", "Second text of the report, corrected.", "Third and last text."]
    new = [
        NewSource(
            fields={"title": "Report", "url": "https://example.org/report"},
            publisher="Example Daily",
            revisions=[(number, text, None, None) for number, text in enumerate(texts, start=1)],
        ),
        NewSource(
            fields={"title": "Notice", "url": "https://example.org/notice"},
            revisions=[(1, "The only text.", None, None)],
        ),
    ]

    create_sources(new, user=make_user("editor"), origin="test", format="text", encoding="utf-8")

    report, notice = Source.objects.get(title="Report"), Source.objects.get(title="Notice")
    assert (report.current_revision.number, report.current_revision.text) == (3, texts[2])
    assert notice.current_revision.text == "The only text."
    assert [row.history_type for row in report.history.order_by("history_id")] == ["+", "~", "~", "~"]
