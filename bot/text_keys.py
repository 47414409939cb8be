"""Normalised keys for matching names and texts (NFC, casefold, apostrophes folded)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_NON_WORD = re.compile(r"[^\w']+")


def name_key(name: str) -> str:
    """Key two spellings of one name to the same string."""
    text = unicodedata.normalize("NFKC", name).translate(_APOSTROPHES).casefold()
    return _NON_WORD.sub(" ", text).strip()


def content_hash(title: str, body: str) -> str:
    """Hash of an article's visible content, for idempotent re-ingest."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def name_lookup_keys(*names: str) -> set[str]:
    """Every key a person is found by: each name's key and each tail starting at a word."""
    keys: set[str] = set()
    for name in names:
        words = name_key(name).split()
        for start in range(len(words)):
            keys.add(" ".join(words[start:])[:200])
    keys.discard("")
    return keys
