"""The read model's search document and version.

* ``PublicEntry.excerpts``, filled from each entry's approved version.
* On PostgreSQL, ``editorial_publicentry.search``: a stored generated ``tsvector`` of the approved
  statement (A), speaker (B) and excerpts (C) in the ``editorial_english`` configuration (English
  stemming, diacritics removed with the ``unaccent`` extension) with a GIN index (``editorial.public.search``); the
  old expression index over ``editorial_claim.public_snapshot`` (migration 0003) goes, as search
  no longer reads the claims table. SQLite's FTS5 table is made after ``migrate`` by
  ``editorial.public.search.ensure_sqlite_index``.
* ``PublicChange``, the log of changes to what readers see (the public record's version).
"""

from django.db import migrations, models
from django.utils import timezone

SEARCH_COLUMN = (
    "ALTER TABLE editorial_publicentry ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('editorial_english'::regconfig, coalesce(statement, '')), 'A')"
    " || setweight(to_tsvector('editorial_english'::regconfig, coalesce(speaker_name, '')), 'B')"
    " || setweight(to_tsvector('editorial_english'::regconfig, coalesce(excerpts, '')), 'C')) STORED"
)
# English stemming over words with their diacritics removed (``unaccent``), as SQLite's FTS5 table does.
SEARCH_CONFIGURATION = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION editorial_english (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION editorial_english"
    " ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
)
SEARCH_INDEX = "CREATE INDEX publicentry_search_idx ON editorial_publicentry USING gin (search)"


def fill(apps, schema_editor):
    PublicEntry = apps.get_model("editorial", "PublicEntry")
    PublicChange = apps.get_model("editorial", "PublicChange")
    entries = PublicEntry.objects.select_related("claim").only("claim_id", "claim__public_snapshot")
    changed = []
    for entry in entries.iterator(chunk_size=1000):
        citations = (entry.claim.public_snapshot or {}).get("citations") or []
        entry.excerpts = " … ".join(citation.get("excerpt", "") for citation in citations)
        changed.append(entry)
        if len(changed) == 1000:
            PublicEntry.objects.bulk_update(changed, ["excerpts"])
            changed = []
    PublicEntry.objects.bulk_update(changed, ["excerpts"])
    PublicChange.objects.create(changed_at=timezone.now())


def add_search_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in SEARCH_CONFIGURATION:
            schema_editor.execute(statement)
        schema_editor.execute(SEARCH_COLUMN)
        schema_editor.execute(SEARCH_INDEX)
        schema_editor.execute("DROP INDEX IF EXISTS claim_public_search_idx")


def drop_search_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE editorial_publicentry DROP COLUMN IF EXISTS search")
        schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS editorial_english")
    elif schema_editor.connection.vendor == "sqlite":
        for name in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS editorial_publicentry_fts_{name}")
        schema_editor.execute("DROP TABLE IF EXISTS editorial_publicentry_fts")


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0008_public_read_model"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("changed_at", models.DateTimeField()),
            ],
        ),
        migrations.AddField(
            model_name="publicentry",
            name="excerpts",
            field=models.TextField(blank=True, help_text="The approved citations' excerpts, “ … ” between them."),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(add_search_column, drop_search_column, elidable=False),
    ]
