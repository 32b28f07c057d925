"""``manage.py import_claims FILE [--as USERNAME]``: read a claim-set JSON export back (a staff tool)."""

from django.core.management.base import BaseCommand, CommandError

from editorial.claimset import InvalidClaimSet, import_claims_file
from sources.management.acting import acting_user, add_acting_argument


class Command(BaseCommand):
    help = (
        "Import a claim-set JSON file (editorial.claimset/2, the whole record export_claims --format json writes, "
        "or editorial.claimset/1). "
        "The whole file is checked first and every problem reported with its JSON path; then it is "
        "imported in one transaction. Sources, revisions, claims, citations and relations already "
        "present are matched, so importing the same file twice changes nothing. Without --as the "
        "operator restores statuses (and, from editorial.claimset/2, the moderation history) as the file states "
        "them; a claim already stored is not overwritten by editorial.claimset/2: each difference is reported "
        "as a conflict. With --as, only a user with the moderate "
        "permission does, and anyone else's import brings claims in as drafts and says so. Every "
        "restored or refused status is recorded in the moderation log with who imported it."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE", help="The claim-set JSON file.")
        add_acting_argument(parser)

    def handle(self, *args, path, acting_as, **options):
        user, operator = acting_user(acting_as)
        try:
            result = import_claims_file(path, user=user, operator=operator)
        except OSError as error:
            raise CommandError(f"{path}: cannot read: {error.strerror or error}") from error
        except InvalidClaimSet as invalid:
            for problem in invalid.problems:
                self.stderr.write(f"{path}: {problem}")
            count = len(invalid.problems)
            raise CommandError(
                f"{path}: {count} problem{'s' if count != 1 else ''} found; nothing was imported."
            ) from None
        for notice in result.notices:
            self.stderr.write(self.style.WARNING(f"{path}: {notice}"))
        self.stdout.write(self.style.SUCCESS(f"{path}: {result}."))
