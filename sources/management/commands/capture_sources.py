"""``manage.py capture_sources URL… [--watch] [--interval DAYS]``: capture pages from the web as sources."""

from collections import Counter
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from sources.management.acting import acting_user, add_acting_argument
from sources.services import FAILED, capture_url


def interval_days(value):
    """Parse ``--interval``: a positive number of days (``0.5`` is twelve hours)."""
    try:
        days = float(value)
    except ValueError:
        raise CommandError(f"--interval takes a number of days, not “{value}”.") from None
    if not 0 < days <= 3650:
        raise CommandError("--interval must be more than 0 and at most 3650 days.")
    return timedelta(days=days)


class Command(BaseCommand):
    help = (
        "Capture web pages (HTML, plain text, Markdown) as sources: each page is stored as a revision "
        "with its WARC file. Prints one line per address (created, new revision, unchanged or refused: "
        "reason) and exits with status 1 if any was refused, after capturing the others."
    )

    def add_arguments(self, parser):
        parser.add_argument("urls", nargs="+", metavar="URL", help="http or https addresses.")
        parser.add_argument("--watch", action="store_true", help="Watch the sources for changes (watch_sources).")
        parser.add_argument("--interval", metavar="DAYS", help="How often a watched source is checked; default 1.")
        add_acting_argument(parser)

    def handle(self, *args, urls, watch, interval, acting_as, **options):
        every = interval_days(interval) if interval is not None else None
        user, _operator = acting_user(acting_as)
        counts = Counter()
        for url in urls:
            outcome = capture_url(url, user=user, watch=True if watch else None, interval=every)
            counts[outcome.status] += 1
            self.stdout.write((self.style.ERROR if outcome.failed else self.style.SUCCESS)(str(outcome)))
            for warning in outcome.warnings:
                self.stdout.write(self.style.WARNING(f"    warning: {warning}"))
        total = len(urls)
        summary = ", ".join(f"{counts[status]} {status}" for status in ("created", "new revision", "unchanged"))
        self.stdout.write(f"{total} address{'es' if total != 1 else ''}: {summary}, {counts[FAILED]} refused.")
        if counts[FAILED]:
            raise CommandError(f"{counts[FAILED]} of {total} address{'es' if total != 1 else ''} refused.")
