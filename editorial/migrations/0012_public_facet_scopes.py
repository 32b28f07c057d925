"""Counters per scope (issue #10): besides the whole list's, the total and facets of the claims of
each tag, speaker and publisher, so that the list filtered by one of them reads its counts too.

Every counter is written again from the read model's entries, by the SQL of
``editorial.public.counters.recount`` as it was when this migration was written.
"""

from django.db import migrations, models

KEYS = """
    SELECT e.claim_id AS entry_id, 'total' AS kind, 0 AS item_id
      FROM editorial_publicentry e WHERE e.listed
    UNION ALL
    SELECT e.claim_id, 'speaker', e.speaker_id
      FROM editorial_publicentry e WHERE e.listed AND e.speaker_id IS NOT NULL
    UNION ALL
    SELECT t.entry_id, 'tag', t.tag_id
      FROM editorial_publicentrytag t JOIN editorial_publicentry e ON e.claim_id = t.entry_id WHERE e.listed
    UNION ALL
    SELECT DISTINCT s.entry_id, 'publisher', src.publisher_id
      FROM editorial_publicentrysource s
      JOIN editorial_publicentry e ON e.claim_id = s.entry_id
      JOIN sources_source src ON src.id = s.source_id
     WHERE e.listed AND src.publisher_id IS NOT NULL
"""
RECOUNT = f"""
    WITH keys AS ({KEYS})
    INSERT INTO editorial_publicfacet (scope_kind, scope_id, kind, item_id, count)
    SELECT a.kind, a.item_id, b.kind, b.item_id, COUNT(*)
      FROM keys a JOIN keys b ON a.entry_id = b.entry_id
     GROUP BY a.kind, a.item_id, b.kind, b.item_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0011_public_facet_counters"),
        ("sources", "0002_source_history"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="publicfacet", name="publicfacet_unique"),
        migrations.RemoveIndex(model_name="publicfacet", name="publicfacet_top_idx"),
        migrations.AddField(
            model_name="publicfacet",
            name="scope_kind",
            field=models.CharField(
                choices=[("total", "Total"), ("tag", "Tag"), ("speaker", "Speaker"), ("publisher", "Publisher")],
                default="total",
                max_length=10,
            ),
        ),
        migrations.AddField(model_name="publicfacet", name="scope_id", field=models.BigIntegerField(default=0)),
        migrations.RunSQL("DELETE FROM editorial_publicfacet", migrations.RunSQL.noop, elidable=False),
        migrations.AddConstraint(
            model_name="publicfacet",
            constraint=models.UniqueConstraint(
                fields=("scope_kind", "scope_id", "kind", "item_id"), name="publicfacet_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="publicfacet",
            index=models.Index(
                fields=["scope_kind", "scope_id", "kind", "-count", "item_id"], name="publicfacet_top_idx"
            ),
        ),
        # Back to the old layout: only the whole list's counters, which it had.
        migrations.RunSQL(RECOUNT, "DELETE FROM editorial_publicfacet WHERE scope_kind <> 'total'", elidable=False),
    ]
