"""Claim-set JSON as a format of ``import_sources`` and of the admin's *Import files* page.

``import_sources_bundle`` is the handler ``editorial.apps`` registers for the ``claimset`` format
(``sources.importers.register_bundle_format``): it imports a file through ``importer`` and answers
in the sources importer's terms (``ImportProblem``, a summary line). ``check_sources_bundle`` is the
quick look the admin takes before it queues a large file for a background import.
"""

from editorial.claimset.importer import _import
from editorial.claimset.validate import InvalidClaimSet, check, parse
from sources.importers import ImportProblem

ADD_CLAIM_PERMISSION = "editorial.add_claim"
PROBLEMS_SHOWN = 10


def import_sources_bundle(data, filename, *, user=None, operator="", dry_run=False, plan=None):
    """Import a claim-set JSON file for ``import_sources`` (registered as its ``claimset`` format).

    Returns ``(changed, title, summary, warnings)``, the warnings being the import's notices (statuses
    not restored, with their JSON paths). Raises ``ImportProblem`` naming the first problems when the
    document is refused, having written nothing, and when ``user`` may not add claims (the admin's
    source upload is open to anyone who may capture sources). A dry run decides the import and
    stops, so its summary counts are what a real run does; ``plan`` holds what the earlier files of
    that dry run would have captured, and learns what this one would.
    """
    _check_may_import(user=user, operator=operator)
    try:
        result = _import(data, user=user, operator=operator, origin=filename, dry_run=dry_run, plan=plan)
    except InvalidClaimSet as invalid:
        raise _problem(invalid) from None
    document = parse(data)
    claim_set = document.get("set") if isinstance(document, dict) else None
    title = (claim_set or {}).get("title") or "claim-set JSON"
    return result.changed, title, str(result), [str(notice) for notice in result.notices]


def check_sources_bundle(data, filename, *, user=None, operator=""):
    """Raise ``ImportProblem`` for a claim-set JSON file that ``import_sources_bundle`` would refuse
    without reading the database: not the user's to import, malformed JSON, or a document with
    problems (each named at its JSON path). Writes nothing; the admin runs it before it queues a
    large file, so that its editor hears of a broken file at once rather than from a failed task.
    """
    _check_may_import(user=user, operator=operator)
    try:
        _parsed, problems = check(parse(data))
    except InvalidClaimSet as invalid:
        raise _problem(invalid) from None
    if problems:
        raise _problem(InvalidClaimSet(problems))


def _check_may_import(*, user, operator):
    if not operator and (user is None or not user.has_perm(ADD_CLAIM_PERMISSION)):
        raise ImportProblem(
            "claim-set JSON brings in claims, and you do not have permission to add claims (ask for the Editors group)"
        )


def _problem(invalid: InvalidClaimSet) -> ImportProblem:
    shown = "; ".join(str(problem) for problem in invalid.problems[:PROBLEMS_SHOWN])
    more = len(invalid.problems) - PROBLEMS_SHOWN
    return ImportProblem(
        f"invalid claim-set JSON: {shown}" + (f"; and {more} more (run import_claims for all)" if more > 0 else "")
    )
