"""Writing a web capture as a WARC file (ISO 28500, the web-archiving standard) with warcio.

``warc_bytes(fetched, ...)`` returns one gzipped WARC 1.1 file holding, in order:

- ``warcinfo``: the software, the format and the User-Agent the capture sent;
- for every redirect followed, a ``response`` record with the redirect's status and headers;
- the final ``request`` (method, path and headers as sent) and its ``response`` (status, headers and
  the body), linked by ``WARC-Concurrent-To``; ``WARC-IP-Address`` names the server's address;
- a ``metadata`` record (``application/warc-fields``): the address asked for, the final one, the
  canonical address the page declares and the redirect chain.

The body is stored decoded (Content-Encoding and Transfer-Encoding are dropped from the stored
headers, and Content-Length set to the decoded size), so that a player replays it as it reads it.
"""

import io
import json

import httpx
from django.conf import settings
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from sources.services.fetch import Fetched

SOFTWARE = "editorial platform web capture (warcio)"


def _fields(pairs):
    """Return ``application/warc-fields`` text: one ``Name: value`` line per pair."""
    return "".join(f"{name}: {' '.join(str(value).split())}\r\n" for name, value in pairs).encode("utf-8")


def warc_bytes(fetched: Fetched, *, filename: str, canonical_url: str = "") -> bytes:
    """Return the gzipped WARC file of ``fetched`` (see the module docstring)."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    info = {
        "software": SOFTWARE,
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "http-header-user-agent": settings.CAPTURE_USER_AGENT,
    }
    writer.write_record(writer.create_warcinfo_record(filename, info))

    date = fetched.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    for hop in fetched.redirects:
        status = StatusAndHeaders(f"{hop['status']} Redirect", hop["headers"], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            hop["url"],
            "response",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=status,
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_record(record)

    target = httpx_path(fetched.final_url)
    request_headers = StatusAndHeaders(
        f"GET {target} HTTP/1.1", fetched.request_headers, protocol="", is_http_request=True
    )
    response_headers = StatusAndHeaders(
        f"{fetched.status} {fetched.reason}".strip(),
        [*fetched.headers, ("Content-Length", str(len(fetched.body)))],
        protocol=_protocol(fetched.http_version),
    )
    response = writer.create_warc_record(
        fetched.final_url,
        "response",
        payload=io.BytesIO(fetched.body),
        length=len(fetched.body),
        http_headers=response_headers,
        warc_headers_dict={"WARC-Date": date, "WARC-IP-Address": fetched.ip_address},
    )
    request = writer.create_warc_record(
        fetched.final_url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=request_headers,
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_request_response_pair(request, response)

    metadata = [("requested-url", fetched.requested_url), ("final-url", fetched.final_url)]
    if canonical_url:
        metadata.append(("canonical-url", canonical_url))
    metadata.append(
        ("redirects", json.dumps([{k: hop[k] for k in ("url", "status", "location")} for hop in fetched.redirects]))
    )
    record = writer.create_warc_record(
        fetched.final_url,
        "metadata",
        payload=io.BytesIO(_fields(metadata)),
        warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")},
    )
    writer.write_record(record)
    return out.getvalue()


def httpx_path(url: str) -> str:
    """Return the request target of ``url``: its path and query."""
    return httpx.URL(url).raw_path.decode("ascii")


def _protocol(http_version: str) -> str:
    return http_version if http_version.startswith("HTTP/") else "HTTP/1.1"
