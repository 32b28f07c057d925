"""``manage.py public_read_model [--rebuild]``: check (or rewrite) the public read model."""

from django.core.management.base import BaseCommand, CommandError

from editorial.public import readmodel


class Command(BaseCommand):
    help = (
        "Check that the public read model (what lists, filters, facets, tag and speaker pages and "
        "sitemaps read) agrees with every claim's approved version; with --rebuild, first write it "
        "again from the approved versions (after an upgrade, or for peace of mind). Exits 1 when "
        "disagreements remain."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Rewrite every entry before checking.")

    def handle(self, *args, rebuild, **options):
        if rebuild:
            report = readmodel.rebuild()
            self.stdout.write(f"Rebuilt: {report.written} entries written, {report.removed} removed.")
        problems = readmodel.verify()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} disagreement{'s' if len(problems) != 1 else ''} found.")
        self.stdout.write(self.style.SUCCESS("The public read model agrees with the approved versions."))
