"""A local web server for the capture and watch tests, on 127.0.0.1 with an ephemeral port.

Tests set what each path answers (``site.page(...)``, ``site.redirect(...)``, ``site.status(...)``)
and change it between fetches; every request is logged in ``site.requests`` with its headers.
"""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    etag: str = ""
    delay: float = 0.0  # seconds before answering
    stream: int = 0  # send this many bytes in chunks, without a Content-Length


def article(title, *paragraphs, canonical="", updated=""):
    """Return an article page's HTML bytes."""
    head = f"<title>{title}</title>"
    if canonical:
        head += f'<link rel="canonical" href="{canonical}">'
    if updated:
        head += f'<meta property="article:modified_time" content="{updated}">'
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{head}</head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


class Site:
    def __init__(self):
        self.answers: dict[str, Answer] = {}
        self.fallback = Answer(status=404, body=b"not here")  # for a path without an answer
        self.requests: list[tuple[str, dict]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                site.requests.append((self.path, dict(self.headers)))
                answer = site.answers.get(self.path, site.fallback)
                if answer.delay:
                    time.sleep(answer.delay)
                if answer.etag and self.headers.get("If-None-Match") == answer.etag:
                    self.send_response(304)
                    self.send_header("ETag", answer.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.etag:
                    self.send_header("ETag", answer.etag)
                if answer.stream:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    chunk = b"<p>" + b"x" * 65530 + b"</p>"
                    try:
                        for _ in range(answer.stream // len(chunk) + 1):
                            self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path):
        return self.base + path

    def page(self, path, body, content_type="text/html; charset=utf-8", **options):
        headers = {"Content-Type": content_type} | options.pop("headers", {})
        self.answers[path] = Answer(body=body, headers=headers, **options)
        return self.url(path)

    def redirect(self, path, location, status=302):
        self.answers[path] = Answer(status=status, headers={"Location": location})
        return self.url(path)

    def status(self, path, status):
        self.answers[path] = Answer(status=status, body=b"gone", headers={"Content-Type": "text/plain"})
        return self.url(path)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
