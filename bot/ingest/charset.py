"""Decoding document bytes the way browsers do, without ever raising."""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([a-z0-9_.:-]{1,40})""", re.I
)
# Browsers decode these labels as windows-1252 (WHATWG Encoding), and so does the web's content.
_AS_CP1252 = frozenset({"ascii", "latin_1", "iso8859_1", "cp1252"})


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    name = name.replace("-", "_")
    if name in _AS_CP1252:
        return "cp1252"
    if name.startswith("utf_16") or name.startswith("utf_32"):
        return "utf_8"  # a declaration cannot be UTF-16 without a BOM, so WHATWG reads UTF-8
    return name


def decode_text(body: bytes, declared: str | None) -> str:
    """Decode a document: BOM, then declared charset, then <meta>, then UTF-8, then cp1252."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    meta = _META_CHARSET.search(body[:4096])
    candidates: list[str | None] = [
        _codec_name(declared),
        _codec_name(meta.group(1).decode("ascii") if meta else None),
    ]
    # A declaration that the bytes contradict is a lie; try the next guess instead of
    # producing mojibake or raising.
    for candidate in [*candidates, "utf_8"]:
        if candidate is None:
            continue
        try:
            return body.decode(candidate)
        except UnicodeDecodeError:
            continue
    return body.decode("cp1252", errors="replace")
