"""Absolute public addresses and timestamps, as every export writes them.

``reverse`` is slow when called per row, so each route is reversed once with placeholders
(``route_parts``) and filled in by string operations; the result is what ``reverse`` would give,
since slugs and numbers need no quoting in a path.
"""

import datetime
import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

DEFAULT_SITE_URL = "http://127.0.0.1:8000"

SLUG_PLACEHOLDER = "export-slug-placeholder"
NUMBER_PLACEHOLDER = 918273645


def site_url(request=None) -> str:
    """Return the site's base address without a trailing slash: the request's, else ``SITE_URL``."""
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return getattr(settings, "SITE_URL", DEFAULT_SITE_URL).rstrip("/")


@functools.lru_cache(maxsize=16)
def _route(name, urlconf, prefix):
    """Return the path of route ``name`` with placeholders, reversed once per URLconf and prefix."""
    args = {
        "public:claim_detail": [NUMBER_PLACEHOLDER, SLUG_PLACEHOLDER],
        "public:source_detail": [SLUG_PLACEHOLDER],
        "public:revision_detail": [SLUG_PLACEHOLDER, NUMBER_PLACEHOLDER],
    }[name]
    return reverse(name, args=args)


def route_template(name: str) -> str:
    """Return the path of route ``name`` with ``NUMBER_PLACEHOLDER`` and ``SLUG_PLACEHOLDER`` in it."""
    return _route(name, get_urlconf(), get_script_prefix())


def claim_path_parts() -> tuple[str, str, str]:
    """Return ``(before, between, after)``: a claim's path is ``before + id + between + slug + after``."""
    before, rest = route_template("public:claim_detail").split(str(NUMBER_PLACEHOLDER))
    between, after = rest.split(SLUG_PLACEHOLDER)
    return before, between, after


def revision_path_parts() -> tuple[str, str, str]:
    """Return ``(before, between, after)``: a revision's path is ``before + slug + between + number + after``."""
    before, rest = route_template("public:revision_detail").split(SLUG_PLACEHOLDER)
    between, after = rest.split(str(NUMBER_PLACEHOLDER))
    return before, between, after


def _path(name, *, slug, number=None):
    template = route_template(name)
    if number is not None:
        template = template.replace(str(NUMBER_PLACEHOLDER), str(number))
    return template.replace(SLUG_PLACEHOLDER, slug)


def claim_url(base_url: str, pk: int, slug: str) -> str:
    """Return the absolute public address of a claim, ``/claims/<id>/<slug>/``."""
    return base_url + _path("public:claim_detail", slug=slug or "claim", number=pk)


def source_page_url(base_url: str, source_slug: str) -> str:
    """Return the absolute public address of a source, ``/sources/<slug>/``."""
    return base_url + _path("public:source_detail", slug=source_slug)


def revision_url(base_url: str, source_slug: str, number: int) -> str:
    """Return the absolute public address of a revision, ``/sources/<slug>/revisions/<n>/``."""
    return base_url + _path("public:revision_detail", slug=source_slug, number=number)


def isoformat(value: datetime.date | datetime.datetime | None) -> str | None:
    """Return a datetime as ISO 8601 in UTC with its offset (``…+00:00``), a date as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return value.isoformat()
