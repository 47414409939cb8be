"""Printing results: readable text, or one JSON object per line with --json."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import PurePath
from typing import Any, TypeVar

T = TypeVar("T")


def jsonable(value: Any) -> Any:
    """Turn dataclasses, dates, enums and tuples into JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def emit_json(obj: Any) -> None:
    """Print one JSON object on its own line."""
    sys.stdout.write(json.dumps(jsonable(obj), ensure_ascii=False) + "\n")


def show(
    args: argparse.Namespace, items: Sequence[T], render: Callable[[Sequence[T]], str]
) -> None:
    """Print a list: one JSON object per item with --json, else the readable rendering."""
    if args.json:
        for item in items:
            emit_json(item)
    else:
        print(render(items))


def show_one(args: argparse.Namespace, item: T, render: Callable[[T], str]) -> None:
    """Print one result as JSON or as text."""
    if args.json:
        emit_json(item)
    else:
        print(render(item))
