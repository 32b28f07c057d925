"""Validators for the export tests, built from the schemas copied next to this file (see README.md)."""

import datetime
import functools
import json
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

HERE = Path(__file__).resolve().parent
W3C = HERE / "w3c-web-annotation"
CSL_DATA = HERE / "csl-json" / "csl-data.json"


def _load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


# jsonschema checks "date-time" and "uri" only with optional packages; these do it without them.
format_checker = FormatChecker(formats=())


@format_checker.checks("date-time", raises=ValueError)
def _is_date_time(value):
    if not isinstance(value, str):
        return True
    if "T" not in value or datetime.datetime.fromisoformat(value).tzinfo is None:
        raise ValueError(f"{value!r} is not an RFC 3339 date-time with a zone")
    return True


@format_checker.checks("uri", raises=ValueError)
def _is_uri(value):
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    if not parts.scheme or any(character.isspace() for character in value):
        raise ValueError(f"{value!r} is not an absolute URI")
    return True


@functools.cache
def w3c_registry():
    registry = Registry()
    for path in (W3C / "definitions").glob("*.json"):
        schema = _load(path)
        registry = registry.with_resource(schema["id"], Resource.from_contents(schema, default_specification=DRAFT4))
    return registry


@functools.cache
def w3c_must_validators():
    """Return ``[(assertion path, expected valid, validator, error message)]`` for the 54 MUST assertions."""
    manifest = _load(W3C / "annotations" / "annotationMusts.test")
    validators = []
    for assertion in manifest["assertions"]:
        schema = _load(W3C / assertion)
        validator = Draft4Validator(schema, registry=w3c_registry(), format_checker=format_checker)
        validators.append((assertion, schema["expectedResult"] == "valid", validator, schema["errorMessage"]))
    return validators


def failed_w3c_musts(annotation):
    """Return the MUST assertions ``annotation`` fails, as ``[(assertion, message)]``; [] when it passes all."""
    return [
        (assertion, message)
        for assertion, expected, validator, message in w3c_must_validators()
        if validator.is_valid(annotation) != expected
    ]


@functools.cache
def csl_validator():
    return Draft7Validator(_load(CSL_DATA), format_checker=format_checker)
