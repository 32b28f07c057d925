"""The API's rate limit holds across gunicorn's worker processes and is not dodged with X-Forwarded-For.

Each test starts gunicorn with three workers on a free port of 127.0.0.1, with the production
settings, against a migrated SQLite file and a rate of 5 requests a minute; the workers count in
the shared cache: the database's cache table, or Redis (``REDIS_URL``). The Redis variants need a
Redis server (``REDIS_URL``, else redis://127.0.0.1:6379/15): they are skipped without one, except in
CI (``CI=true``), where .ci/run starts one and a missing server is a failure. Each Redis test keeps
its keys under a prefix of its own and deletes them afterwards.
"""

import ipaddress
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
RATE = 5
REQUESTS = 20
WORKERS = 3
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
# What the server's environment must not inherit from the one running the tests.
SERVER_VARIABLES = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "CACHE_KEY_PREFIX", "API_THROTTLE_RATE", "TRUSTED_PROXY")

# No proxy from the environment between the test and 127.0.0.1.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def server_environment(database, **variables):
    base = {name: value for name, value in os.environ.items() if not name.startswith(SERVER_VARIABLES)}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV_FILE": "",  # not a developer's local .env (debug mode)
        "DJANGO_SECRET_KEY": "throttle-test-key-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{database}",
        "API_THROTTLE_RATE": f"{RATE}/minute",
        **variables,
    }


def random_address():
    return str(ipaddress.IPv4Address(random.getrandbits(32)))


def get(url, forwarded_for=None):
    """GET ``url`` on a connection of its own; return the status code."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


MAX_REQUESTS_PER_WORKER = 3


class Gunicorn:
    """A gunicorn master with its workers, started in a session of its own; ``stop()`` ends them all."""

    def __init__(self, directory, environment):
        self.error_log = directory / "gunicorn-error.log"
        self.access_log = directory / "gunicorn-access.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--workers",
                str(WORKERS),
                "--bind",
                "127.0.0.1:0",
                "--graceful-timeout",
                "5",
                # Each worker is replaced after a few requests, so that the requests of one test are
                # answered by several processes for certain, not by whichever worker the kernel favours.
                "--max-requests",
                str(MAX_REQUESTS_PER_WORKER),
                "--no-control-socket",
                "--error-logfile",
                str(self.error_log),
                "--access-logfile",
                str(self.access_log),
                "--access-logformat",
                "%(p)s %(s)s %(r)s",
            ],
            cwd=ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.url = None

    def log(self):
        return self.error_log.read_text() if self.error_log.exists() else ""

    def wait_until_ready(self, timeout=90):
        """Wait until the port is known, every worker has booted and one answers; else fail."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited:\n{self.log()}"
            log = self.log()
            listening = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log)
            if listening and log.count("Booting worker with pid") >= WORKERS:
                self.url = listening.group(1)
                try:
                    if get(f"{self.url}/robots.txt") == 200:  # not an API view: not throttled
                        return self
                except OSError:
                    pass
            time.sleep(0.1)
        pytest.fail(f"gunicorn did not answer within {timeout} s:\n{self.log()}")

    def api_workers(self):
        """The process ids of the workers that answered API requests, from the access log."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return {line.split()[0] for line in lines if "/api/" in line}

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # the master stops its workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory):
    """A SQLite file after a plain ``migrate``, copied for each server."""
    database = tmp_path_factory.mktemp("throttle") / "migrated.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=server_environment(database),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return database


def redis_answers(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["database", "redis"])
def cache_variables(request):
    """The server's cache settings: the database's cache table, or Redis under a prefix of this test's."""
    if request.param == "database":
        yield {}
        return
    if not redis_answers(REDIS_URL):
        reason = f"no Redis server answers at {REDIS_URL} (set REDIS_URL, or start redis-server)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason}; CI must have one (.ci/run starts it)")
        pytest.skip(reason)
    import redis

    prefix = f"editorial-test-{uuid.uuid4().hex}"
    try:
        yield {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)


@pytest.fixture
def start_gunicorn(migrated_database, cache_variables, tmp_path):
    """Start gunicorn (three workers) on a copy of the migrated database; every server is stopped after."""
    servers = []

    def start(**variables):
        directory = tmp_path / f"server-{len(servers)}"
        directory.mkdir()
        database = directory / "db.sqlite3"
        shutil.copyfile(migrated_database, database)
        server = Gunicorn(directory, server_environment(database, **cache_variables, **variables))
        servers.append(server)
        return server.wait_until_ready()

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


def test_migrate_creates_the_cache_table(migrated_database):
    with sqlite3.connect(migrated_database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    assert "django_cache" in tables


def test_the_limit_holds_across_workers_whatever_x_forwarded_for_says(start_gunicorn):
    server = start_gunicorn()

    statuses = [get(f"{server.url}/api/claims/", forwarded_for=random_address()) for _ in range(REQUESTS)]

    assert statuses == [200] * RATE + [429] * (REQUESTS - RATE), server.log()
    # The requests were answered by more than one worker process: one count, shared.
    assert len(server.api_workers()) > 1


def test_behind_a_trusted_proxy_each_forwarded_address_is_limited_on_its_own(start_gunicorn):
    server = start_gunicorn(TRUSTED_PROXY_COUNT="1")
    url = f"{server.url}/api/claims/"

    # The proxy appends the address it saw; whatever the client put before it is not trusted.
    first = [get(url, forwarded_for="203.0.113.1") for _ in range(RATE + 1)]
    second = [get(url, forwarded_for=f"{random_address()}, 203.0.113.2") for _ in range(RATE + 1)]
    third = [get(url, forwarded_for="203.0.113.3") for _ in range(2)]

    assert first == [200] * RATE + [429], server.log()
    assert second == [200] * RATE + [429], server.log()
    assert third == [200, 200]
    assert len(server.api_workers()) > 1


def test_without_a_trusted_proxy_the_connecting_address_is_counted(start_gunicorn):
    server = start_gunicorn(TRUSTED_PROXY_COUNT="0")
    url = f"{server.url}/api/claims/"

    statuses = [get(url, forwarded_for=f"203.0.113.{number}") for number in range(RATE + 2)]

    assert statuses == [200] * RATE + [429, 429], server.log()
