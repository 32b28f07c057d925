"""``manage.py export_claims --format FMT [filters] [-o FILE]``: export claims (a staff tool)."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from editorial.exports import EXPORTERS, LIVE, PUBLIC, UnknownFormat, get_exporter, warc
from editorial.models import Citation, Claim, ClaimSet, ClaimStatus, Speaker
from sources.models import Source

MAX_LISTED = 30  # set slugs named in an error message


class Command(BaseCommand):
    help = (
        "Export claims with their citations and sources. A staff tool: by default every claim, "
        "whatever its status, in its stored version (the JSON format is then a full backup that "
        "import_claims reads back). --public exports what the site shows instead. "
        f"Formats: {', '.join(EXPORTERS)}."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", required=True, help=f"One of: {', '.join(EXPORTERS)}, or warc (the cited web captures)."
        )
        parser.add_argument("--set", metavar="SLUG", help="Export this claim set, in its order.")
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            help=f"Only claims in this status (repeatable): {', '.join(ClaimStatus.values)}.",
        )
        parser.add_argument(
            "--tag",
            action="append",
            default=[],
            help="Only claims with this tag (name or slug; repeatable: all of them).",
        )
        parser.add_argument("--speaker", metavar="SLUG", help="Only claims by this speaker.")
        parser.add_argument("--source", metavar="SLUG", help="Only claims citing this source.")
        parser.add_argument(
            "--public",
            action="store_true",
            help="Only published claims, in their approved public versions (what an HTTP export holds).",
        )
        parser.add_argument("--bom", action="store_true", help="CSV: start with a byte-order mark (for spreadsheets).")
        parser.add_argument(
            "--without-originals",
            action="store_true",
            help="JSON: leave out the revisions' original file bytes (the document says they were left out).",
        )
        parser.add_argument("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")

    def handle(
        self, *args, format, set, status, tag, speaker, source, public, bom, without_originals, output, **options
    ):
        try:
            exporter = warc if format == warc.NAME else get_exporter(format)
        except UnknownFormat as error:
            raise CommandError(f"{error} Or {warc.NAME}: the cited web captures as one WARC file.") from None

        claim_set = None
        if set:
            claim_set = ClaimSet.objects.filter(slug=set).first()
            if claim_set is None:
                slugs = list(ClaimSet.objects.order_by("slug").values_list("slug", flat=True)[: MAX_LISTED + 1])
                known = ", ".join(slugs[:MAX_LISTED]) + (" …" if len(slugs) > MAX_LISTED else "") or "none yet"
                raise CommandError(f"Unknown claim set “{set}”; claim sets: {known}.")
            claims = claim_set.ordered_claims()
        else:
            claims = Claim.objects.order_by("pk")  # creation order, which an import into an empty database keeps

        unknown = [value for value in status if value not in ClaimStatus.values]
        if unknown:
            raise CommandError(f"Unknown status “{unknown[0]}”; statuses: {', '.join(ClaimStatus.values)}.")
        if status:
            claims = claims.filter(status__in=status)
        for value in tag:
            tagged = Claim.objects.filter(Q(tags__name__iexact=value) | Q(tags__slug=value)).values("pk")
            claims = claims.filter(pk__in=tagged)
        if speaker:
            if not Speaker.objects.filter(slug=speaker).exists():
                raise CommandError(f"Unknown speaker “{speaker}” (give the speaker's slug).")
            claims = claims.filter(speaker__slug=speaker)
        if source:
            if not Source.objects.filter(slug=source).exists():
                raise CommandError(f"Unknown source “{source}” (give the source's slug).")
            claims = claims.filter(pk__in=Citation.objects.filter(revision__source__slug=source).values("claim_id"))
        if public:
            claims = claims.published()

        export_options = {"version": PUBLIC if public else LIVE, "claim_set": claim_set}
        if exporter.NAME == "csv":
            export_options["bom"] = bom
        if exporter.NAME == "json":
            # With no filter the export is a full backup: sources nobody cites yet go with it.
            export_options["all_sources"] = not (set or status or tag or speaker or source or public)
            export_options["originals"] = not without_originals

        if exporter is warc:
            self.write_warc(claims, export_options["version"], output)
            return
        if not output or output == "-":
            for chunk in exporter.iter_chunks(claims, **export_options):
                self.stdout.write(chunk, ending="")
            return
        path = Path(output)
        partial = path.with_name(path.name + ".partial")
        try:
            # newline="" keeps the CSV's CR LF line ends as written.
            with open(partial, "w", encoding="utf-8", newline="") as out:
                exporter.write(claims, out, **export_options)
            os.replace(partial, path)
        except OSError as error:
            raise CommandError(f"{output}: cannot write: {error.strerror or error}") from error
        finally:
            if partial.exists():
                partial.unlink()
        count = claims.count()
        self.stderr.write(f"Wrote {count} claim{'s' if count != 1 else ''} as {exporter.LABEL} to {output}.")

    def write_warc(self, claims, version, output):
        """Write the captures ``claims`` cite as one WARC file to ``output`` (bytes; not to a terminal)."""
        bundled = list(warc.captures(claims, version))
        if not output or output == "-":
            binary = getattr(self.stdout._out, "buffer", None)
            if binary is None or self.stdout.isatty():
                raise CommandError("A WARC file is binary: give --output FILE, or redirect the output to a file.")
            for block in warc.iter_bytes(bundled):
                binary.write(block)
            binary.flush()
        else:
            path = Path(output)
            partial = path.with_name(path.name + ".partial")
            try:
                with open(partial, "wb") as out:
                    for block in warc.iter_bytes(bundled):
                        out.write(block)
                os.replace(partial, path)
            except OSError as error:
                raise CommandError(f"{output}: cannot write: {error.strerror or error}") from error
            finally:
                if partial.exists():
                    partial.unlink()
        self.stderr.write(
            f"Wrote {len(bundled)} web capture{'s' if len(bundled) != 1 else ''} as {warc.LABEL}"
            + (f" to {output}." if output and output != "-" else ".")
        )
