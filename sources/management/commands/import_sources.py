"""``manage.py import_sources PATH…``: import source documents from files and folders."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from sources.importers import FORMATS
from sources.management.acting import acting_user, add_acting_argument
from sources.services import FAILED, SKIPPED, import_paths


class Command(BaseCommand):
    help = (
        "Import source documents (plain text in the newsroom layout, Markdown with front matter, "
        "HTML article pages) from files and folders. Prints one line per file and exits with "
        "status 1 if any file failed, after importing the others. Inside a folder, symbolic links "
        "out of it are skipped (and named), not followed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files or folders (read recursively).")
        parser.add_argument(
            "--format", choices=sorted(FORMATS), help="Read every file in this format instead of by extension."
        )
        parser.add_argument("--publisher", default="", help="Publisher for documents that name none.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; save nothing.")
        add_acting_argument(parser)

    def handle(self, *args, paths, format, publisher, dry_run, acting_as, **options):
        user, operator = acting_user(acting_as)
        counts = Counter()
        outcomes = import_paths(
            paths, format=format, user=user, operator=operator, publisher=publisher, dry_run=dry_run
        )
        for outcome in outcomes:
            counts[outcome.status] += 1
            style = {FAILED: self.style.ERROR, SKIPPED: self.style.WARNING}.get(outcome.status, self.style.SUCCESS)
            self.stdout.write(style(str(outcome)))
            for warning in outcome.warnings:
                self.stdout.write(self.style.WARNING(f"    warning: {warning}"))

        total = sum(counts.values())
        statuses = ["created", "new revision", "unchanged", FAILED] + ([SKIPPED] if counts[SKIPPED] else [])
        summary = ", ".join(f"{counts[status]} {status}" for status in statuses)
        prefix = "Dry run, nothing saved: " if dry_run else ""
        self.stdout.write(f"{prefix}{total} file{'s' if total != 1 else ''}: {summary}.")
        if counts[FAILED]:
            raise CommandError(f"{counts[FAILED]} of {total} file{'s' if total != 1 else ''} failed to import.")
