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

The same version keys a page cache inside the server (``PUBLIC_PAGE_CACHE``, on by default): the
bytes and headers of an anonymous reader's ``GET`` answer are kept in the cache (Redis when
``REDIS_URL`` is set, else the database's cache table) under the version, the scheme, the host and
the address, and served again until a moderation act changes the version. ``PublicPageMiddleware``
does it, first in ``MIDDLEWARE``: a kept page goes out before any other middleware runs, with the
headers the whole stack gave it when it was built (security headers, CSP, validators). Only a
request that carries nothing of a reader's own is answered so: no session cookie (so no signed-in
user), no messages cookie, no ``Authorization``. A page is kept only when nothing in it is the
reader's own either: the answer sets no cookie, no CSRF token was drawn, and its
``Cache-Control`` is not private. The API is not kept (its throttle must count every request; it
caches its page data itself), nor is any streamed answer (exports).

Each process also keeps the pages it served most recently in its own memory, under the same keys
(``PUBLIC_PAGE_MEMORY`` bytes, 16 MB by default; 0 turns it off): a page kept there is served with
one query, the version's, and no round trip to the shared cache. The key names the version, so a
moderation act leaves every such copy unasked for at once, in every process; the least recently
served go when the budget is spent.

Both middlewares read the version once per request (``request_memo``, ``request_version``), and
so do the caches of counts and facets (``editorial.public.caching``).
"""

import hashlib
import threading
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_etags, quote_etag

from config.replica import reading_from_replica
from editorial.public import readmodel

_memo: ContextVar[dict | None] = ContextVar("public_version_memo", default=None)
PRIVATE_PREFIXES = ("/admin/", "/accounts/")
# Answers the page cache never keeps: the API counts every request for its throttle.
UNCACHED_PREFIXES = ("/api/",)
PAGE_CACHE_SECONDS = 24 * 3600  # an upper bound: the version changes the key first
MESSAGES_COOKIE = CookieStorage.cookie_name  # messages waiting for the reader: the page shows them


class RecentPages:
    """The pages this process served most recently, least recently served first out: at most ``budget``
    bytes of content, each page under its page-cache key (which names the record's version).
    """

    def __init__(self, budget):
        self.budget = budget
        self.size = 0
        self._pages = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def set(self, key, content, headers):
        if len(content) > self.budget:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old[0])
            self._pages[key] = (content, headers)
            self.size += len(content)
            while self.size > self.budget:
                _, (dropped, _) = self._pages.popitem(last=False)
                self.size -= len(dropped)

    def clear(self):
        with self._lock:
            self._pages.clear()
            self.size = 0

    def __len__(self):
        return len(self._pages)


_recent_pages: RecentPages | None = None


def recent_pages():
    """Return this process's ``RecentPages`` (None when ``PUBLIC_PAGE_MEMORY`` is 0)."""
    global _recent_pages
    budget = settings.PUBLIC_PAGE_MEMORY
    if budget <= 0:
        return None
    if _recent_pages is None or _recent_pages.budget != budget:
        _recent_pages = RecentPages(budget)
    return _recent_pages


@contextmanager
def request_memo():
    """Within the block, ``request_version`` reads the version once: the request's first middleware
    that needs it begins the memo, the others use it."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def request_version():
    """Return ``readmodel.version()``, read once per request (each time outside one)."""
    memo = _memo.get()
    if memo is None:
        return readmodel.version()
    if "version" not in memo:
        memo["version"] = readmodel.version()
    return memo["version"]


def public_etag(tag, request):
    """Return the ``ETag`` of the public page ``request`` asks for in the record's version ``tag``."""
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:16]
    return quote_etag(f"{tag}-{address}")


def reader_has(request, etag, changed_at):
    """Return True when ``request`` is conditional and the reader already has this version of the page."""
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        return True
    return (
        changed_at is not None
        and "If-None-Match" not in request.headers
        and get_conditional_response(request, last_modified=int(changed_at.timestamp())) is not None
    )


class PublicPageMiddleware:
    """The page cache, first in ``MIDDLEWARE``: an anonymous reader's kept page is served before any
    other middleware runs, with the headers the whole stack gave it when it was built.

    Only requests ``page_cache_applies`` to come here (no session, no messages, no credentials);
    a conditional request for the version the reader has goes on to ``PublicCacheMiddleware``,
    which answers 304.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not page_cache_applies(request):
            return self.get_response(request)
        with request_memo():
            return self._page(request)

    def _page(self, request):
        # Read where the page is read (config.replica): a page built from a replica that lags must be
        # kept under the replica's version, not under the primary's newer one.
        with reading_from_replica():
            tag, changed_at = request_version()
        if reader_has(request, public_etag(tag, request), changed_at):
            return self.get_response(request)
        key = (
            "public-page:"
            + hashlib.sha256(
                f"{tag}\n{request.scheme}\n{request.get_host()}\n{request.get_full_path()}".encode()
            ).hexdigest()
        )
        recent = recent_pages()
        kept = recent.get(key) if recent is not None else None
        if kept is None:
            kept = cache.get(key)
            if kept is not None and recent is not None:
                recent.set(key, *kept)
        if kept is not None:
            content, headers = kept
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if page_cache_keeps(request, response):
            kept = (response.content, list(response.items()))
            cache.set(key, kept, PAGE_CACHE_SECONDS)
            if recent is not None:
                recent.set(key, *kept)
        return response


class PublicCacheMiddleware:
    """Validators and ``Cache-Control`` for anonymous public reads; 304 when the record has not changed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_memo():
            return self._respond(request)

    def _respond(self, request):
        public = request.method in ("GET", "HEAD") and public_address(request) and not request.user.is_authenticated
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
        etag = public_etag(tag, request)
        if reader_has(request, etag, changed_at):
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


def public_address(request):
    """Whether ``request`` asks for a public page: not the admin's, an account's or a static file."""
    return not request.path.startswith(PRIVATE_PREFIXES) and not request.path.startswith(settings.STATIC_URL)


def page_cache_applies(request):
    """Whether ``request`` may be answered from the page cache: a ``GET`` of a public page that carries
    nothing of a reader's own (no session, so no signed-in user; no messages; no credentials).
    """
    return (
        settings.PUBLIC_PAGE_CACHE
        and request.method == "GET"
        and public_address(request)
        and not request.path.startswith(UNCACHED_PREFIXES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
        and "Authorization" not in request.headers
    )


def page_cache_keeps(request, response):
    """Whether ``response`` holds nothing of the reader's own, so that any reader may get it."""
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in cache_control
        and "no-store" not in cache_control
    )
