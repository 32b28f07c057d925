"""Inserting many rows at once, as ``bulk_create`` does but faster on PostgreSQL (``COPY``).

Bulk writers — the creation of many sources at once (``capture.create_sources``), the claim-set
import (``editorial.claimset.bulk``), the public read model's bulk writes (``record_many``) — write
their rows through ``insert`` and their history through ``insert_history``: a fixed number of
statements per batch, whatever its size.
"""

from datetime import date, datetime
from enum import Enum
from functools import partial

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import DateField, DateTimeField, Field
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object


def insert(model, objs, *, kept=()) -> list:
    """Insert the unsaved ``objs`` of ``model`` and return them, their primary keys set, as ``bulk_create`` does.

    ``kept`` names ``auto_now_add`` fields whose values the objects already hold (a restore of
    ``created_at``): they are written as they are rather than stamped now.

    On PostgreSQL the rows go in by ``COPY``, their keys drawn from the table's sequence first:
    ``bulk_create`` there quotes every value into the SQL text in Python, which costs more than the
    database's work when an import writes millions of values. Values are prepared as
    ``bulk_create`` prepares them (``pre_save``, ``get_db_prep_save``), but for the types psycopg
    takes as they are. Other databases: ``bulk_create``.
    """
    objs = list(objs)
    if connection.vendor != "postgresql" or not objs:
        values = [[getattr(obj, name) for name in kept] for obj in objs]
        model.objects.bulk_create(objs)
        if kept and objs:  # bulk_create stamps them: one more statement per batch sets them back
            for obj, held in zip(objs, values, strict=True):
                for name, value in zip(kept, held, strict=True):
                    setattr(obj, name, value)
            model.objects.bulk_update(objs, list(kept))
        return objs
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    fields = model._meta.concrete_fields
    plan = [(field.attname, None if field.attname in kept else _saver(field), _preparer(field)) for field in fields]
    rows = []
    for obj in _with_keys(model, objs):
        row = []
        for attname, saver, prepare in plan:
            value = saver.pre_save(obj, True) if saver else getattr(obj, attname)
            row.append(value if prepare is None else prepare(value))
        rows.append(row)
        obj._state.adding, obj._state.db = False, connection.alias
    _copy(model, fields, rows)
    return objs


def insert_rows(model, columns, rows):
    """Insert ``rows`` of ``model``, each a tuple of the values of the fields ``columns`` names (by
    attribute name), without building model instances: for link tables, whose values (keys and ids)
    need no preparing, written by the ten thousand.

    ``columns`` must name every concrete field but the primary key, which the database draws.
    """
    rows = list(rows)
    concrete = {field.attname: field for field in model._meta.concrete_fields}
    missing = set(concrete) - set(columns) - {model._meta.pk.attname}
    if missing:
        raise ValueError(f"insert_rows({model._meta.label}): no value for {', '.join(sorted(missing))}")
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows])
        return
    _copy(model, [concrete[name] for name in columns], rows)


def insert_history(model, objs, *, update=False, default_user=None, default_date=None):
    """Write the history rows of ``objs`` as ``model.history.bulk_history_create`` does, by ``insert``.

    The rows are built as that method builds them (the date, the user, the change reason, the
    tracked fields), on PostgreSQL straight into ``COPY`` rows rather than through model instances.
    """
    history = model.history.model
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    fields = history._meta.concrete_fields
    tracked = [field.attname for field in history.tracked_fields]
    own = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
    plain = (
        connection.vendor == "postgresql"
        and {field.attname for field in fields} == set(tracked) | own
        and not hasattr(history, "history_relation")
        and not any(_saver(field) for field in fields)
    )
    rows = []
    for obj in objs:
        values = {
            "history_date": getattr(obj, "_history_date", default_date or timezone.now()),
            "history_user": getattr(obj, "_history_user", default_user or history.get_default_history_user(obj)),
            "history_change_reason": get_change_reason_from_object(obj) or "",
            "history_type": "~" if update else "+",
        }
        values |= {attname: getattr(obj, attname) for attname in tracked}
        rows.append(values)
    if not plain:
        instances = [history(**values) for values in rows]
        if hasattr(history, "history_relation"):
            for instance, obj in zip(instances, objs, strict=True):
                instance.history_relation_id = obj.pk
        insert(history, instances)
        return
    keys = _next_keys(history, len(rows))
    prepared = [(field.attname, _preparer(field)) for field in fields]
    copied = []
    for values, key in zip(rows, keys, strict=True):
        user = values.pop("history_user")
        values |= {"history_id": key, "history_user_id": user.pk if user is not None else None}
        copied.append(
            [values[attname] if prepare is None else prepare(values[attname]) for attname, prepare in prepared]
        )
    _copy(history, fields, copied)


# Types whose attribute value psycopg writes as ``get_db_prep_save`` would hand it over.
_AS_THEY_ARE = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "BooleanField",
}
_TEXTS = {"CharField", "TextField", "SlugField", "EmailField"}


def _saver(field):
    """Return ``field`` when its ``pre_save`` does more than read the attribute (``auto_now`` …), else ``None``."""
    if type(field).pre_save in (DateField.pre_save, DateTimeField.pre_save):
        return field if field.auto_now or field.auto_now_add else None
    return field if type(field).pre_save is not Field.pre_save else None


def _preparer(field):
    """Return what turns the field's attribute value into the value to copy; ``None`` for the value itself."""
    kind = (field.target_field if field.is_relation else field).get_internal_type()
    if kind in _AS_THEY_ARE:
        return None
    if kind in _TEXTS and not field.is_relation:
        return _text
    prepared = partial(_django_prepared, field, connections[DEFAULT_DB_ALIAS])
    if kind == "DateTimeField" and type(field).get_db_prep_save is Field.get_db_prep_save:
        return partial(_moment, prepared)
    if kind == "DateField" and type(field).get_db_prep_save is Field.get_db_prep_save:
        return partial(_day, prepared)
    return prepared


def _day(prepared, value):
    return value if value is None or type(value) is date else prepared(value)


def _moment(prepared, value):
    # An aware datetime goes as it is; Django makes a naive one aware first (with a warning).
    return value if value is None or (isinstance(value, datetime) and value.tzinfo is not None) else prepared(value)


def _text(value):
    return value.value if isinstance(value, Enum) else value  # a TextChoices member: its value, not its name


def _django_prepared(field, database, value):
    return _text(field.get_db_prep_save(value, database))


def _next_keys(model, count):
    """Return ``count`` new primary keys of ``model``, drawn from its sequence in order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [key for (key,) in cursor.fetchall()]


def _with_keys(model, objs):
    """Yield ``objs``, each without a primary key given the next of ``model``'s sequence."""
    missing = [obj for obj in objs if obj.pk is None]
    for obj, key in zip(missing, _next_keys(model, len(missing)) if missing else [], strict=True):
        obj.pk = key
    yield from objs


def _copy(model, fields, rows):
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
