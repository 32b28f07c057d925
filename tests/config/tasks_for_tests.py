"""Tasks the background-task tests enqueue: one that answers, one that fails while a flag is set."""

from django.core.cache import cache
from django_tasks import task


@task
def add(a, b):
    return a + b


@task
def fail_while_flagged(name):
    if cache.get(f"fail:{name}"):
        raise RuntimeError(f"{name} failed on purpose")
    return f"{name} done"
