"""The approved public version of a claim: one type, built at approval, read back, compared; and what
readers' pages read it from (the read model, its counters, its search, HTTP caching)."""

from django.db import connections, router


def reading_connection(model):
    """Return the connection the ORM reads ``model`` from: the replica on a reader's request
    (``config.replica``), else the default. For the public side's own SQL statements."""
    return connections[router.db_for_read(model)]
