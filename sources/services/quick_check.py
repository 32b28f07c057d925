"""The quick look at a file that the admin takes before it queues a large one for a background import."""

from sources.importers import BUNDLE_CHECKS, ImportProblem, bundle_handler, detect_format, get_importer
from sources.services.imports import _size_problem
from sources.textutils import check_is_text, replace_unstorable


def check_file(*, data: bytes, filename: str, format=None, user=None, operator="") -> str:
    """Return why ``import_file`` would refuse the file, as far as a quick look tells, else ``""``.

    The look is the one that costs little beside the import itself: the size limit, that the bytes
    are text, that a format reads the file, and a bundle format's own check (claim-set JSON: the
    user may import it, the JSON is well formed and the document has no problem). Reads no database
    row of the sources and writes nothing; a file that passes can still fail when it is imported.
    """
    filename = replace_unstorable(filename)
    try:
        if problem := _size_problem(len(data)):
            raise ImportProblem(problem)
        check_is_text(data)
        if handler := bundle_handler(filename, format):
            if check := BUNDLE_CHECKS.get(handler):
                check(data, filename, user=user, operator=operator)
        else:
            get_importer(format) if format else get_importer(detect_format(filename, data))
    except ImportProblem as problem:
        return str(problem)
    return ""
