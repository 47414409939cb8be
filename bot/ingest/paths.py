"""Expand paths, directories and globs into the files to ingest."""

from __future__ import annotations

import glob
from pathlib import Path

from bot.errors import InvalidInput
from bot.ingest.readers import SUPPORTED_SUFFIXES


def expand_inputs(inputs: list[str]) -> list[Path]:
    """Files named by paths, directories (recursively) and globs, in a stable order."""
    files: list[Path] = []
    for item in inputs:
        if any(ch in item for ch in "*?["):
            matches = sorted(Path(p) for p in glob.glob(item, recursive=True))
            if not matches:
                raise InvalidInput(f"no files match {item}")
            files.extend(p for p in matches if p.is_file())
            continue
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
            if not found:
                raise InvalidInput(f"{path} holds no .txt, .html, .json or .jsonl files")
            files.extend(found)
        else:
            files.append(path)  # a missing file is reported per file by the reader
    seen: set[Path] = set()
    unique = []
    for file in files:
        if file not in seen:
            seen.add(file)
            unique.append(file)
    return unique
