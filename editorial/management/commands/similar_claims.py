"""``manage.py similar_claims [CLAIM_ID …] [--format json|text] [--limit N]``: every claim's closest claims."""

import json

from django.core.management.base import BaseCommand, CommandError

from editorial.models import Claim
from editorial.similarity import similar_for_claims

# Claims looked up together: one page of the similarity service (a fixed number of queries each).
CHUNK = 200


class Command(BaseCommand):
    help = (
        "Print the closest claims of every claim (or of the claims named by id), best first, each "
        "marked as a likely duplicate or a possible conflict; pairs an editor dismissed are left out. "
        "--format json prints one JSON array, one item per claim: "
        '{"claim": {"id", "statement"}, "similar": [{"id", "statement", "score", "duplicate", "conflict"}, …]}, '
        "score from 0 to 1. Output is written as it is found, claim by claim."
    )

    def add_arguments(self, parser):
        parser.add_argument("claim_ids", nargs="*", type=int, metavar="CLAIM_ID", help="Claim ids (default: all).")
        parser.add_argument("--format", choices=["json", "text"], default="text", help="Output format (text).")
        parser.add_argument("--limit", type=int, default=5, help="Closest claims per claim (5).")

    def handle(self, *args, claim_ids, format, limit, **options):
        if limit < 1:
            raise CommandError(f"--limit must be at least 1, not {limit}.")
        claims = Claim.objects.order_by("pk")
        if claim_ids:
            claims = claims.filter(pk__in=claim_ids)
            missing = sorted(set(claim_ids) - set(claims.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"No claim with id {', '.join(map(str, missing))}.")
        if format == "json":
            self.stdout.write("[", ending="")
        first = True
        for chunk in self.chunks(claims):
            found = similar_for_claims([pk for pk, _ in chunk], limit=limit)
            for pk, statement in chunk:
                if format == "json":
                    item = {"claim": {"id": pk, "statement": statement}, "similar": [self.item(s) for s in found[pk]]}
                    self.stdout.write(("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False), ending="")
                else:
                    self.stdout.write(self.text_block(pk, statement, found[pk]))
                first = False
        if format == "json":
            self.stdout.write("\n]" if not first else "]")

    @staticmethod
    def chunks(claims):
        """Yield ``[(id, statement), …]`` in pages of ``CHUNK`` by id, never holding every claim."""
        last = 0
        while True:
            chunk = list(claims.filter(pk__gt=last).values_list("pk", "statement")[:CHUNK])
            if not chunk:
                return
            yield chunk
            last = chunk[-1][0]

    @staticmethod
    def item(similar):
        return {
            "id": similar.claim_id,
            "statement": similar.statement,
            "score": similar.score,
            "duplicate": similar.duplicate,
            "conflict": similar.conflict,
        }

    @staticmethod
    def text_block(pk, statement, found):
        lines = [f"Claim {pk} “{' '.join(statement.split())}”: {len(found) or 'no'} similar"]
        for similar in found:
            flag = " likely duplicate" if similar.duplicate else " possible conflict" if similar.conflict else ""
            lines.append(
                f"  {similar.score:.2f}{flag} claim {similar.claim_id} “{' '.join(similar.statement.split())}”"
            )
            lines.extend(f"      {difference}" for difference in similar.differences)
        return "\n".join(lines)
