"""``manage.py suggest_claims [SOURCE_ID …] [--format json|text]``: the suggested claims of sources."""

import json

from django.core.management.base import BaseCommand, CommandError

from editorial.suggestions.store import store_suggestions
from sources.models import Source


class Command(BaseCommand):
    help = (
        "Find the direct quotations and reported statements in the current revision of every source "
        "(or of the sources named by id), with their speakers; store them as the sources' suggested "
        "claims and print them. --format json prints one JSON array: source, revision, speaker, "
        "speaker_description, excerpt, start, end (code points), kind (direct or reported), confidence."
    )

    def add_arguments(self, parser):
        parser.add_argument("source_ids", nargs="*", type=int, metavar="SOURCE_ID", help="Source ids (default: all).")
        parser.add_argument("--format", choices=["json", "text"], default="text", help="Output format (text).")

    def handle(self, *args, source_ids, format, **options):
        sources = Source.objects.select_related("current_revision").order_by("pk")
        if source_ids:
            sources = sources.filter(pk__in=source_ids)
            missing = sorted(set(source_ids) - set(sources.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"No source with id {', '.join(map(str, missing))}.")
        items = []
        for source in sources:
            revision = source.current_revision
            if revision is None:
                if format == "text":
                    self.stdout.write(f"Source {source.pk} “{source.title}”: no revision captured.")
                continue
            suggestions = store_suggestions(revision)
            if format == "text":
                self.stdout.write(self.text_block(source, revision, suggestions))
            items.extend(self.item(source, revision, suggestion) for suggestion in suggestions)
        if format == "json":
            self.stdout.write(json.dumps(items, ensure_ascii=False, indent=2))

    @staticmethod
    def item(source, revision, suggestion):
        return {
            "source": source.pk,
            "revision": revision.number,
            "speaker": suggestion.speaker,
            "speaker_description": suggestion.speaker_description,
            "excerpt": suggestion.excerpt,
            "start": suggestion.start,
            "end": suggestion.end,
            "kind": suggestion.kind,
            "confidence": suggestion.confidence,
        }

    @staticmethod
    def text_block(source, revision, suggestions):
        count = len(suggestions)
        lines = [
            f"Source {source.pk} “{source.title}”, revision {revision.number}: "
            f"{count} suggested claim{'s' if count != 1 else ''}"
        ]
        for suggestion in suggestions:
            description = f" ({suggestion.speaker_description})" if suggestion.speaker_description else ""
            excerpt = " ".join(suggestion.excerpt.split())
            lines.append(
                f"  {suggestion.start}–{suggestion.end} {suggestion.kind} {suggestion.confidence:.2f} "
                f"{suggestion.speaker}{description}: “{excerpt}”"
            )
        return "\n".join(lines)
