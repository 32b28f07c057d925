"""The claim-set JSON (``editorial.claimset/2`` and ``/1``) read back into the database.

* ``schema.json`` — the document's structure as a JSON Schema (draft 2020-12);
* ``validate`` — ``parse`` and ``check``: every problem, with its JSON path, before anything is written;
* ``importer`` — ``import_document`` and ``import_claims_file`` (the ``import_claims`` command);
* ``sources_bundle`` — ``import_sources_bundle`` (the ``claimset`` format of ``import_sources``) and
  ``check_sources_bundle`` (the admin's quick look before a large file's background import).

The exporter is ``editorial.exports.claimset``; ``docs/claimset.md`` describes the format.
"""

from editorial.claimset.importer import ImportResult, import_claims_file, import_document
from editorial.claimset.sources_bundle import check_sources_bundle, import_sources_bundle
from editorial.claimset.validate import InvalidClaimSet, Problem, check, parse

__all__ = [
    "ImportResult",
    "InvalidClaimSet",
    "Problem",
    "check",
    "check_sources_bundle",
    "import_claims_file",
    "import_document",
    "import_sources_bundle",
    "parse",
]
