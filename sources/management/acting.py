"""Who a management command acts as: ``--as USERNAME``, or the operator who runs it."""

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def add_acting_argument(parser):
    parser.add_argument(
        "--as",
        "--user",
        dest="acting_as",
        metavar="USERNAME",
        help=(
            "Act as this user: it is recorded on what the command writes, and its permissions apply "
            "(only a moderator restores claim statuses from claim-set JSON). Default: the operator, "
            "with every permission, recorded in the moderation log as “operator (login name)”."
        ),
    )


def acting_user(username):
    """Return ``(user, operator)`` for ``--as``: the account and "", or None and the operator's name."""
    if not username:
        return None, operator_name()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"Unknown user “{username}”.")
    if not user.is_active:
        raise CommandError(f"User “{username}” is inactive.")
    return user, ""


def operator_name():
    """Return how logs name the command-line operator, who acts without an account: "operator (login)"."""
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare container
        login = "unknown"
    return f"operator ({login})"
