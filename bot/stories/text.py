"""What syndication changes, taken out of a text before it is compared.

Wire editors rewrite the lede and the headline, add or drop a dateline ("WASHINGTON (AP) —"),
a credit line ("Reporting by ...; Editing by ...") or a trailer ("This story has been
corrected."), cut or move a paragraph and change spellings (colour/color). Datelines, credit
lines and trailers are removed, words are casefolded and folded to one spelling, and the text
becomes a set of word shingles: a rewritten lede or a cut paragraph then changes only the
shingles it touches.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SHINGLE_WORDS = 3

_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Za-z.'\-]*(?:[ ,]+[A-Z][A-Za-z.'\-]*){0,4}\s*)"
    r"(?:\((?:AP|Reuters|AFP|UPI|Bloomberg|dpa|CNN|[A-Z][A-Za-z ]{1,24})\)\s*)?"
    r"[\u2014\u2013\-]{1,2}\s+"
)
# A credit or house line: the whole paragraph is bookkeeping, not the story.
_CREDIT = re.compile(
    r"^\s*(?:\(?(?:reporting|additional reporting|writing|editing) by\b"
    r"|[\w .,'\-]{0,80}\bcontributed(?: reporting)? (?:to )?(?:this|the) (?:report|story)"
    r"|this (?:story|article|report) (?:has been|was) (?:corrected|updated)"
    r"|(?:copyright|\u00a9)\s"
    r"|(?:follow|read more|sign up|subscribe)\b"
    r"|all rights reserved"
    r"|(?:associated press|ap) (?:writers?|reporters?)\b"
    r"|(?:correction|update)\s*:)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)

# British → American spellings, by word ending and for common single words. Both sides of a
# comparison are folded, so a wrong fold costs nothing as long as it is consistent.
_ENDINGS = (
    ("isation", "ization"),
    ("ise", "ize"),
    ("isations", "izations"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ysing", "yzing"),
    ("our", "or"),
    ("ours", "ors"),
    ("oured", "ored"),
    ("ouring", "oring"),
    ("ourite", "orite"),
    ("ourable", "orable"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("ogue", "og"),
    ("ogues", "ogs"),
    ("ence", "ense"),
    ("elled", "eled"),
    ("elling", "eling"),
    ("eller", "eler"),
)
_WORDS = {
    "grey": "gray",
    "tyre": "tire",
    "tyres": "tires",
    "kerb": "curb",
    "cheque": "check",
    "cheques": "checks",
    "programme": "program",
    "programmes": "programs",
    "aluminium": "aluminum",
    "plough": "plow",
    "jewellery": "jewelry",
    "manoeuvre": "maneuver",
    "paediatric": "pediatric",
    "anaesthetic": "anesthetic",
    "foetus": "fetus",
    "storey": "story",
    "whilst": "while",
    "amongst": "among",
    "towards": "toward",
}


_ENDING = re.compile(
    "(?:" + "|".join(sorted((re.escape(b) for b, _ in _ENDINGS), key=len, reverse=True)) + ")$"
)
_AMERICAN = dict(_ENDINGS)


@lru_cache(maxsize=1 << 16)
def fold_spelling(word: str) -> str:
    """One spelling for British and American forms of a (casefolded) word."""
    if word in _WORDS:
        return _WORDS[word]
    if len(word) < 5:
        return word
    # Over-folding ("silence" → "silense") is harmless: both texts are folded alike.
    match = _ENDING.search(word)
    if match is None:
        return word
    return word[: match.start()] + _AMERICAN[match.group()]


def strip_bookkeeping(text: str) -> list[str]:
    """The paragraphs of a text without its dateline, credit lines and trailers."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    kept = [p for p in paragraphs if not _CREDIT.match(p)]
    if kept:
        kept[0] = _DATELINE.sub("", kept[0], count=1)
    return kept


def words_of(text: str) -> list[str]:
    """The casefolded, spelling-folded words of a text, bookkeeping removed."""
    body = "\n".join(strip_bookkeeping(unicodedata.normalize("NFKC", text)))
    body = re.sub(r"\bper cent\b", "percent", body, flags=re.IGNORECASE)
    return [fold_spelling(w.replace("\u2019", "'")) for w in _WORD.findall(body.casefold())]


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The word shingles of a text (the whole text when it is shorter than one shingle)."""
    words = words_of(text)
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}
