"""The claim-set JSON Schema (``schema.json``, draft 2020-12) and its errors in our words.

``schema_problems(document)`` validates a document against the schema and describes each error
as the importer reports problems: at a JSON path (``$.claims[3].citations[0].start``), with a
message of our own made from the error's keyword (``missing``, ``must be a whole number, not a
string``, ``unknown status “approved”; statuses: …``). ``validate.py`` reports them in document
order, among the checks the schema cannot express.

A document is first checked by a compiled validator (``jsonschema_rs``), whole: only when that one
refuses it does the Python validator walk it to find and describe each error. The compiled one is
never more lenient than the Python one: its patterns spell out the whitespace Python's ``\\s``
means (Rust's also takes U+FEFF), and a document holding any fraction number is left to the Python
validator (the compiled one counts 1.0 as an integer, which the schema here refuses).
"""

import json
from pathlib import Path

import jsonschema_rs
from jsonschema import Draft202012Validator, validators

from editorial.anchoring import AnchorState
from editorial.exports.claimset import FORMAT, FULL_FORMAT
from editorial.models import ClaimStatus, ModerationEvent, RelationKind, SpeakerKind, Verdict
from sources.textutils import shown

SCHEMA_PATH = Path(__file__).with_name("schema.json")
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _is_whole_number(checker, instance):
    # JSON Schema counts 1.0 as an integer. A revision number or an offset written 1.0 is refused
    # instead: Python would not index a text with it.
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_whole_number),
)
_VALIDATOR = _Validator(SCHEMA)  # formats are annotations: validate.py checks them

# For ``\s`` in the compiled validator's patterns: spaces Python's ``\s`` matches too. Its own ``\s``
# also matches U+FEFF, which Python's does not; a document with a space left out here (U+00A0 …) is
# refused by the compiled validator and so decided by the Python one.
_PYTHON_SPACES = r"[\t\n\x0B\x0C\r ]"


def _strict(node):
    """Return the schema ``node`` with each pattern's ``\\s`` written as ``_PYTHON_SPACES``."""
    if isinstance(node, dict):
        return {
            key: value.replace(r"\s", _PYTHON_SPACES) if key == "pattern" else _strict(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_strict(value) for value in node]
    return node


_COMPILED = jsonschema_rs.validator_for(_strict(SCHEMA), validate_formats=False)

_KINDS = {"string": "a string", "number": "a number", "integer": "a whole number", "array": "a list"}
_KINDS |= {"object": "an object", "null": "null"}
_ENUMS = {  # property → (what it is, what they are, the values the models know)
    "status": ("status", "statuses", ClaimStatus.values),
    "from_status": ("status", "statuses", ClaimStatus.values),
    "to_status": ("status", "statuses", ClaimStatus.values),
    "verdict": ("verdict", "verdicts", Verdict.values),
    "kind": ("relation", "relations", RelationKind.values),
    "action": ("moderation action", "actions", ModerationEvent.Action.values),
    "originals": ("value", "values", ["included", "omitted"]),
    "state": ("anchor state", "anchor states", AnchorState.values),
}
FORMATS = (FORMAT, FULL_FORMAT)


def _kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    return {str: "a string", int: "a number", float: "a number", list: "a list", dict: "an object"}[type(value)]


def _json_path(parts):
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts)


def _formats():
    return " or ".join(f"“{name}”" for name in FORMATS)


def _missing(key):
    return f"must be {_formats()}, found missing" if key == "format" else "missing"


def _described(error):
    """Yield ``(path, is_about_the_type, message)`` for a schema error, in our words."""
    parts, value, keyword = list(error.absolute_path), error.instance, error.validator
    path, name = _json_path(parts), next((part for part in reversed(parts) if isinstance(part, str)), "")
    is_tag = len(parts) >= 2 and isinstance(parts[-1], int) and parts[-2] == "tags"
    if keyword == "required":
        for key in error.validator_value:
            if key not in value:
                yield f"{path}.{key}", True, _missing(key)
    elif keyword == "type":
        types = [error.validator_value] if isinstance(error.validator_value, str) else error.validator_value
        if not parts:
            yield path, True, f"the document must be a JSON object, not {_kind(value)}"
        elif is_tag:
            yield path, True, "must be a non-empty string"
        elif value is None and isinstance(parts[-1], str):
            yield path, True, "missing"  # a required key that is null
        else:
            # Null is named where it means something (no claim set), not where it stands for absent.
            names = [_KINDS[kind] for kind in types if kind != "null" or "object" in types]
            yield path, True, f"must be {' or '.join(names)}, not {_kind(value)}"
    elif keyword == "const":
        found = "missing" if value is None else f"“{shown(value)}”" if isinstance(value, str) else _kind(value)
        yield path, False, f"must be “{error.validator_value}”, found {found}"
    elif keyword == "enum" and name == "format" and len(parts) == 1:
        found = f"“{shown(value)}”" if isinstance(value, str) else _kind(value)
        yield path, False, f"must be {_formats()}, found {found}"
    elif keyword == "enum" and name == "kind" and parts[0] == "speakers":
        yield path, False, f"unknown speaker kind “{shown(value)}”; kinds: {', '.join(SpeakerKind.values)}"
    elif keyword == "enum" and name in _ENUMS:
        noun, plural, values = _ENUMS[name]
        yield path, False, f"unknown {noun} “{shown(value)}”; {plural}: {', '.join(values)}"
    elif name == "slug":
        yield path, False, f"“{shown(value.strip())}” is not a slug (letters, digits, - and _)"
    elif name == "original":
        yield path, False, "is not base64 (RFC 4648, with its padding)"
    elif name == "sha256":
        yield path, False, "must be 64 lower-case hexadecimal digits"
    elif keyword == "minimum":
        yield path, False, f"must be {error.validator_value} or more, not {shown(value)}"
    else:  # a keyword the schema gained without a message here
        yield path, False, shown(error.message, 200)


def schema_problems(document) -> dict[str, list[tuple[bool, str]]]:
    """Return the schema's problems with ``document`` by the value they concern, in our words.

    ``{JSON path: [(is_about_the_type, message), …]}``; where a value is missing or has the wrong
    type, that is its only problem.
    """
    return {} if _compiled_accepts(document) else described_problems(document)


def described_problems(document) -> dict[str, list[tuple[bool, str]]]:
    """Return what ``schema_problems`` does, from the Python validator alone (the compiled one not asked)."""
    found = {}
    for error in _VALIDATOR.iter_errors(document):
        for path, about_type, message in _described(error):
            problems = found.setdefault(path, [])
            if (about_type, message) not in problems:
                problems.append((about_type, message))
    for path, problems in found.items():
        if any(about_type for about_type, _ in problems):
            found[path] = [entry for entry in problems if entry[0]]
    return found


def _compiled_accepts(document) -> bool:
    """Return True when the compiled validator accepts ``document`` and the Python one would too."""
    try:
        if not _COMPILED.is_valid(document):
            return False
    except ValueError:  # not JSON's kind of value (a parsed document always is)
        return False
    return not _holds_a_fraction(document)


def _holds_a_fraction(document) -> bool:
    """Return True when ``document`` holds a float anywhere (an id may be one; 1.0 is not an integer here)."""
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            if isinstance(node, float):
                return True
            continue
        for value in node:
            if isinstance(value, dict | list):
                pending.append(value)
            elif isinstance(value, float):
                return True
    return False
