"""Fetching a page from the web, safely: the HTTP half of a web capture.

``fetch(url)`` asks for one address with httpx and returns a ``Fetched`` response, following
redirects itself so that every hop is checked, or raises ``CaptureRefused`` saying why not:

- only ``http`` and ``https`` addresses;
- a host must resolve to public addresses only — loopback, private, link-local, shared,
  reserved, multicast and unspecified ones are refused unless ``CAPTURE_ALLOW_PRIVATE_ADDRESSES``
  is on — checked for the first address and again after every redirect; the connection goes to
  the address that was checked (the URL's host is kept for ``Host`` and TLS), so a name that
  resolves differently a moment later (DNS rebinding) cannot lead past the check;
- at most ``CAPTURE_MAX_REDIRECTS`` redirects, ``CAPTURE_TIMEOUT`` seconds in all;
- a body of at most ``CAPTURE_MAX_BYTES`` (after content decoding, so a compressed bomb stops
  too), read as it streams: reading stops at the limit;
- a content type that an importer reads (``FORMAT_OF_TYPE``); a PDF or an image is refused
  before its body is read.

Only a final ``200`` response carries a body; ``304``, ``404``, ``410`` and other statuses come back
without one, for the caller to decide (a watch check reads them as unchanged or gone).
"""

import contextlib
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message

import httpx
from django.conf import settings
from django.utils import timezone

from sources.services.imports import format_size
from sources.textutils import shown

# Content types read, and the importer that reads each.
FORMAT_OF_TYPE = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
DRAIN_BYTES = 64 * 1024  # the most of a body read only to keep its connection


class CaptureRefused(Exception):
    """An address or a response a capture will not take; the message says why."""


@dataclass
class Fetched:
    """What one fetch got: the final response, and how it got there."""

    requested_url: str
    final_url: str
    status: int
    reason: str
    http_version: str
    headers: list[tuple[str, str]]  # as sent, Content-Encoding and Transfer-Encoding removed with a body
    request_headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime
    ip_address: str
    redirects: list[dict] = field(default_factory=list)  # {"url", "status", "location", "headers"} per hop

    def header(self, name: str) -> str:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), "")

    @property
    def content_type(self) -> str:
        return self.header("content-type")

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    @property
    def charset(self) -> str:
        message = Message()
        message["content-type"] = self.content_type
        return message.get_param("charset") or ""

    @property
    def format(self) -> str:
        return FORMAT_OF_TYPE.get(self.media_type, "")


def _not_public(address) -> str:
    """Return what kind of non-public address ``address`` is ("loopback", "private" …), or ``""``."""
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return "" if address.is_global else "reserved"


def check_address(url: httpx.URL) -> str:
    """Return the address to connect to for ``url``, or raise ``CaptureRefused`` for one a capture may not reach."""
    if url.scheme not in {"http", "https"}:
        raise CaptureRefused(f"only http and https addresses can be captured, not “{shown(url.scheme, 20)}:”")
    if not url.host:
        raise CaptureRefused("the address names no host")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(url.raw_host.decode("ascii"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise CaptureRefused(f"the host “{shown(url.host, 100)}” cannot be found") from None
    addresses = sorted({ipaddress.ip_address(info[4][0].split("%")[0]) for info in found}, key=str)
    if not settings.CAPTURE_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if kind := _not_public(address):
                raise CaptureRefused(
                    f"{shown(url.host, 100)} is at {address}, a {kind} address; captures reach public addresses only"
                )
    return str(addresses[0])


def _decoded_headers(response):
    """Return the response's headers as a WARC stores a decoded body: no transfer or content encoding."""
    dropped = {"content-encoding", "transfer-encoding", "content-length"}
    return [(key, value) for key, value in response.headers.multi_items() if key.lower() not in dropped]


def _read_body(response, deadline):
    limit = settings.CAPTURE_MAX_BYTES
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise CaptureRefused(f"the page is {format_size(int(declared))}, over the {format_size(limit)} capture limit")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise CaptureRefused(f"the page is over the {format_size(limit)} capture limit; reading stopped")
        if time.monotonic() > deadline:
            raise CaptureRefused(f"the page took longer than {settings.CAPTURE_TIMEOUT:g} seconds to arrive")
        chunks.append(chunk)
    return b"".join(chunks)


def _drain(response, limit=DRAIN_BYTES):
    """Read and drop a short body (a 304's, a 404 page) so that the connection can serve the next request.

    An unread body makes the client close the connection; a longer one than ``limit`` is left unread.
    """
    size = 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > limit:
            break


def _refuse_type(response):
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in FORMAT_OF_TYPE:
        return
    if media_type == "application/pdf":
        raise CaptureRefused(
            "the address serves a PDF document (application/pdf); only web pages and text are captured"
        )
    if media_type.startswith(("image/", "video/", "audio/")):
        kind = media_type.split("/")[0]
        raise CaptureRefused(
            f"the address serves an {kind} ({media_type}), not a page"
            if kind == "image"
            else f"the address serves {kind} ({media_type}), not a page"
        )
    named = f"“{shown(media_type, 60)}”" if media_type else "no content type"
    raise CaptureRefused(f"the address serves {named}; captured are HTML pages, plain text and Markdown")


def fetch(
    url: str, *, etag: str = "", last_modified: str = "", client: httpx.Client | None = None, any_type: bool = False
) -> Fetched:
    """Fetch ``url`` and return the final response; raise ``CaptureRefused`` for what a capture refuses.

    ``etag`` and ``last_modified`` make the request conditional (``If-None-Match``,
    ``If-Modified-Since``): an unchanged page answers ``304`` without a body. ``any_type`` reads a
    body of any content type (a robots.txt file, whatever the server calls it).
    """
    try:
        current = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError):
        raise CaptureRefused("not a valid address") from None
    deadline = time.monotonic() + settings.CAPTURE_TIMEOUT
    own_client = client is None
    client = client or httpx.Client(timeout=settings.CAPTURE_TIMEOUT, follow_redirects=False, trust_env=False)
    redirects = []
    try:
        while True:
            address = check_address(current)
            headers = {
                "Host": current.netloc.decode("ascii"),
                "User-Agent": settings.CAPTURE_USER_AGENT,
                "Accept": "text/html, application/xhtml+xml, text/plain;q=0.9, text/markdown;q=0.9",
                "Accept-Encoding": "gzip, deflate",
            }
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            pinned = current.copy_with(host=address)
            extensions = {"sni_hostname": current.raw_host.decode("ascii")} if current.scheme == "https" else {}
            remaining = max(deadline - time.monotonic(), 0.1)
            request = client.build_request(
                "GET", pinned, headers=headers, extensions=extensions, timeout=min(settings.CAPTURE_TIMEOUT, remaining)
            )
            response = client.send(request, stream=True)
            with contextlib.closing(response):
                location = response.headers.get("location", "")
                if response.status_code in REDIRECT_STATUSES and location:
                    if len(redirects) >= settings.CAPTURE_MAX_REDIRECTS:
                        raise CaptureRefused(f"more than {settings.CAPTURE_MAX_REDIRECTS} redirects")
                    hop = {"url": str(current), "status": response.status_code, "location": location}
                    redirects.append({**hop, "headers": list(response.headers.multi_items())})
                    _drain(response)
                    try:
                        current = current.join(location)
                    except httpx.InvalidURL:
                        raise CaptureRefused(f"a redirect to an invalid address: {shown(location, 100)}") from None
                    continue
                body = b""
                if response.status_code == 200:
                    if not any_type:
                        _refuse_type(response)
                    body = _read_body(response, deadline)
                else:
                    _drain(response)
                return Fetched(
                    requested_url=url.strip(),
                    final_url=str(current),
                    status=response.status_code,
                    reason=response.reason_phrase,
                    http_version=response.http_version,
                    headers=_decoded_headers(response) if body else list(response.headers.multi_items()),
                    request_headers=list(request.headers.multi_items()),
                    body=body,
                    fetched_at=timezone.now(),
                    ip_address=address,
                    redirects=redirects,
                )
    except httpx.TimeoutException:
        raise CaptureRefused(f"no answer within {settings.CAPTURE_TIMEOUT:g} seconds") from None
    except httpx.HTTPError as error:
        raise CaptureRefused(f"the request failed ({type(error).__name__}: {shown(str(error), 200)})") from None
    finally:
        if own_client:
            client.close()
