"""Pieces every exporter shares: the streaming interface, streamed JSON, and buffering.

An exporter module has ``NAME``, ``MEDIA_TYPE``, ``EXTENSION``, ``LABEL`` and two functions:

* ``iter_chunks(claims, **options) -> Iterator[str]`` yields the document piece by piece. It is a
  generator, so a ``StreamingHttpResponse`` can send it as it is produced;
* ``write(claims, out, **options)`` writes the same text to a text stream (a file, stdout), built
  on ``iter_chunks`` with ``write_chunks``.

Both read ``claims`` (a ``Claim`` queryset, in its order) in chunks (``records.claim_chunks``), so
memory stays bounded by the chunk size. Options every exporter takes: ``version`` (``"public"``:
approved public versions, the default; ``"live"``: stored fields), ``base_url`` (for absolute
links; default ``SITE_URL``), ``claim_set`` (titles the document) and ``chunk_size``.
"""

import json
from collections.abc import Iterable, Iterator

BUFFER_SIZE = 64 * 1024  # characters per chunk handed to the response


def write_chunks(chunks: Iterable[str], out) -> None:
    """Write ``chunks`` to the text stream ``out``."""
    for chunk in chunks:
        out.write(chunk)


def buffered(chunks: Iterable[str], size: int = BUFFER_SIZE) -> Iterator[str]:
    """Yield ``chunks`` joined into pieces of about ``size`` characters (fewer, larger writes)."""
    pending, length = [], 0
    for chunk in chunks:
        pending.append(chunk)
        length += len(chunk)
        if length >= size:
            yield "".join(pending)
            pending, length = [], 0
    if pending:
        yield "".join(pending)


class Stream:
    """An iterable to be written as a JSON array, item by item, by ``json_chunks``."""

    def __init__(self, items: Iterable):
        self.items = items


def dumps(value, level=0, indent=2):
    """Return ``value`` as indented JSON (non-ASCII kept), indented to nesting ``level``."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    # JSON strings never hold a raw newline, so every newline here is layout.
    return text.replace("\n", "\n" + " " * (indent * level)) if level else text


def json_chunks(value, level=0, indent=2) -> Iterator[str]:
    """Yield ``value`` as JSON, streaming any ``Stream`` inside it (at any depth) item by item.

    The text is exactly ``json.dumps(value, ensure_ascii=False, indent=indent)`` with every
    ``Stream`` replaced by the list of its items.
    """
    if isinstance(value, Stream):
        opened = False
        for item in value.items:
            yield ("[" if not opened else ",") + "\n" + " " * (indent * (level + 1))
            yield from json_chunks(item, level + 1, indent)
            opened = True
        yield ("\n" + " " * (indent * level) + "]") if opened else "[]"
    elif isinstance(value, dict) and _holds_stream(value):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ("," if index else "") + "\n" + " " * (indent * (level + 1)) + json.dumps(key) + ": "
            yield from json_chunks(item, level + 1, indent)
        yield "\n" + " " * (indent * level) + "}"
    else:
        yield dumps(value, level, indent)


def _holds_stream(value):
    if isinstance(value, Stream):
        return True
    if isinstance(value, dict):
        return any(_holds_stream(item) for item in value.values())
    return False


def compact(data):
    """Drop empty values (None, "", [], {}) from nested dicts and lists: state only what is known."""
    if isinstance(data, dict):
        cleaned = {key: compact(value) for key, value in data.items()}
        return {key: value for key, value in cleaned.items() if value not in (None, "", [], {})}
    if isinstance(data, list):
        cleaned = [compact(item) for item in data]
        return [item for item in cleaned if item not in (None, "", [], {})]
    return data
