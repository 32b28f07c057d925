"""Checking stored revisions again: their hashes, and their originals read once more."""

from sources.importers import get_importer
from sources.importers.base import ImportProblem
from sources.models import Revision, text_sha256


def reverify_revision(revision: Revision) -> list[str]:
    """Return the problems found in a stored revision; ``[]`` when it checks out.

    Checks that the stored SHA-256 matches the stored text, and that reading the stored original
    file again with the same importer gives the same text.
    """
    stored = Revision.objects.filter(pk=revision.pk).first()
    if stored is None:
        return [f"revision {revision.pk} is not in the database"]
    problems = []
    actual = text_sha256(stored.text)
    if actual != stored.sha256:
        problems.append(f"stored SHA-256 {stored.sha256[:12]}… does not match the text, which hashes to {actual[:12]}…")
    original = bytes(stored.original or b"")
    if original and stored.format:
        try:
            document = get_importer(stored.format).parse(original, stored.origin or "")
            if document.text != stored.text and stored.encoding and stored.encoding != document.encoding:
                # An editor may have chosen the encoding (a re-read): read it as the revision did.
                document = get_importer(stored.format).parse(original, stored.origin or "", encoding=stored.encoding)
        except ImportProblem as problem:
            problems.append(f"the original file no longer reads as {stored.format}: {problem}")
        else:
            if document.text != stored.text:
                position = next(
                    (index for index, (a, b) in enumerate(zip(document.text, stored.text, strict=False)) if a != b),
                    min(len(document.text), len(stored.text)),
                )
                problems.append(
                    f"reading the original file again gives different text (first difference at character {position})"
                )
    return problems
