"""What public lists compute once per version of the public record: totals and facet counts.

What would grow with the record — a list's total and its facet counts — is computed once per
version of the public record (``editorial.public.readmodel.version``) and kept in the cache (Redis
when ``REDIS_URL`` is set, else the database's cache table), so the moderation act that changes
what readers see is the one that invalidates it. A list can be paged through its first
``LIST_DEPTH`` rows (an ``OFFSET`` over an index costs what it skips); past that the page says to
narrow the list or export it, which streams every row.
"""

import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from editorial.public.http import request_version

# How many rows of a list can be paged through (OFFSET over an index costs what it skips).
LIST_DEPTH = 10_000
# How long a cached count or facet lives at most (it is keyed by the record's version anyway).
CACHE_SECONDS = 24 * 3600


def query_key(queryset):
    """Return what identifies ``queryset``'s rows: its SQL with the parameters in place."""
    try:
        return str(queryset.query)
    except EmptyResultSet:
        return "empty"


def cached(kind, key, compute):
    """Return ``compute()``, cached under the public record's current version, ``kind`` and ``key``."""
    tag, _ = request_version()
    digest = hashlib.sha256(f"{kind}\n{key}".encode()).hexdigest()[:32]
    name = f"public:{tag}:{kind}:{digest}"
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, CACHE_SECONDS)
    return value


class DepthLimitedPaginator(Paginator):
    """A paginator whose total is counted once per version of the public record (``cached``), and
    whose pages reach the first ``LIST_DEPTH`` rows; ``total`` is the whole count (a view that has
    it already passes it as ``total``).
    """

    def __init__(self, *args, total=None, **kwargs):
        super().__init__(*args, **kwargs)
        if total is not None:
            self.total = total

    @cached_property
    def total(self):
        if not hasattr(self.object_list, "query"):
            return len(self.object_list)
        return cached("count", query_key(self.object_list), self.object_list.count)

    @cached_property
    def count(self):
        return min(self.total, LIST_DEPTH)

    @property
    def truncated(self):
        return self.total > LIST_DEPTH
