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

import heapq
import json
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator

import orjson

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
    """Return ``value`` as indented JSON (non-ASCII kept), indented to nesting ``level``.

    The text is ``json.dumps(value, ensure_ascii=False, indent=indent)`` (then indented to
    ``level``) for what exports hold: dicts with text keys, lists, text, integers, booleans, None.
    With the indent of 2 that every export uses, ``orjson`` writes it (in compiled code, as fast as
    ``COPY`` can send rows); it differs from ``json`` only for floats, which exports do not hold:
    a negative exponent is written without Python's leading zero (``1e-7``, not ``1e-07``) and a
    float that is not finite as ``null``, where ``json`` writes ``Infinity``, which no JSON parser
    reads. Anything
    ``orjson`` does not write as ``json`` would (dates, numbers keys, integers past 64 bits,
    dataclasses) goes through the general encoder below, which writes ``json``'s text or raises
    its ``TypeError``.
    """
    text = _fast_dumps(value, level) if indent == 2 else None
    if text is not None:
        return text
    parts = []
    _encode(value, "\n" + " " * (indent * level), " " * indent, parts)
    return "".join(parts)


def _fast_dumps(value, level):
    """Return ``value`` as JSON indented by 2 to ``level`` from orjson, or None where it refuses."""
    try:
        text = orjson.dumps(value, option=ORJSON_OPTIONS).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return None
    return text.replace("\n", "\n" + "  " * level) if level else text


# What orjson writes only as json would: dates and dataclasses are not written (json refuses them).
ORJSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

_encode_text = json.encoder.encode_basestring  # the C function when available, as json.dumps uses


def _scalar(value):
    """Return the JSON of a text, None, boolean or integer, else None (for ``_encode`` to recurse)."""
    kind = type(value)
    if kind is str:
        return _encode_text(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    return None


def _encode(value, newline, step, parts):
    text = _scalar(value)
    if text is not None:
        parts.append(text)
        return
    kind = type(value)
    if kind is dict and all(type(key) is str for key in value):
        if not value:
            parts.append("{}")
            return
        inner = newline + step
        separator = "{" + inner
        for key, item in value.items():
            # Most values are scalars: written here, without a call per value.
            text = _scalar(item)
            if text is not None:
                parts.append(separator + _encode_text(key) + ": " + text)
            else:
                parts.append(separator + _encode_text(key) + ": ")
                _encode(item, inner, step, parts)
            separator = "," + inner
        parts.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            parts.append("[]")
            return
        inner = newline + step
        separator = "[" + inner
        for item in value:
            text = _scalar(item)
            if text is not None:
                parts.append(separator + text)
            else:
                parts.append(separator)
                _encode(item, inner, step, parts)
            separator = "," + inner
        parts.append(newline + "]")
    else:
        # Floats, other keys, subclasses: as json writes them (or the TypeError it raises).
        text = json.dumps(value, ensure_ascii=False, indent=len(step))
        parts.append(text.replace("\n", newline))


def json_chunks(value, level=0, indent=2) -> Iterator[str]:
    """Yield ``value`` as JSON, streaming any ``Stream`` inside it (at any depth) item by item.

    The text is exactly ``json.dumps(value, ensure_ascii=False, indent=indent)`` with every
    ``Stream`` replaced by the list of its items.
    """
    if isinstance(value, Stream):
        opened = False
        item_indent = "\n" + " " * (indent * (level + 1))
        for item in value.items:
            # orjson refuses a Stream: only then is the item searched for one.
            text = _fast_dumps(item, level + 1) if indent == 2 else None
            if text is None and _holds_stream(item):
                yield ("," if opened else "[") + item_indent
                yield from json_chunks(item, level + 1, indent)
            else:
                yield ("," if opened else "[") + item_indent + (text or dumps(item, level + 1, indent))
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
        # Only a Stream or a dict can hold one (lists are written whole): the other values are skipped.
        return any(isinstance(item, (Stream, dict)) and _holds_stream(item) for item in value.values())
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


SORT_RUN = 65_536  # keys ``DocumentIds`` sorts as Python integers at a time


class DocumentIds:
    """Document ids (``c1`` …) of database keys, numbered in a given order: ``ids.get(pk)``.

    Kept as two sorted arrays of machine integers rather than a dict of strings, so that an export
    of a million claims holds megabytes, not a hundred of them.
    """

    def __init__(self, pks, prefix):
        # Sorted a run at a time and merged: a list of every key as Python integers would be the
        # largest thing an export of a million claims holds.
        runs = [array("q", sorted(pks[start : start + SORT_RUN])) for start in range(0, len(pks), SORT_RUN)]
        self.pks = array("q", heapq.merge(*runs))
        del runs
        self.numbers = array("q", bytes(8 * len(self.pks)))
        for number, pk in enumerate(pks, start=1):  # one pass, without a list of positions beside the keys
            self.numbers[bisect_left(self.pks, pk)] = number
        self.prefix = prefix

    def __len__(self):
        return len(self.pks)

    def get(self, pk):
        """Return the document id of ``pk``, or None when it is not in the export."""
        index = bisect_left(self.pks, pk)
        if index < len(self.pks) and self.pks[index] == pk:
            return f"{self.prefix}{self.numbers[index]}"
        return None

    def __contains__(self, pk):
        return self.get(pk) is not None

    def __getitem__(self, pk):
        found = self.get(pk)
        if found is None:
            raise KeyError(pk)
        return found
