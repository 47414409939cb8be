"""Find direct quotes (verbatim spans with offsets) and attribute each to its speaker."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

from spacy.tokens import Doc, Span, Token

from bot.analysis.names import HUMAN_ROLES, SPEECH_VERBS
from bot.analysis.people import PersonIndex
from bot.analysis.quote_spans import (
    WORD,
    QuoteSpan,
    find_spans,
    is_scare_quote,
    paragraph_bounds,
)
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
# A dash right after the closing mark introduces the source ("” ― Maria Lopez").
_DASH_SOURCE = re.compile(r"[\u201d\"]?[ \t]*[\u2015\u2014\u2013-]{1,2}[ \t]*(?=[A-Z])")
# Nouns that name an organisation speaking ("the ministry said", "the club said").
ORGANIZATION_NOUNS = frozenset(
    """
    agency airline association authority bank board broadcaster campaign carrier chain club
    commission committee company consortium corporation council court department embassy
    federation firm foundation government group institute label league maker military
    ministry network office organisation organization party police publisher regulator
    retailer service startup station studio team union university
    """.split()
)
# "the company said" refers back to the organisation the story named.
_GENERIC_ORGANIZATION = frozenset(
    """
    agency airline broadcaster carrier chain club company firm group label league maker
    network publisher retailer startup studio team
    """.split()
)
# People nouns that name nobody in particular ("the man wrote", "the spokesperson said").
_ANYONE = frozenset(
    """
    brother citizen daughter father friend granddaughter grandson husband insider man member
    mother neighbor neighbour officer official passenger resident sister son spokesman
    spokesperson spokeswoman student survivor veteran victim widow wife witness woman worker
    """.split()
)
# Documents that speak for whoever issued them ("the statement said", "the letter reads").
_ISSUED = frozenset({"statement", "letter", "release", "email", "memo", "post", "notice"})
_SPOKES = frozenset({"spokesperson", "spokesman", "spokeswoman", "representative", "statement"})


def _strip_the(text: str) -> str:
    text = text.strip(" ,;:").removesuffix("'s").removesuffix("\u2019s").strip()
    return text[4:] if text[:4].lower() == "the " else text


def _is_speech_verb(tok: Token) -> bool:
    return bool(tok.lemma_.lower() in SPEECH_VERBS or tok.lower_ == "according")


def _is_side_clause(tok: Token) -> bool:
    """A participle or relative clause hanging off the sentence ('…, adding', 'who said')."""
    return bool(tok.tag_ == "VBG" or tok.dep_ in {"relcl", "acl"})


def _gap(tok: Token, span: QuoteSpan) -> int:
    """Characters between a token and the nearer edge of a quote."""
    return span.start - tok.idx if tok.idx < span.start else max(0, tok.idx - span.end)


def _entity_of(tok: Token) -> Span | None:
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return ent
    return None


def organization_of(tok: Token, skip: Callable[[Span], bool] | None = None) -> str | None:
    """The organisation a subject names ('Tottenham', 'the French foreign ministry'), if any.

    skip tells organisations "the company said" cannot refer back to (one named inside a
    quote, a person the tagger took for an organisation)."""
    ent = _entity_of(tok)
    if ent is not None and ent.label_ in {"ORG", "GPE", "NORP"} and tok.pos_ == "PROPN":
        return _strip_the(ent.text)
    if ent is None and tok.pos_ == "PROPN" and tok.text[:1].isupper():
        # "Big Machine have denied it": NER missed the name here but called it an
        # organisation elsewhere in the story.
        run = _proper_run(tok).text
        same = [e for e in tok.doc.ents if e.label_ == "ORG" and _strip_the(e.text) == run]
        if any(not (skip and skip(e)) for e in same):
            return run
    lemma = tok.lemma_.lower() if tok.pos_ == "NOUN" else tok.lower_
    if tok.pos_ == "NOUN" and lemma in _SPOKES:
        # "a Foreign Office spokesperson", "a spokesperson for Tesco": the organisation speaks.
        for child in tok.children:
            if child.dep_ in {"compound", "nmod", "poss"} and child.pos_ == "PROPN":
                inner = _entity_of(child)
                if inner is not None and inner.label_ in {"ORG", "GPE", "NORP"}:
                    return _strip_the(inner.text)
                if inner is None or inner.label_ != "PERSON":
                    # "a WeWork spokesperson": the tagger may not know the company's name.
                    first = min(t.left_edge.i for t in tok.lefts if t.pos_ == "PROPN")
                    last = max(t.i for t in tok.lefts if t.pos_ == "PROPN")
                    return _strip_the(tok.doc[first : last + 1].text)
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
        return _named_earlier(tok, skip)
    return None


def _named_earlier(tok: Token, skip: Callable[[Span], bool] | None) -> str | None:
    """The organisation 'the company' refers back to, as the story first named it."""
    doc = tok.doc
    for child in tok.children:
        # "The company that runs the awards, Dick Clark Productions, said"
        if child.dep_ == "appos" and child.pos_ == "PROPN":
            return _strip_the(_proper_run(child).text)
    named = [e for e in doc.ents if e.label_ == "ORG" and e.end <= tok.i and not (skip and skip(e))]
    kinds = [c.lemma_.lower() for c in tok.lefts if c.dep_ == "compound" and len(c.text) >= 4]
    for kind in kinds:
        # "the production company" is the "… Productions" the story named.
        for proper in reversed(doc[: tok.i]):
            if (
                proper.pos_ == "PROPN"
                and proper.lower_.startswith(kind)
                and not (skip and skip(doc[proper.i : proper.i + 1]))
            ):
                return _strip_the(_proper_run(proper).text)
    if not named:
        return None
    last = _strip_the(named[-1].text)
    # "Big Machine" after "Big Machine Records": the full name the story first gave.
    fuller = [_strip_the(e.text) for e in named if _strip_the(e.text).startswith(last + " ")]
    return fuller[0] if fuller else last


def _proper_run(tok: Token) -> Span:
    """The proper-noun phrase a token heads ("Dick Clark Productions")."""
    start = tok.i
    while (
        start > 0
        and tok.doc[start - 1].pos_ == "PROPN"
        and start <= tok.doc[start - 1].head.i <= tok.i
    ):
        start -= 1
    return tok.doc[start : tok.i + 1]


class QuoteAttributor:
    """Attributes quote spans to people of a PersonIndex using the dependency parse."""

    def __init__(self, doc: Doc, people: PersonIndex, spans: list[QuoteSpan]) -> None:
        self.doc = doc
        self.text: str = doc.text
        self.people = people
        # The organisation the last resolved subject names ("the French foreign ministry").
        self._organization: str | None = None
        self._bounds = paragraph_bounds(self.text)
        self._limit = (0, len(self.text))  # the paragraph of the quote being attributed
        # Outer quotes, marks included: narration outside them is where sources are named.
        self._quoted = sorted((s.start - 1, s.end + 1) for s in spans if s.nested_in is None)
        self._quoted_starts = [q[0] for q in self._quoted]

    def _not_a_source(self, ent: Span) -> bool:
        """An entity 'the company' cannot refer back to: quoted, or a person's name."""
        return self._in_quote(ent.start_char) or any(t.i in self.people.token_cluster for t in ent)

    def _in_quote(self, offset: int) -> bool:
        i = bisect_right(self._quoted_starts, offset) - 1
        return i >= 0 and self._quoted[i][0] <= offset < self._quoted[i][1]

    def _tokens(self, start: int, end: int) -> list[Token]:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        return list(span) if span is not None else []

    def _speaker_of_verb(
        self, verb: Token, inside: tuple[int, int]
    ) -> tuple[int | None, str | None, bool]:
        """(person, words as written, found) for the subject of a speech verb."""
        node = verb
        for _ in range(3):
            subjects = [
                child
                for child in node.children
                if child.dep_ in {"nsubj", "nsubjpass"}
                and not (inside[0] <= child.idx < inside[1])
                and self._limit[0] <= child.idx < self._limit[1]
            ]
            if subjects:
                # "CPUC President Marybel Batjer said" may parse as two subjects: the person's.
                named = [t for t in subjects if t.i in self.people.token_cluster]
                return self._resolve_subject((named or subjects)[0])
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
        if tok.lower_ in {"who", "that"} and tok.head.dep_ == "relcl":
            # "the minister, Ana Ruiz, who called it '…'": the clause's noun speaks.
            tok = tok.head.head
        elif tok.dep_ == "nsubjpass" and tok.head.lemma_.lower() in SPEECH_VERBS:
            # "The deal was announced by the minister": the agent speaks, not the deal.
            agent = next((c for c in tok.head.children if c.dep_ == "agent"), None)
            by = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent else None
            if by is not None:
                tok = by
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
        organization = None if ci is not None else organization_of(tok, self._not_a_source)
        if ci is None and organization is None and not self._in_quote(tok.idx):
            if self._is_role_reference(tok):
                # '"…," said the actor': the person the story is about, unless the role
                # was introduced unnamed ("a firefighter … the firefighter said").
                ci = self.people.resolve_pronoun("they", tok.idx)
            elif tok.lower_ in {"it", "they"}:
                ci, organization = self._previous_subject(tok)
                if ci is None and organization is None and tok.lower_ == "it":
                    # 'They put out a statement. "…," it says': "it" is the statement.
                    ci, organization = self._document_just_named(tok)
            elif tok.lemma_.lower() in _ISSUED and tok.pos_ == "NOUN":
                ci, organization = self._issuer(tok)
        self._organization = organization
        return ci, phrase[:300], True

    def _is_role_reference(self, tok: Token) -> bool:
        """'the actor', 'the 33-year-old actor': a definite singular role noun, owner-less."""
        lemma = tok.lemma_.lower()
        if tok.pos_ != "NOUN" or tok.tag_ != "NN" or lemma not in HUMAN_ROLES - _ANYONE:
            return False
        if not any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children):
            return False
        if any(c.dep_ in {"poss", "prep", "relcl", "acl"} for c in tok.children):
            return False
        floor = self._bounds[max(0, self._paragraph_of(tok.idx) - 4)][0]
        for other in self._tokens(floor, tok.idx):
            if other.lemma_.lower() == lemma and any(
                c.dep_ == "det" and c.lower_ in {"a", "an", "one", "another"}
                for c in other.children
            ):
                return False
        return True

    def _sentences_before(self, tok: Token, count: int = 6) -> list[Span]:
        """Up to count sentences before tok's, latest first, within three paragraphs."""
        floor = self._bounds[max(0, self._paragraph_of(tok.idx) - 3)][0]
        out: list[Span] = []
        sent = tok.sent
        while len(out) < count and sent.start > 0:
            sent = self.doc[sent.start - 1].sent
            if sent.end_char <= floor:
                break
            out.append(sent)
        return out

    def _paragraph_of(self, offset: int) -> int:
        return max(0, bisect_right([b[0] for b in self._bounds], offset) - 1)

    def _source_of(self, subject: Token, pronoun: str) -> tuple[int | None, str | None, bool]:
        """(person, organisation, settled) for an earlier subject "it"/"they" may refer to."""
        if subject.pos_ == "PRON":
            # "they" after "they": keep walking back; "he" is someone else.
            return None, None, subject.lower_ not in {"it", "they"}
        if any(c.dep_ == "conj" for c in subject.children):
            return None, None, True  # "Smith and Jones … they said": a group, unnamed
        ci = self.people.cluster_of_token(subject)
        if ci is not None:
            # A singular "they" may be a person; "it" never is.
            return (ci if pronoun == "they" else None), None, True
        return None, organization_of(subject, self._not_a_source), True

    def _previous_subject(self, tok: Token) -> tuple[int | None, str | None]:
        """'…, the prosecution authority said. "…," it added': the source the story just named."""
        for sent in self._sentences_before(tok):
            verbs = [t for t in sent if _is_speech_verb(t) and not self._in_quote(t.idx)]
            verbs += [sent.root] if not self._in_quote(sent.root.idx) else []
            for verb in verbs:
                subject = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
                if subject is None or self._in_quote(subject.idx):
                    continue
                ci, organization, settled = self._source_of(subject, tok.lower_)
                if settled:
                    return ci, organization
                break
        return None, None

    def _document_just_named(self, tok: Token) -> tuple[int | None, str | None]:
        """The issuer of a statement or letter the sentence before tok's names as an object."""
        before = self._sentences_before(tok, count=1)
        for noun in before[0] if before else []:
            if (
                noun.pos_ == "NOUN"
                and noun.lemma_.lower() in _ISSUED
                and noun.dep_ in {"dobj", "pobj"}
                and not self._in_quote(noun.idx)
            ):
                return self._issuer(noun, include=True)
        return None, None

    def _issuer(self, tok: Token, *, include: bool = False) -> tuple[int | None, str | None]:
        """'"…," the statement said': whoever the story said issued the statement."""
        lemma = tok.lemma_.lower()
        # include: tok is the document itself, named in its issuer's own sentence.
        for sent in ([tok.sent] if include else []) + self._sentences_before(tok):
            for noun in sent:
                if noun.lemma_.lower() != lemma or self._in_quote(noun.idx):
                    continue
                verb = noun.head
                while verb.pos_ not in {"VERB", "AUX"} and verb.head.i != verb.i:
                    verb = verb.head
                subject = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
                if subject is None or subject.i == noun.i or subject.lemma_.lower() in _ISSUED:
                    continue
                ci, organization, _ = self._source_of(subject, "they")
                if ci is None and organization is None and subject.pos_ != "PRON":
                    # "The company flat-out denied": the parser may hang the noun that
                    # names the issuer under another word of the subject.
                    nouns = [t for t in subject.subtree if t.pos_ == "NOUN" and t.i != subject.i]
                    found = (organization_of(t, self._not_a_source) for t in nouns)
                    organization = next((o for o in found if o is not None), None)
                if subject.pos_ == "PRON" and subject.lower_ in {"he", "she"}:
                    ci = self.people.resolve_pronoun(subject.lower_, subject.idx)
                elif subject.lower_ in {"it", "they"} and ci is None and organization is None:
                    ci, organization = self._previous_subject(subject)
                if ci is not None or organization is not None:
                    return ci, organization
        return None, None

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
        after = self._tokens(end, min(window[1], end + 240))
        ends_sentence = self.text[max(start, end - 1) : end] == "."
        for tok in after[:30]:
            if tok.text in {"\u201c", '"'} and tok.idx > end + 1:
                break
            if ends_sentence and tok.idx > end + 1 and tok.text[:1].isupper():
                # '‘I want more.’ They said, …': a new sentence, someone else's verb.
                if tok.pos_ in {"PRON", "DET"} and tok.text != "I":
                    break
                ends_sentence = False
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

    def attribute(self, span: QuoteSpan, limit: tuple[int, int]) -> None:
        """Set span.speaker/speaker_text/cue from the grammar around the quote."""
        self._limit = limit
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
                # The verb nearer an edge of the quote frames it: 'he said, "…," the office
                # said' is his (the office reports what he said).
                closer = _gap(governing, span) < _gap(nearby, span)
                candidates = [governing, nearby] if closer else [nearby, governing]
            else:
                candidates = [v for v in (nearby, governing) if v is not None]
            lead = self._verb_just_before(span)
            if lead is not None:
                # 'he … said, "…," the office said': the words are his; the office reports them.
                candidates = [lead] + [v for v in candidates if v.i != lead.i]
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

    def _verb_just_before(self, span: QuoteSpan) -> Token | None:
        """A speech verb right before the opening mark ('and said, "…'), if any."""
        before = self._tokens(max(self._limit[0], span.start - 40), max(0, span.start - 1))
        for tok in reversed(before[-3:]):
            if tok.text in {",", ":"} or tok.text in {"\u201c", '"'}:
                continue
            if tok.pos_ == "VERB" and tok.lemma_.lower() in SPEECH_VERBS and tok.tag_ != "VBN":
                return tok  # not 'That being said, "…"'
            return None
        return None

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
        # '"…," chairman and CEO Craig Menear said': the name just before the verb.
        for tok in reversed(self.doc[max(0, verb.i - 10) : verb.i]):
            if tok.text in {".", "!", "?", "\u201d", '"', "\u201c"} or tok.idx < limit[0]:
                break
            if tok.i in self.people.token_cluster and not self._in_quote(tok.idx):
                return self.people.token_cluster[tok.i], tok.text, True
        return None, None, False

    def _attribute_after_dash(self, span: QuoteSpan, limit: tuple[int, int]) -> bool:
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

    def _attribute_after_colon(self, span: QuoteSpan) -> None:
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


def _inherit(span: QuoteSpan, source: QuoteSpan) -> None:
    """Give span the source's speaker (a continued or split quote, a bare quote paragraph)."""
    span.speaker, span.speaker_text, span.cue = source.speaker, source.speaker_text, source.cue
    span.organization = source.organization


def extract_quotes(doc: Doc, people: PersonIndex) -> list[QuoteResult]:  # noqa: C901 (one ordered list of the ways news writes this)
    """Find every quote in the doc and its speaker (None when unknown)."""
    text = doc.text
    spans = [s for s in find_spans(text) if not is_scare_quote(text, s)]
    bounds = paragraph_bounds(text)
    attributor = QuoteAttributor(doc, people, spans)
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
    groups: list[list[QuoteSpan]] = []
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
    for index, span in enumerate(top):
        if span.speaker_text is None and _is_heading(text, bounds[span.paragraph], span):
            echo = _echoed_by(text, span, top[index + 1 :])
            if echo is not None:
                _inherit(span, echo)
    previous_top: QuoteSpan | None = None
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


def _words_of(text: str) -> str:
    return " ".join(w.lower() for w in WORD.findall(text))


def _is_heading(text: str, bounds: tuple[int, int], span: QuoteSpan) -> bool:
    """'3. "Not some irregular channel"': a section heading made of a quote alone."""
    outside = text[bounds[0] : span.start - 1] + text[span.end + 1 : bounds[1]]
    return bool(
        span.closed
        and re.fullmatch(r"\s*(?:[-\u2022*]|\d{1,2}[.)])?\s*", outside)
        and len(WORD.findall(text[span.start : span.end])) <= 10
    )


def _echoed_by(text: str, heading: QuoteSpan, later: list[QuoteSpan]) -> QuoteSpan | None:
    """The attributed quote of the next paragraphs that the heading's words come from."""
    words = _words_of(text[heading.start : heading.end])
    for span in later:
        if span.paragraph > heading.paragraph + 8:
            break
        if span.speaker_text is not None and words in _words_of(text[span.start : span.end]):
            return span
    return None


def _continued_piece(span: QuoteSpan, spans: list[QuoteSpan]) -> QuoteSpan | None:
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
    span: QuoteSpan,  # noqa: ARG001
) -> bool:
    """A paragraph made only of quotes carries no attribution of its own."""
    paragraph = text[bounds[0] : bounds[1]]
    outside = re.sub(r"[\"\u201c][^\"\u201d]*[\"\u201d]?", "", paragraph)
    return len(WORD.findall(outside)) <= 2
