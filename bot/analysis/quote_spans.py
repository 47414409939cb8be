"""Quote spans in clean text: double and single marks, continued pieces, scare quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TITLE_CUES = re.compile(
    r"(?:so-called|dubbed|titled|entitled|nicknamed|known as|the (?:film|movie|book|novel|song|"
    r"album|show|series|play|documentary|podcast|headline|slogan|hashtag|campaign|exhibit|"
    r"exhibition|musical|opera|poem|report|article|column|episode|programme|program|game|app))\s*$",
    re.IGNORECASE,
)
_SLOGAN_CUES = re.compile(
    r"\b(?:slogan|tagline|hashtag|motto|catchphrase|rallying cry)\s*(?:of\s*)?[:,]?\s*$",
    re.IGNORECASE,
)
# Words that name a term rather than quote speech: 'what's called "…"', 'the nickname of "…"'.
_NAMING_CUES = re.compile(
    r"(?:\bso-called|\bdubbed|\bnicknamed|\bknown as|\bcalled|\btermed|\bdiagnosed with|"
    r"\b(?:a|the|one) (?:type|form|kind|case) of|"
    r"\bthe (?:nickname|term|phrase|label|moniker|name|word)(?: of)?|"
    r"\b(?:dubbed|nicknamed|labell?ed|branded)\b[^.;:!?\"\u201c\u201d]{0,60}\bas)"
    r"\s*$",
    re.IGNORECASE,
)
# A quote followed by the noun it modifies: 'the “one country, two systems” formula granting'.
_PREMODIFIER_AFTER = re.compile(
    r"\s?(?!(?:and|or|but|for|of|in|on|at|to|from|with|by|that|which|who|as|is|are|was|were|"
    r"has|have|had|will|would|said|says|says|if|when|while|because|than|into|over|after|before)"
    r"\b)[a-z]{3,}\b"
)
_DETERMINER_BEFORE = re.compile(
    r"(?:^|\s)(?:the|a|an|its|their|this|these|those|his|her|our|your)\s*$", re.IGNORECASE
)
_OPEN_SINGLE_BEFORE = set(' \n\t([{\u2014\u2013-"\u201c:')
_CLOSE_SINGLE_AFTER = set(' \n\t.,;:!?)]}\u2014\u2013-"\u201d')
WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


@dataclass
class QuoteSpan:
    start: int  # first character inside the marks
    end: int  # one past the last character inside the marks
    paragraph: int
    opens_paragraph: bool
    closed: bool
    nested_in: int | None = None
    continues: int | None = None  # index of the piece this one continues
    speaker: int | None = None
    speaker_text: str | None = None
    organization: str | None = None  # the speaking organisation, as written
    cue: str | None = None
    verb_at: int | None = None  # where the attributing verb is
    children: list[int] = field(default_factory=list)
    single: bool = False  # in single marks


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    bounds = []
    pos = 0
    for part in text.split("\n\n"):
        bounds.append((pos, pos + len(part)))
        pos += len(part) + 2
    return bounds


_PAIRED_CLOSE = re.compile(r"(?:\u2019\u2019|'')(?!\w)")


def _double_spans(text: str, p_index: int, start: int, end: int) -> list[QuoteSpan]:
    """Double-quoted spans in one paragraph; an unclosed one runs to the paragraph's end."""
    spans: list[QuoteSpan] = []
    open_at: int | None = None
    for i in range(start, end):
        ch = text[i]
        if open_at is None:
            if ch == "\u201c" or (ch == '"' and (i == start or not text[i - 1].isalnum())):
                open_at = i
        elif (
            ch in '\u201d"'
            or (ch == "\u201c" and i > open_at + 1 and text[i - 1] != " ")
            or _PAIRED_CLOSE.match(text, i, end)
        ):
            # Some wires close a double quote with two apostrophes ("voters,\u2019\u2019 Moy said").
            if i > open_at + 1:
                spans.append(QuoteSpan(open_at + 1, i, p_index, open_at == start, True))
            open_at = None
    if open_at is not None and end - open_at > 2:
        spans.append(QuoteSpan(open_at + 1, end, p_index, open_at == start, False))
    return spans


def _single_spans(text: str, start: int, end: int, p_index: int) -> list[QuoteSpan]:
    """Single-quoted spans in a region, telling quote marks from apostrophes."""
    spans: list[QuoteSpan] = []
    open_at: int | None = None
    for i in range(start, end):
        ch = text[i]
        if ch not in "'\u2018\u2019":
            continue
        before = text[i - 1] if i > start else " "
        after = text[i + 1] if i + 1 < end else " "
        if open_at is None:
            if (before in _OPEN_SINGLE_BEFORE or i == start) and after.isalnum() and ch != "\u2019":
                # "'90s" and "'Tis" are elisions, not quotes.
                if not re.match(r"\d0s|tis\b|twas\b|em\b|n\b", text[i + 1 : i + 6], re.IGNORECASE):
                    open_at = i
            elif (
                (before in _OPEN_SINGLE_BEFORE or i == start) and after.isalnum() and ch == "\u2019"
            ):
                continue
        else:
            if before.isalnum() and after.isalnum():
                continue  # an apostrophe inside a word
            if (after in _CLOSE_SINGLE_AFTER or i + 1 >= end) and before not in " \n":
                if before == "s" and after == " " and not re.search(r"[.!?,]", text[open_at:i]):
                    # "the players' union": a plural possessive unless the span reads as speech
                    if i - open_at > 60:
                        continue
                spans.append(QuoteSpan(open_at + 1, i, p_index, False, True, single=True))
                open_at = None
            if open_at is not None and i - open_at > 600:
                open_at = None
    return spans


def is_scare_quote(text: str, span: QuoteSpan) -> bool:  # noqa: C901 (one ordered list of the ways news quotes a term)
    """Whether a span is a term, a name, a title or a headline rather than someone speaking."""
    content = text[span.start : span.end].strip()
    words = WORD.findall(content)
    if span.single and span.nested_in is None and _in_headline(text, span):
        return True  # a related-story link: "Staffers 'don't care': Prison suicides were rising"
    if len(words) < 2:
        # "“Incredible,” Moore said.": a one-word utterance opening its sentence is speech.
        opens = re.search(r"(?:^|[.!?]\s|\n)\W{0,2}$", text[max(0, span.start - 4) : span.start])
        return not (len(words) == 1 and opens and re.search(r"[,.!?]$", content))
    before = text[max(0, span.start - 40) : span.start - 1]
    if _SLOGAN_CUES.search(before) and len(words) <= 12:
        return True  # a campaign's slogan or tagline is quoted, but nobody is speaking
    if (
        len(words) <= 3
        and not re.search(r"[.!?]\W*$", content)
        and _DETERMINER_BEFORE.search(before)
    ):
        return True  # 'the “physical fight” for', 'a “stronger” and': a term, not speech
    if len(words) <= 6 and _PREMODIFIER_AFTER.match(text, span.end + 1):
        if _DETERMINER_BEFORE.search(before) and not re.search(r"[.!?,;:]\W*$", content):
            return True  # 'the “one country, two systems” formula': the quote names a thing
    if len(words) <= 4 and _NAMING_CUES.search(text[max(0, span.start - 80) : span.start - 1]):
        return True  # 'what's called "feather duvet lung,"', 'dubbed it "the Gordon problem."'
    if before.rstrip().endswith(":"):
        return False  # 'with the caption: "Welcome Jose"': words given as written or said
    sentence_like = bool(re.search(r"[.!?,;:]\W*$", content)) or len(words) >= 8
    if _TITLE_CUES.search(before) and not sentence_like:
        return True
    small = {"of", "the", "a", "an", "and", "in", "on", "for", "to", "at", "it", "is", "with"}
    capitalised = all(w[:1].isupper() or w.lower() in small for w in words)
    # Title Case with several capitals is a title (a song, a film, a slogan), even with a period.
    if capitalised and len(words) <= 6 and sum(w[:1].isupper() for w in words) >= 2:
        return True
    # A longer run in Title Case is a book or report title ("A Proven Path to All the Money").
    if len(words) <= 14 and sum(w[:1].isupper() for w in words) >= 0.75 * len(words) >= 3:
        return True
    return capitalised and len(words) <= 6 and not sentence_like


def _in_headline(text: str, span: QuoteSpan) -> bool:
    """Whether the span's paragraph is a headline (no closing sentence punctuation)."""
    end = text.find("\n\n", span.end)
    paragraph = text[span.end : len(text) if end < 0 else end].rstrip()
    return not paragraph or paragraph[-1] not in ".!?\"\u201d\u2019'):;,"


def find_spans(text: str) -> list[QuoteSpan]:
    """Every quote span in the text (outer, nested and continued pieces), in order."""
    spans: list[QuoteSpan] = []
    previous_open: int | None = None
    for p_index, (start, end) in enumerate(paragraph_bounds(text)):
        doubles = _double_spans(text, p_index, start, end)
        covered: list[tuple[int, int]] = []
        for span in doubles:
            if span.opens_paragraph and previous_open is not None:
                span.continues = previous_open
            spans.append(span)
            outer = len(spans) - 1
            covered.append((span.start, span.end))
            for inner in _single_spans(text, span.start, span.end, p_index):
                inner.nested_in = outer
                spans.append(inner)
                spans[outer].children.append(len(spans) - 1)
        previous_open = (
            len(spans) - 1 - len(spans[-1].children) if doubles and not doubles[-1].closed else None
        )
        if doubles and not doubles[-1].closed:
            previous_open = max(
                i for i, s in enumerate(spans) if s.nested_in is None and s.paragraph == p_index
            )
        # Top-level single quotes (headline style: according to X, '...').
        cursor = start
        for a, b in sorted(covered) + [(end, end)]:
            for single in _single_spans(text, cursor, a, p_index):
                spans.append(single)
            cursor = b + 1
    return spans
