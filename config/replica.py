"""Public reads from a read replica: the router and the middleware that marks a public read.

With ``DATABASE_REPLICA_URL`` set, ``config/settings.py`` adds the database alias ``replica``, puts
``ReplicaRouter`` in ``DATABASE_ROUTERS`` and ``ReplicaMiddleware`` in ``MIDDLEWARE``. Without it,
none of this is loaded and the one database does everything.

===============================================  ==========  ============
query                                            reads from  writes to
===============================================  ==========  ============
a reader's GET or HEAD of a public page or API   replica     primary
the session and the cache (the API's throttle)   primary     primary
a staff user's request (previews, the admin)     primary     primary
any other method, any path under the admin       primary     primary
outside a request (commands, migrations)         primary     primary
===============================================  ==========  ============

A replica lags behind the primary by a moment: a reader may see a claim a moderator just approved
a little later. Editors and moderators always read the primary, so they see their own work at once.
The request is marked in a context variable, which each thread and each asyncio task has its own
of, so concurrent requests never see each other's mark.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.urls import reverse

PRIMARY = "default"
REPLICA = "replica"

# Read on the primary even in a public read: the session a login just wrote, and the cache, whose
# API request counts must not lag (a stale count would let a client past its throttle).
PRIMARY_ONLY_APP_LABELS = frozenset({"sessions", "django_cache"})

_public_read = ContextVar("public_read", default=False)


@contextmanager
def reading_from_replica():
    """Within the block, ``ReplicaRouter`` sends reads (not writes) to the replica."""
    token = _public_read.set(True)
    try:
        yield
    finally:
        _public_read.reset(token)


class ReplicaRouter:
    """Send a public read's queries to ``replica``; everything else, and every write, to ``default``."""

    def db_for_read(self, model, **hints):
        if _public_read.get() and model._meta.app_label not in PRIMARY_ONLY_APP_LABELS:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows: an object read from one may point at one read from the other.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica copies the primary's schema; it is never migrated itself.
        return db != REPLICA


def is_public_read(request):
    """Return True when ``request`` is a reader's GET or HEAD outside the admin.

    A staff user's request reads the primary: a preview shows the live claim, and an editor who just
    saved expects to see the change.
    """
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path_info.startswith(reverse("admin:index")):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated and user.is_staff)


def _streamed_from_replica(chunks):
    """Yield ``chunks`` with each step read from the replica: a streamed export runs its queries
    after the view (and the middleware) returned."""
    iterator = iter(chunks)
    while True:
        with reading_from_replica():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


class ReplicaMiddleware:
    """Mark a reader's GET or HEAD (``is_public_read``) so that ``ReplicaRouter`` reads the replica.

    Placed after ``AuthenticationMiddleware``: it needs ``request.user``, which it loads from the
    primary before marking the request.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        if not is_public_read(request):
            return self.get_response(request)
        with reading_from_replica():
            response = self.get_response(request)
        return self.streamed_from_replica(response)

    async def __acall__(self, request):
        # Loading request.user queries the database, which the event loop must not do itself.
        public_read = await sync_to_async(is_public_read)(request)
        if not public_read:
            return await self.get_response(request)
        with reading_from_replica():
            response = await self.get_response(request)
        return self.streamed_from_replica(response)

    @staticmethod
    def streamed_from_replica(response):
        # An asynchronous stream is left to read the primary: correct, only not offloaded.
        if getattr(response, "streaming", False) and not response.is_async:
            response.streaming_content = _streamed_from_replica(response.streaming_content)
        return response
