"""HTTP caching of public pages: ``ETag`` and ``Last-Modified`` from the public record's version.

Every page a reader sees answers from the public record, whose version (``readmodel.version``)
changes in the very transaction of any change readers can see. So a public ``GET`` can be
validated before the view runs: the ``ETag`` is the version with the address (path and query) and
``Last-Modified`` the time of the last change. A conditional request that still matches answers
``304 Not Modified`` with no page built; any other gets the page with those validators and a
``Cache-Control`` a reverse proxy or CDN can act on: shared caches may keep it for
``PUBLIC_CACHE_SECONDS`` (``s-maxage``), browsers revalidate every time (``max-age=0``), which
costs one small query when nothing changed.

Only anonymous readers' safe requests outside the admin are treated so; a signed-in user's pages
(previews, admin links) are ``private, no-cache`` and never validated from the version.

The middleware also keeps the version read once per request (``request_version``), for the caches
of counts and facets (``editorial.public.caching``).
"""

import hashlib
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags, quote_etag

from editorial.public import readmodel

_memo: ContextVar[dict | None] = ContextVar("public_version_memo", default=None)
PRIVATE_PREFIXES = ("/admin/", "/accounts/")


def request_version():
    """Return ``readmodel.version()``, read once per request (each time outside one)."""
    memo = _memo.get()
    if memo is None:
        return readmodel.version()
    if "version" not in memo:
        memo["version"] = readmodel.version()
    return memo["version"]


class PublicCacheMiddleware:
    """Validators and ``Cache-Control`` for anonymous public reads; 304 when the record has not changed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self._respond(request)
        finally:
            _memo.reset(token)

    def _respond(self, request):
        public = (
            request.method in ("GET", "HEAD")
            and not request.path.startswith(PRIVATE_PREFIXES)
            and not request.path.startswith(settings.STATIC_URL)
            and not request.user.is_authenticated
        )
        if not public:
            response = self.get_response(request)
            if (
                request.method in ("GET", "HEAD")
                and not request.path.startswith(settings.STATIC_URL)
                and not response.has_header("Cache-Control")
            ):
                patch_cache_control(response, private=True, no_cache=True)
            return response
        tag, changed_at = request_version()
        address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:16]
        etag = quote_etag(f"{tag}-{address}")
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            return self._not_modified(etag, changed_at)
        response = self.get_response(request)
        if response.status_code == 200:
            response["ETag"] = etag
            if changed_at is not None:
                response["Last-Modified"] = http_date(changed_at.timestamp())
            shared_caching(response)
        return response

    @staticmethod
    def _not_modified(etag, changed_at):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        if changed_at is not None:
            response["Last-Modified"] = http_date(changed_at.timestamp())
        return shared_caching(response)


def shared_caching(response):
    """Let shared caches keep ``response`` for ``PUBLIC_CACHE_SECONDS``; browsers revalidate it."""
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True, s_maxage=settings.PUBLIC_CACHE_SECONDS)
    return response
