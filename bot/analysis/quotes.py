"""Find direct quotes (verbatim spans with offsets) and attribute each to its speaker."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from bot.analysis.names import SPEECH_VERBS
from bot.analysis.people import PersonIndex
from bot.analysis.types import QuoteResult

_ATTRIBUTION_NOUNS = {
    "statement",
    "interview",
    "post",
    "tweet",
    "letter",
    "email",
    "memo",
    "speech",
}
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
_DETERMINER_BEFORE = re.compile(
    r"(?:^|\s)(?:the|a|an|its|their|this|these|those|his|her|our|your)\s*$", re.IGNORECASE
)
_OPEN_SINGLE_BEFORE = set(' \n\t([{\u2014\u2013-"\u201c:')
_CLOSE_SINGLE_AFTER = set(' \n\t.,;:!?)]}\u2014\u2013-"\u201d')
_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


@dataclass
class _Span:
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


def _paragraph_bounds(text: str) -> list[tuple[int, int]]:
    bounds = []
    pos = 0
    for part in text.split("\n\n"):
        bounds.append((pos, pos + len(part)))
        pos += len(part) + 2
    return bounds


def _double_spans(text: str, p_index: int, start: int, end: int) -> list[_Span]:
    """Double-quoted spans in one paragraph; an unclosed one runs to the paragraph's end."""
    spans: list[_Span] = []
    open_at: int | None = None
    for i in range(start, end):
        ch = text[i]
        if open_at is None:
            if ch == "\u201c" or (ch == '"' and (i == start or not text[i - 1].isalnum())):
                open_at = i
        elif ch in '\u201d"' or (ch == "\u201c" and i > open_at + 1 and text[i - 1] != " "):
            if i > open_at + 1:
                spans.append(_Span(open_at + 1, i, p_index, open_at == start, True))
            open_at = None
    if open_at is not None and end - open_at > 2:
        spans.append(_Span(open_at + 1, end, p_index, open_at == start, False))
    return spans


def _single_spans(text: str, start: int, end: int, p_index: int) -> list[_Span]:
    """Single-quoted spans in a region, telling quote marks from apostrophes."""
    spans: list[_Span] = []
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
                spans.append(_Span(open_at + 1, i, p_index, False, True))
                open_at = None
            if open_at is not None and i - open_at > 600:
                open_at = None
    return spans


def _is_scare_quote(text: str, span: _Span) -> bool:
    content = text[span.start : span.end].strip()
    words = _WORD.findall(content)
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


def find_spans(text: str) -> list[_Span]:
    """Every quote span in the text (outer, nested and continued pieces), in order."""
    spans: list[_Span] = []
    previous_open: int | None = None
    for p_index, (start, end) in enumerate(_paragraph_bounds(text)):
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


# A dash right after the closing mark introduces the source ("” ― Maria Lopez").
_DASH_SOURCE = re.compile(r"[\u201d\"]?[ \t]*[\u2015\u2014\u2013-]{1,2}[ \t]*(?=[A-Z])")
# Nouns that name an organisation speaking ("the ministry said", "the club said").
ORGANIZATION_NOUNS = frozenset(
    """
    agency association authority bank board campaign club commission committee company
    consortium corporation council court department embassy federation firm foundation
    government group institute league ministry network office organisation organization
    party police regulator service station team union university
    """.split()
)
# "the company said" refers back to the organisation the story named.
_GENERIC_ORGANIZATION = frozenset({"company", "club", "team", "firm", "group", "league"})
_SPOKES = frozenset({"spokesperson", "spokesman", "spokeswoman", "representative", "statement"})


def _strip_the(text: str) -> str:
    text = text.removesuffix("'s").removesuffix("\u2019s").strip()
    return text[4:] if text[:4].lower() == "the " else text


def _is_speech_verb(tok: Token) -> bool:
    return bool(tok.lemma_.lower() in SPEECH_VERBS or tok.lower_ == "according")


def _is_side_clause(tok: Token) -> bool:
    """A participle or relative clause hanging off the sentence ('…, adding', 'who said')."""
    return bool(tok.tag_ == "VBG" or tok.dep_ in {"relcl", "acl"})


def _entity_of(tok: Token) -> Span | None:
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return ent
    return None


def organization_of(tok: Token) -> str | None:
    """The organisation a subject names ('Tottenham', 'the French foreign ministry'), if any."""
    ent = _entity_of(tok)
    if ent is not None and ent.label_ in {"ORG", "GPE", "NORP"} and tok.pos_ == "PROPN":
        return _strip_the(ent.text)
    lemma = tok.lemma_.lower() if tok.pos_ == "NOUN" else tok.lower_
    if tok.pos_ == "NOUN" and lemma in _SPOKES:
        # "a Foreign Office spokesperson", "a spokesperson for Tesco": the organisation speaks.
        for child in tok.children:
            if child.dep_ in {"compound", "nmod", "poss"} and child.pos_ == "PROPN":
                inner = _entity_of(child)
                if inner is not None and inner.label_ in {"ORG", "GPE", "NORP"}:
                    return _strip_the(inner.text)
            if child.dep_ == "prep" and child.lower_ in {"for", "of"}:
                obj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if obj is not None and obj.pos_ == "PROPN":
                    inner = _entity_of(obj)
                    return _strip_the(inner.text if inner is not None else obj.text)
        return None
    if lemma not in ORGANIZATION_NOUNS or not (tok.pos_ == "NOUN" or tok.text.islower()):
        return None
    left = [t for t in tok.lefts if t.dep_ in {"compound", "amod", "nmod", "poss"}]
    if any(t.pos_ == "PROPN" or t.ent_type_ in {"ORG", "GPE", "NORP"} for t in left):
        first = min(t.left_edge.i for t in left)
        return _strip_the(tok.doc[first : tok.i + 1].text)
    if lemma in _GENERIC_ORGANIZATION and any(c.lower_ == "the" for c in tok.children):
        named = [e for e in tok.doc.ents if e.label_ == "ORG" and e.end <= tok.i]
        if named:
            return _strip_the(named[-1].text)
    return None


class QuoteAttributor:
    """Attributes quote spans to people of a PersonIndex using the dependency parse."""

    def __init__(self, doc: Doc, people: PersonIndex) -> None:
        self.doc = doc
        self.text: str = doc.text
        self.people = people
        # The organisation the last resolved subject names ("the French foreign ministry").
        self._organization: str | None = None

    def _tokens(self, start: int, end: int) -> list[Token]:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        return list(span) if span is not None else []

    def _speaker_of_verb(
        self, verb: Token, inside: tuple[int, int]
    ) -> tuple[int | None, str | None, bool]:
        """(person, words as written, found) for the subject of a speech verb."""
        node = verb
        for _ in range(3):
            for child in node.children:
                if child.dep_ in {"nsubj", "nsubjpass"} and not (
                    inside[0] <= child.idx < inside[1]
                ):
                    return self._resolve_subject(child)
            # "X praised the bill and said ...", "X ..., calling it '...'":
            # the subject is the head's
            if node.dep_ in {"conj", "xcomp", "advcl", "pcomp"} and node.head.i != node.i:
                node = node.head
            else:
                break
        # "according to X"
        if verb.lower_ == "according":
            for child in verb.children:
                if child.dep_ == "prep":
                    for obj in child.children:
                        if obj.dep_ == "pobj":
                            return self._resolve_subject(obj)
        # Inverted: "said X" where the parser hung X as a direct object or attr.
        for child in verb.children:
            if (
                child.dep_ in {"dobj", "attr", "npadvmod", "appos"}
                and child.i > verb.i
                and child.pos_ == "PROPN"
            ):
                return self._resolve_subject(child)
        return None, None, False

    def _resolve_subject(self, tok: Token) -> tuple[int | None, str | None, bool]:
        subtree = list(tok.subtree)
        phrase = self.doc[subtree[0].i : subtree[-1].i + 1].text
        ci = self.people.cluster_of_token(tok)
        if ci is None:
            for t in subtree:
                if (
                    t.i in self.people.token_cluster
                    and t.dep_ not in {"poss"}
                    and t.head.dep_ not in {"poss"}
                ):
                    ci = self.people.token_cluster[t.i]
                    break
        if ci is None and tok.lower_ in {"he", "she"}:
            ci = self.people.resolve_pronoun(tok.lower_, tok.idx)
        self._organization = None if ci is not None else organization_of(tok)
        return ci, phrase[:300], True

    def _governing_verb(
        self,
        tokens: list[Token],
        inside: tuple[int, int],  # noqa: ARG002
        limit: tuple[int, int],
    ) -> Token | None:
        """Walk up from the quote to the nearest verb outside it that has a subject."""
        inside_ids = {t.i for t in tokens}
        heads = [t.head for t in tokens if t.head.i not in inside_ids and t.head.i != t.i]
        fallback = None
        for head in heads:
            node = head
            for _ in range(8):
                if not (limit[0] <= node.idx < limit[1]):
                    break
                if _is_speech_verb(node) and node.i not in inside_ids:
                    return node
                if (
                    fallback is None
                    and node.pos_ in {"VERB", "AUX"}
                    and any(c.dep_ in {"nsubj", "nsubjpass"} for c in node.children)
                ):
                    # A partial quote inside reported speech ('X told investors that the merger
                    # would "…"') is still X's: keep climbing to a speech verb before settling.
                    fallback = node
                if node.head.i == node.i:
                    break
                node = node.head
        return fallback

    def _nearby_speech_verb(self, start: int, end: int, window: tuple[int, int]) -> Token | None:
        """A speech verb right after the quote (same sentence) or before it ('X said:')."""
        after = self._tokens(end, min(window[1], end + 160))
        for tok in after[:14]:
            if tok.text in {"\u201c", '"'} and tok.idx > end + 1:
                break
            if (
                tok.lemma_.lower() in SPEECH_VERBS
                and tok.pos_ in {"VERB", "AUX"}
                or tok.lower_ == "according"
            ):
                return tok
            if tok.text in {".", "!", "?"} and tok.idx > end + 1:
                break
        before = self._tokens(max(window[0], start - 200), max(window[0], start - 1))
        for tok in reversed(before[-25:]):
            if tok.text in {".", "!", "?"} and tok.idx < start - 3:
                break
            if tok.text in {"\u201d", '"'}:
                break
            if (
                tok.lemma_.lower() in SPEECH_VERBS
                and tok.pos_ in {"VERB", "AUX"}
                or tok.lower_ == "according"
            ):
                return tok
            if tok.lemma_.lower() in _ATTRIBUTION_NOUNS:
                head = tok.head
                while head.pos_ not in {"VERB", "AUX"} and head.head.i != head.i:
                    head = head.head
                if head.pos_ in {"VERB", "AUX"}:
                    return head
        return None

    def attribute(self, span: _Span, limit: tuple[int, int]) -> None:
        """Set span.speaker/speaker_text/cue from the grammar around the quote."""
        if self._attribute_after_dash(span, limit):
            return
        tokens = self._tokens(span.start, span.end)
        inside = (span.start - 1, span.end + 1)
        candidates: list[Token] = []
        if tokens:
            nearby = self._nearby_speech_verb(span.start, span.end, limit)
            governing = self._governing_verb(tokens, inside, limit)
            if (
                nearby is not None
                and governing is not None
                and _is_speech_verb(governing)
                and _is_side_clause(nearby)
            ):
                # ', adding that …', 'who testified …': a participle or relative clause after
                # the quote must not take it from the speech verb that governs it.
                candidates = [governing, nearby]
            elif (
                nearby is not None
                and governing is not None
                and _is_speech_verb(governing)
                and governing.i != nearby.i
            ):
                closer = abs(governing.idx - span.end) < abs(nearby.idx - span.end)
                candidates = [governing, nearby] if closer else [nearby, governing]
            else:
                candidates = [v for v in (nearby, governing) if v is not None]
        for verb in candidates:
            self._organization = None
            ci, words, found = self._speaker_of_verb(verb, inside)
            if not found:
                ci, words, found = self._loose_subject(verb, limit)
            if found:
                span.speaker, span.speaker_text = ci, words
                span.organization = self._organization if ci is None else None
                span.cue = "according to" if verb.lower_ == "according" else verb.text
                span.verb_at = verb.idx
                return
        self._attribute_after_colon(span)

    def _loose_subject(
        self, verb: Token, limit: tuple[int, int]
    ) -> tuple[int | None, str | None, bool]:
        """Subjects the parser leaves unattached: 'the 56-year-old said', 'said X'."""
        left = self.doc[max(0, verb.i - 5) : verb.i]
        if any(t.lower_ == "old" for t in left) and any(t.lower_ == "year" for t in left):
            ci = self.people.resolve_pronoun("they", left[0].idx)
            if ci is not None:
                return ci, left.text, True
        for tok in self._tokens(verb.idx + len(verb.text), min(limit[1], verb.idx + 80))[:6]:
            if tok.is_sent_start or tok.text in {".", "!", "?"}:
                break
            if tok.i in self.people.token_cluster:
                return self.people.token_cluster[tok.i], tok.text, True
        return None, None, False

    def _attribute_after_dash(self, span: _Span, limit: tuple[int, int]) -> bool:
        """'“…” ― Maria Lopez', '"…" — Name, title': a dash after the quote names its source."""
        after = self.text[span.end : min(limit[1], span.end + 120)]
        match = _DASH_SOURCE.match(after)
        if match is None:
            return False
        start = span.end + match.end()
        stop = start + len(re.split(r"[,(\n;:]", after[match.end() :], maxsplit=1)[0])
        tokens = self._tokens(start, stop)
        if not tokens or len(tokens) > 8 or not tokens[0].text[:1].isupper():
            return False
        for tok in tokens:
            ci = self.people.cluster_of_token(tok) if tok.pos_ == "PROPN" else None
            if ci is not None:
                span.speaker, span.speaker_text, span.cue = ci, self.text[start:stop], "\u2014"
                return True
        phrase = self.doc.char_span(start, stop, alignment_mode="expand")
        if phrase is not None and any(t.ent_type_ in {"ORG", "GPE", "NORP"} for t in phrase):
            span.speaker_text = span.organization = _strip_the(phrase.text.strip())
            span.cue = "\u2014"
            return True
        return False

    def _attribute_after_colon(self, span: _Span) -> None:
        """'She refused to blame him: "…"': a quote after a colon is the clause subject's."""
        before = self.text[max(0, span.start - 3) : span.start - 1].rstrip()
        if not before.endswith(":"):
            return
        tokens = self._tokens(max(0, span.start - 4), span.start - 1)
        colon = next((t for t in reversed(tokens) if t.text == ":"), None)
        if colon is None:
            return
        # The first clause before the colon with a subject (the parser may hang it on the quote).
        subject = None
        for tok in colon.sent:
            if tok.i >= colon.i:
                break
            if tok.pos_ in {"VERB", "AUX"}:
                subject = next(
                    (c for c in tok.children if c.dep_ in {"nsubj", "nsubjpass"} and c.i < colon.i),
                    None,
                )
                if subject is not None:
                    break
        if subject is None:
            return
        self._organization = None
        ci, words, _ = self._resolve_subject(subject)
        span.speaker, span.speaker_text, span.cue = ci, words, None
        span.organization = self._organization if ci is None else None


def _inherit(span: _Span, source: _Span) -> None:
    """Give span the source's speaker (a continued or split quote, a bare quote paragraph)."""
    span.speaker, span.speaker_text, span.cue = source.speaker, source.speaker_text, source.cue
    span.organization = source.organization


def extract_quotes(doc: Doc, people: PersonIndex) -> list[QuoteResult]:  # noqa: C901 (one ordered list of the ways news writes this)
    """Find every quote in the doc and its speaker (None when unknown)."""
    text = doc.text
    spans = [s for s in find_spans(text) if not _is_scare_quote(text, s)]
    bounds = _paragraph_bounds(text)
    attributor = QuoteAttributor(doc, people)
    for span in spans:
        # Nested quotes too: grammar inside the outer quote first ("the president said: '...'").
        attributor.attribute(span, bounds[span.paragraph])
    # "I told him: '...'" inside someone's quote: the inner words are the outer speaker's.
    for span in spans:
        if (
            span.nested_in is not None
            and (span.speaker_text or "").lower() in {"i", "we"}
            and span.verb_at is not None
            and span.verb_at < span.start
        ):
            outer = spans[span.nested_in]
            span.speaker, span.speaker_text = outer.speaker, outer.speaker_text
            span.organization = outer.organization
    # Propagation: continued pieces, split quotes, and bare quote paragraphs.
    last_speaker_by_paragraph: dict[int, tuple[int | None, str | None, str | None]] = {}
    top = [s for s in spans if s.nested_in is None]
    for span in top:
        if span.speaker_text is not None:
            last_speaker_by_paragraph[span.paragraph] = (span.speaker, span.speaker_text, span.cue)
    # Continuations share the speaker of whichever piece is attributed (usually the last).
    groups: list[list[_Span]] = []
    for span in top:
        previous = _continued_piece(span, spans) if span.continues is not None else None
        if previous is not None:
            for group in groups:
                if previous in group:
                    group.append(span)
                    break
            else:
                groups.append([previous, span])
    for group in groups:
        attributed = [s for s in group if s.speaker_text is not None]
        if attributed:
            source = attributed[-1]
            for s in group:
                if s.speaker_text is None:
                    _inherit(s, source)
    previous_top: _Span | None = None
    for span in top:
        if span.speaker_text is None and previous_top is not None:
            same_paragraph = previous_top.paragraph == span.paragraph
            bare_paragraph = (
                span.opens_paragraph
                and previous_top.paragraph == span.paragraph - 1
                and _is_bare_quote_paragraph(text, bounds[span.paragraph], span)
            )
            if (same_paragraph or bare_paragraph) and previous_top.speaker_text is not None:
                _inherit(span, previous_top)
        previous_top = span
    results = []
    for span in spans:
        quote_text = text[span.start : span.end]
        stripped = quote_text.rstrip()
        results.append(
            QuoteResult(
                text=stripped,
                start=span.start,
                end=span.start + len(stripped),
                speaker=people.name_of(span.speaker) or span.organization,
                speaker_kind=(
                    "person"
                    if span.speaker is not None
                    else "organization"
                    if span.organization
                    else "unnamed"
                ),
                speaker_text=span.speaker_text,
                cue=span.cue,
            )
        )
    results.sort(key=lambda q: (q.start, -q.end))
    return results


def _continued_piece(span: _Span, spans: list[_Span]) -> _Span | None:
    """The open piece in the previous paragraph that span continues."""
    candidates = [
        s
        for s in spans
        if s.nested_in is None and s.paragraph == span.paragraph - 1 and not s.closed
    ]
    return candidates[-1] if candidates else None


def _is_bare_quote_paragraph(
    text: str,
    bounds: tuple[int, int],
    span: _Span,  # noqa: ARG001
) -> bool:
    """A paragraph made only of quotes carries no attribution of its own."""
    paragraph = text[bounds[0] : bounds[1]]
    outside = re.sub(r"[\"\u201c][^\"\u201d]*[\"\u201d]?", "", paragraph)
    return len(_WORD.findall(outside)) <= 2
