"""Model instances from hand-written SQL, for the few reads on the hottest request paths.

Building a query through the ORM costs about 0.4–0.7 ms of CPU (filters, joins, compiling)
for a round trip the database answers in a tenth of that; on a checkout that runs a dozen
reads this was most of the request. These helpers keep what the ORM does with the *rows* —
the same columns, the backend's value converters (decimals, booleans and datetimes on
SQLite), ``Model.from_db`` — and only skip building the SQL, which is cached per model.
The SQL they write uses nothing vendor specific beyond ``connection.ops.quote_name``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


@cache
def _columns(model: type[models.Model], vendor: str) -> tuple[str, list[str], list[tuple[int, list, Any]]]:
    """``(quoted table, quoted columns, [(index, converters)])`` of the model's concrete fields."""
    qn = connection.ops.quote_name
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    columns = [f"{qn(table)}.{qn(f.column)}" for f in fields]
    converters = []
    for index, field in enumerate(fields):
        col = field.get_col(table)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((index, found, col))
    return qn(table), columns, converters


def table(model: type[models.Model]) -> str:
    """The model's quoted table name."""
    return _columns(model, connection.vendor)[0]


def columns(model: type[models.Model]) -> str:
    """The model's columns, qualified with its table, for a ``SELECT`` list."""
    return ", ".join(_columns(model, connection.vendor)[1])


def width(model: type[models.Model]) -> int:
    return len(model._meta.concrete_fields)


def instance(model: type[M], values: Sequence[Any]) -> M:
    """A model instance from a row slice in ``columns(model)`` order, converted as the ORM would."""
    _, _, converters = _columns(model, connection.vendor)
    if converters:
        values = list(values)
        for index, found, col in converters:
            value = values[index]
            for converter in found:
                value = converter(value, col, connection)
            values[index] = value
    return model.from_db(connection.alias, None, values)


def placeholders(values: Sequence[Any]) -> str:
    """``%s, %s, …`` for an ``IN (…)`` list (never empty: callers skip the query then)."""
    return ", ".join(["%s"] * len(values))


def fetch(sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def select(
    model: type[M], where: str, params: Sequence[Any], *, order_by: str = "", suffix: str = ""
) -> list[M]:
    """``SELECT <all columns of model> FROM <its table> WHERE <where> [ORDER BY …] [suffix]``."""
    sql = f"SELECT {columns(model)} FROM {table(model)} WHERE {where}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    if suffix:
        sql += f" {suffix}"
    return [instance(model, row) for row in fetch(sql, params)]


def set_related(obj: models.Model, name: str, value: models.Model | None) -> None:
    """What ``select_related(name)`` leaves on ``obj``: the related object, cached."""
    obj._meta.get_field(name).set_cached_value(obj, value)


def insert(objs: Sequence[models.Model]) -> None:
    """``bulk_create`` of unsaved instances of one model with an auto primary key, in one
    ``INSERT … RETURNING id``; sets their primary keys. Values go through ``pre_save`` and
    ``get_db_prep_save`` as in the ORM; like ``bulk_create`` it sends no signals."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    qn = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {table(model)} ({', '.join(qn(f.column) for f in fields)})"
        f" VALUES {', '.join([row] * len(objs))} RETURNING {qn(meta.pk.column)}"
    )
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    for obj, (pk,) in zip(objs, fetch(sql, params), strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_new(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *, unique: Sequence[str]
) -> int:
    """``bulk_create(ignore_conflicts=True)`` of plain rows, answering how many it inserted:
    ``INSERT … (<fields>) VALUES … ON CONFLICT (<unique fields>) DO NOTHING``, in batches the backend
    takes. ``rows`` hold the values as the database takes them (ids, texts: what needs no conversion),
    in ``fields`` order; the other columns take their database defaults. A row whose ``unique`` values
    another row has is skipped (one another transaction is inserting is waited for, and skipped once that
    commits). Unlike SQLite's ``INSERT OR IGNORE`` (the ORM's), a row another constraint refuses is an
    ``IntegrityError``. Building model instances and converting each value cost more than the insert
    of a generation's claims itself (``vouchers.services.code_texts``)."""
    if not rows:
        return 0
    meta = model._meta
    qn = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    target = ", ".join(qn(meta.get_field(name).column) for name in unique)
    head = f"INSERT INTO {table(model)} ({', '.join(qn(f.column) for f in columns)}) VALUES "
    row = f"({', '.join(['%s'] * len(columns))})"
    inserted = 0
    size = connection.ops.bulk_batch_size(columns, rows) or len(rows)
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        sql = f"{head}{', '.join([row] * len(batch))} ON CONFLICT ({target}) DO NOTHING"
        inserted += execute(sql, [value for values in batch for value in values])
    return inserted


def execute(sql: str, params: Sequence[Any]) -> int:
    """Run a statement without a result (``UPDATE`` …); the number of rows it changed."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
