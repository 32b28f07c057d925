"""Similar claims (issue #16): the dismissed pairs, and the indexes the candidates are found with.

* ``SimilarityDismissal``: pairs an editor said are not alike (lower claim id first).
* PostgreSQL: the ``pg_trgm`` extension and GIN trigram indexes on the claims' and the read model's
  statements; when the extension cannot be created (no privilege), the migration goes on without
  them and the service finds candidates by shared words only (``editorial.similarity.postgres``).
  Always: a GIN index on the claims' ``simple`` word vector, for those shared words.
* SQLite: the FTS5 word index over the claims' statements with its vocabulary and triggers
  (``editorial.similarity.sqlite``), made again after every ``migrate``.
"""

import logging

import django.db.models.deletion
from django.conf import settings
from django.db import DatabaseError, migrations, models, transaction

logger = logging.getLogger(__name__)

TRIGRAM_INDEXES = (
    "CREATE INDEX IF NOT EXISTS claim_statement_trgm_idx ON editorial_claim USING gin (statement gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS publicentry_statement_trgm_idx"
    " ON editorial_publicentry USING gin (statement gin_trgm_ops)",
)
WORDS_INDEX = (
    "CREATE INDEX IF NOT EXISTS claim_statement_words_idx"
    " ON editorial_claim USING gin (to_tsvector('simple'::regconfig, statement))"
)


def create_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        from editorial.similarity.sqlite import ensure_sqlite_index

        ensure_sqlite_index(using=connection.alias)
        return
    if connection.vendor != "postgresql":
        return
    schema_editor.execute(WORDS_INDEX)
    try:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for statement in TRIGRAM_INDEXES:
                schema_editor.execute(statement)
    except DatabaseError as error:
        logger.warning("pg_trgm could not be installed (%s): similar claims are found by shared words only.", error)


def drop_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        from editorial.similarity.sqlite import drop_sqlite_index

        drop_sqlite_index(using=connection.alias)
    elif connection.vendor == "postgresql":
        for name in ("claim_statement_trgm_idx", "publicentry_statement_trgm_idx", "claim_statement_words_idx"):
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("editorial", "0014_suggested_claims"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SimilarityDismissal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("dismissed_at", models.DateTimeField(auto_now_add=True)),
                ("claim", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="editorial.claim")),
                ("other", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="editorial.claim")),
                ("dismissed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("claim", "other"), name="similaritydismissal_unique"),
                    models.CheckConstraint(condition=models.Q(("claim__lt", models.F("other"))), name="similaritydismissal_ordered"),
                ],
            },
        ),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
