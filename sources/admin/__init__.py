"""Admin for publishers, authors, sources and their read-only revisions.

Besides the usual pages, the source admin has an upload page for source documents (it calls the
same import service as ``manage.py import_sources``) and a page showing what changed between two
consecutive revisions of a source. The revision admin shows the encoding each original was read in,
with the detection's confidence, and lets an editor who may change the source read the original
again in another encoding: a new revision, with the editor's reason.

``documents`` holds the publisher, author and source admins; ``revisions`` the revision admin;
``web`` the source admin's *Capture from the web* page and WARC downloads; ``large_imports`` the
upload page's background imports of large files; ``display`` the formatting they use. Importing
the package registers them all.
"""

from sources.admin.display import compact_datetime, encoding_read, format_html_paragraphs, origin_file_name
from sources.admin.documents import AuthorAdmin, BylineInline, PublisherAdmin, SourceAdmin, outcome_message
from sources.admin.revisions import RevisionAdmin, encoding_previews

__all__ = [
    "AuthorAdmin",
    "BylineInline",
    "PublisherAdmin",
    "RevisionAdmin",
    "SourceAdmin",
    "compact_datetime",
    "encoding_previews",
    "encoding_read",
    "format_html_paragraphs",
    "origin_file_name",
    "outcome_message",
]
