"""Give the approved versions' citations their Text Fragment directive (``fragment``).

Versions approved from now on carry it (``PublicVersion.of(…, with_fragments=True)``); this makes
it for those approved before, from the cited revisions' texts, so that exports link every passage
without reading texts. A citation whose revision is gone gets none (exports leave it out anyway).
"""

from django.db import migrations

CHUNK_SIZE = 500


def add_fragments(apps, schema_editor):
    from editorial import textfragments

    Claim = apps.get_model("editorial", "Claim")
    Revision = apps.get_model("sources", "Revision")
    claims = Claim.objects.filter(public_snapshot__isnull=False).only("pk", "public_snapshot").order_by("pk")
    last = 0
    while chunk := list(claims.filter(pk__gt=last)[:CHUNK_SIZE]):
        last = chunk[-1].pk
        missing = [
            claim
            for claim in chunk
            if any("fragment" not in cited for cited in claim.public_snapshot.get("citations", ()))
        ]
        revision_ids = {cited["revision"] for claim in missing for cited in claim.public_snapshot["citations"]}
        texts = dict(Revision.objects.filter(pk__in=revision_ids).values_list("pk", "text"))
        normalised = {}
        for claim in missing:
            for cited in claim.public_snapshot["citations"]:
                text = texts.get(cited["revision"])
                if "fragment" in cited or text is None:
                    continue
                if cited["revision"] not in normalised:
                    normalised[cited["revision"]] = textfragments.normalise(text)
                cited["fragment"] = textfragments.text_directive(
                    text, cited["start"], cited["end"], normalised_text=normalised[cited["revision"]]
                )
        Claim.objects.bulk_update(missing, ["public_snapshot"])


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0015_similarity"),
        ("sources", "0004_source_watch_and_capture"),
    ]

    operations = [migrations.RunPython(add_fragments, migrations.RunPython.noop, elidable=True)]
