"""``manage.py import_claims FILE``: read a claim-set JSON export back (a staff tool)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from editorial.claimset_io import InvalidClaimSet, import_claims_file


class Command(BaseCommand):
    help = (
        "Import a claim-set JSON file (editorial.claimset/1, as export_claims --format json writes it). "
        "The whole file is checked first and every problem reported with its JSON path; then it is "
        "imported in one transaction. Sources, revisions, claims, citations and relations already "
        "present are matched, so importing the same file twice changes nothing. Statuses are restored "
        "as in the file and recorded in the moderation log."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE", help="The claim-set JSON file.")
        parser.add_argument("--user", metavar="USERNAME", help="Record this user on the moderation events.")

    def handle(self, *args, path, user, **options):
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"Unknown user “{user}”.")
        try:
            result = import_claims_file(path, user=account)
        except OSError as error:
            raise CommandError(f"{path}: cannot read: {error.strerror or error}") from error
        except InvalidClaimSet as invalid:
            for problem in invalid.problems:
                self.stderr.write(f"{path}: {problem}")
            count = len(invalid.problems)
            raise CommandError(
                f"{path}: {count} problem{'s' if count != 1 else ''} found; nothing was imported."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"{path}: {result}."))
