"""Rows into the services' dataclasses."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, TypeVar

T = TypeVar("T")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


def _tuple_getter(items: Sequence[Any]) -> Callable[[Any], tuple[Any, ...]]:
    # itemgetter of one item returns the value itself, not a 1-tuple.
    get = itemgetter(*items)
    return (lambda source: (get(source),)) if len(items) == 1 else get


@functools.cache
def _getter(cls: type, prefix: str) -> Callable[[Any], tuple[Any, ...]]:
    return _tuple_getter([prefix + name for name in _field_names(cls)])


@functools.cache
def _positional_getter(cls: type, keys: tuple[str, ...], prefix: str) -> Callable[[Any], tuple[Any, ...]]:
    return _tuple_getter([keys.index(prefix + name) for name in _field_names(cls)])


def _values(cls: type, row: Any, prefix: str) -> tuple[Any, ...]:
    # Rows of prepared statements on SQLite carry their column names: read them by position.
    keys = getattr(row, "_keys", None)
    if keys is not None:
        return _positional_getter(cls, keys, prefix)(row)
    return _getter(cls, prefix)(row._mapping)


def fields_of(cls: type, row: Any, prefix: str = "") -> dict[str, Any]:
    """The row's values for the dataclass ``cls``'s fields (named as the columns, after ``prefix``
    in a row that holds several tables' columns)."""
    return dict(zip(_field_names(cls), _values(cls, row, prefix), strict=True))


_new = object.__new__
_set = object.__setattr__


def build(cls: type[T], values: dict[str, Any]) -> T:
    """An instance of the dataclass ``cls`` from the values of all its fields, without its
    ``__init__``: a frozen dataclass's ``__init__`` sets every field through
    ``object.__setattr__``, which costs more than reading the row (this runs for every row a
    request loads)."""
    instance = _new(cls)
    _set(instance, "__dict__", values)
    return instance


def from_row(cls: type[T], row: Any, prefix: str = "") -> T:
    return build(cls, fields_of(cls, row, prefix))
