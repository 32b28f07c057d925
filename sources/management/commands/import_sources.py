"""``manage.py import_sources PATH…``: import source documents from files and folders."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from sources.importers import FORMATS
from sources.services import FAILED, import_paths


class Command(BaseCommand):
    help = (
        "Import source documents (plain text in the newsroom layout, Markdown with front matter, "
        "HTML article pages) from files and folders. Prints one line per file and exits with "
        "status 1 if any file failed, after importing the others."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files or folders (read recursively).")
        parser.add_argument(
            "--format", choices=sorted(FORMATS), help="Read every file in this format instead of by extension."
        )
        parser.add_argument("--publisher", default="", help="Publisher for documents that name none.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; save nothing.")

    def handle(self, *args, paths, format, publisher, dry_run, **options):
        counts = Counter()
        for outcome in import_paths(paths, format=format, publisher=publisher, dry_run=dry_run):
            counts[outcome.status] += 1
            style = self.style.ERROR if outcome.status == FAILED else self.style.SUCCESS
            self.stdout.write(style(str(outcome)))
            for warning in outcome.warnings:
                self.stdout.write(self.style.WARNING(f"    warning: {warning}"))

        total = sum(counts.values())
        summary = ", ".join(f"{counts[status]} {status}" for status in ("created", "new revision", "unchanged", FAILED))
        prefix = "Dry run, nothing saved: " if dry_run else ""
        self.stdout.write(f"{prefix}{total} file{'s' if total != 1 else ''}: {summary}.")
        if counts[FAILED]:
            raise CommandError(f"{counts[FAILED]} of {total} file{'s' if total != 1 else ''} failed to import.")
