"""Politeness towards the sites captured and watched: their robots.txt, and a pause between requests.

A ``Politeness`` lives for one capture or one watch pass and is shared by its fetching threads:

- ``refusal(url)`` says why a site's ``/robots.txt`` forbids fetching ``url`` to the
  ``CAPTURE_USER_AGENT`` ("disallowed by robots.txt"), or ``""``. The file is fetched once per host
  (scheme, host and port) with ``fetch`` — the same client, size limit, redirect rule and address
  guard as a page — and read with ``urllib.robotparser``. As RFC 9309 asks, a ``4xx`` answer (no
  file) allows everything and a ``5xx`` one forbids everything; a file that cannot be fetched at
  all (a refused address, no answer) decides nothing, and the page's own fetch, which meets the
  same problem, reports it. ``CAPTURE_OBEY_ROBOTS`` off skips it all.
- ``pace(url)`` waits, when needed, so that two requests to one host start at least ``interval``
  seconds apart (``CAPTURE_PER_HOST_INTERVAL`` in a watch pass); threads fetching from one host
  take turns, those fetching from other hosts do not wait for them.
"""

import threading
import time
from urllib.robotparser import RobotFileParser

import httpx
from django.conf import settings

from sources.services.fetch import CaptureRefused, fetch

DISALLOWED = "disallowed by robots.txt"


def _host(url: httpx.URL) -> tuple:
    return (url.scheme, url.host, url.port)


class Politeness:
    """robots.txt rules and request times per host, for one capture or one watch pass."""

    def __init__(self, *, client: httpx.Client | None = None, interval: float = 0.0):
        self.client = client
        self.interval = interval
        self._lock = threading.Lock()  # guards the two dicts of per-host locks
        self._rules_locks: dict[tuple, threading.Lock] = {}
        self._pace_locks: dict[tuple, threading.Lock] = {}
        self._rules: dict[tuple, RobotFileParser | None] = {}
        self._last_request: dict[tuple, float] = {}

    def _host_lock(self, locks, host):
        with self._lock:
            return locks.setdefault(host, threading.Lock())

    def pace(self, url: str) -> None:
        """Wait until ``interval`` seconds have passed since the last request to ``url``'s host began."""
        if self.interval <= 0:
            return
        try:
            host = _host(httpx.URL(url))
        except (httpx.InvalidURL, TypeError):
            return  # fetch refuses it without a request
        with self._host_lock(self._pace_locks, host):
            wait = self._last_request.get(host, float("-inf")) + self.interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_request[host] = time.monotonic()

    def refusal(self, url: str) -> str:
        """Return ``DISALLOWED`` when the site's robots.txt forbids fetching ``url``, else ``""``."""
        if not settings.CAPTURE_OBEY_ROBOTS:
            return ""
        try:
            parsed = httpx.URL(url.strip())
        except (httpx.InvalidURL, TypeError):
            return ""
        if parsed.scheme not in {"http", "https"} or not parsed.host:
            return ""  # fetch refuses it, saying why
        host = _host(parsed)
        with self._host_lock(self._rules_locks, host):
            if host not in self._rules:
                self._rules[host] = self._read_rules(parsed.copy_with(path="/robots.txt", query=None, fragment=None))
            rules = self._rules[host]
        if rules is None or rules.can_fetch(settings.CAPTURE_USER_AGENT, str(parsed)):
            return ""
        return getattr(rules, "refusal", DISALLOWED)

    def _read_rules(self, robots_url: httpx.URL) -> RobotFileParser | None:
        """Fetch and read a site's robots.txt; None when it could not be fetched (nothing decided)."""
        self.pace(str(robots_url))
        try:
            fetched = fetch(str(robots_url), client=self.client, any_type=True)
        except CaptureRefused:
            return None
        rules = RobotFileParser(str(robots_url))
        if fetched.status == 200:
            rules.parse(fetched.body.decode("utf-8", errors="replace").splitlines())
        elif 400 <= fetched.status < 500:
            rules.allow_all = True
        else:  # 5xx (or a status robots.txt should not have): the site may be in trouble; leave it be
            rules.disallow_all = True
            rules.refusal = f"{DISALLOWED}: it answered {fetched.status} {fetched.reason}".strip()
        return rules
