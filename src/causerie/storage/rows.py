"""Rows into the services' dataclasses."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, TypeVar

T = TypeVar("T")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


def fields_of(cls: type, row: Any) -> dict[str, Any]:
    """The row's values for the dataclass ``cls``'s fields (named as the columns)."""
    mapping = row._mapping
    return {name: mapping[name] for name in _field_names(cls)}


def from_row(cls: type[T], row: Any) -> T:
    return cls(**fields_of(cls, row))
