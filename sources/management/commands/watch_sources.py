"""``manage.py watch_sources [--once] [--all]``: check watched sources for changes, or schedule the checks."""

import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from sources.services import FAILED, NEW_REVISION, watch_pass
from sources.tasks import watch_pass_task


def outcome_line(source, outcome):
    """Return the line a check prints: "<address>: unchanged", "new revision N", "gone" or "failed: reason"."""
    if outcome.status == NEW_REVISION:
        found = f"new revision {outcome.revision.number}"
    elif outcome.status == FAILED:
        found = f"failed: {outcome.message}"
    else:
        found = outcome.status
    if outcome.message and outcome.status != FAILED:
        found += f" ({outcome.message})"
    return f"{source.url}: {found}"


class Command(BaseCommand):
    help = (
        "Check watched sources at their original addresses: a changed page adds a revision (its citations "
        "are re-anchored), a page that answers 404 or 410 is marked gone. With --once, one pass over the "
        "sources that are due (--all: every watched source), one line each, exit status 1 if a check "
        "failed; without it, a pass every --sleep seconds until stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one pass and stop.")
        parser.add_argument("--all", action="store_true", dest="every", help="Check every watched source, due or not.")
        parser.add_argument("--sleep", type=float, default=60.0, help="Seconds between passes (default 60).")
        parser.add_argument(
            "--workers", type=int, help="Addresses fetched at once (default: CAPTURE_WATCH_WORKERS, 8)."
        )

    def handle(self, *args, once, every, sleep, workers, **options):
        if sleep <= 0:
            raise CommandError("--sleep must be more than 0 seconds.")
        if workers is not None and not 1 <= workers <= 64:
            raise CommandError("--workers must be from 1 to 64.")
        self.workers = workers
        if once:
            counts = self.run_pass(every)
            if counts[FAILED]:
                raise CommandError(f"{counts[FAILED]} check{'s' if counts[FAILED] != 1 else ''} failed.")
            return
        self.stdout.write(
            f"Scheduling watch passes: one queued every {sleep:g} seconds for the task worker (Ctrl-C stops)."
        )
        try:
            while True:
                result = watch_pass_task.enqueue(every=every)
                self.stdout.write(f"Watch pass queued ({result.id}).")
                every = False  # --all applies to the first pass; later ones check what is due
                time.sleep(sleep)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def run_pass(self, every):
        counts = Counter()
        for source, outcome in watch_pass(every=every, workers=self.workers):
            counts[outcome.status] += 1
            style = self.style.ERROR if outcome.failed else self.style.SUCCESS
            self.stdout.write(style(outcome_line(source, outcome)))
        total = sum(counts.values())
        if total or every:
            summary = ", ".join(f"{counts[name]} {name}" for name in ("unchanged", NEW_REVISION, "gone", FAILED))
            self.stdout.write(f"{total} source{'s' if total != 1 else ''} checked: {summary}.")
        return counts
