"""Rows into the services' dataclasses."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from operator import itemgetter
from typing import Any, TypeVar

T = TypeVar("T")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


@functools.cache
def _getter(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    names = _field_names(cls)
    get = itemgetter(*names)
    return (lambda mapping: (get(mapping),)) if len(names) == 1 else get


def fields_of(cls: type, row: Any) -> dict[str, Any]:
    """The row's values for the dataclass ``cls``'s fields (named as the columns)."""
    return dict(zip(_field_names(cls), _getter(cls)(row._mapping), strict=True))


def from_row(cls: type[T], row: Any) -> T:
    # Positional, in the order of the fields: this runs for every row a request loads.
    kind: type = cls
    return cls(*_getter(kind)(row._mapping))
