"""Indexes for the public pages: the "related claims" filter and, on PostgreSQL, full-text search.

The GIN index is on the exact expression ``editorial.search.ClaimSearchVector`` builds (the approved
statement, speaker name and excerpts of ``public_snapshot``); other databases have no GIN indexes
and search without one.
"""

from django.db import migrations, models

SEARCH_INDEX = "claim_public_search_idx"
SEARCH_EXPRESSION = (
    "(setweight(to_tsvector('english'::regconfig, coalesce((public_snapshot ->> 'statement'), '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig,"
    " coalesce(((public_snapshot -> 'speaker') ->> 'name'), '')), 'B')"
    " || setweight(to_tsvector('english'::regconfig,"
    " coalesce(jsonb_path_query_array(public_snapshot, '$.citations[*].excerpt'), '[]'::jsonb)), 'C'))"
)


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {SEARCH_INDEX} ON editorial_claim USING gin ({SEARCH_EXPRESSION})"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0002_editor_and_moderator_groups"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="claimrelation",
            index=models.Index(fields=["kind", "to_claim"], name="claimrelation_kind_to_idx"),
        ),
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]
