"""Test settings: the production settings with a throwaway key and a fast password hasher."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "insecure-key-for-the-test-suite-only")
# The suite runs with the settings it states, never with a developer's local .env (debug mode).
os.environ.setdefault("DJANGO_ENV_FILE", "")
# Nor with a replica an operator's environment names: the replica tests install their own router.
os.environ["DATABASE_REPLICA_URL"] = ""
# Background tasks run at once, in the test's own process and transaction, whatever the environment
# says; tests/config/test_tasks.py runs the database backend and its worker, and RQ, on purpose.
os.environ["TASKS_BACKEND"] = "immediate"

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The suite does not run collectstatic; the manifest storage would need it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# Static files come from the app folders through the finders; no collectstatic in the suite.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The suite clears the cache between tests: it keeps it in the test database, never in a Redis that
# REDIS_URL may name (the throttle tests give REDIS_URL to the servers they start themselves).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}}
# A read replica that mirrors the test database, for the routing tests (tests/config/test_replica.py).
# No router is installed here: only a test that installs ReplicaRouter reads through the alias.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
