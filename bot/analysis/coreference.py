"""Last stage of reading people: coreference over the frozen set of people.

Roles ("the president"), pronouns ("she said"), ages ("the 56-year-old") and bare proper
nouns the NER missed are resolved to people already found; nothing here adds a person.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from spacy.tokens import Doc, Token

from bot.analysis.clustering import Cluster, Clusterer
from bot.analysis.mentions import MentionFinder
from bot.analysis.names import HUMAN_ROLES, TITLES
from bot.analysis.quote_spans import find_spans


class Coreference:
    """Resolves references to the people of one doc (read-only over clusters and mentions)."""

    def __init__(
        self,
        doc: Doc,
        finder: MentionFinder,
        clusterer: Clusterer,
        token_cluster: dict[int, int],
        references: list[tuple[int, int]],
    ) -> None:
        self.doc = doc
        self.finder = finder
        self.clusterer = clusterer
        self.clusters: list[Cluster] = clusterer.clusters
        self.token_cluster = token_cluster
        self.references = references
        # Each token's sentence start, read once: pronoun resolution asks it per candidate.
        self._sentence_start = [0] * len(doc)
        for sent in doc.sents:
            self._sentence_start[sent.start : sent.end] = [sent.start] * (sent.end - sent.start)
        self.role_references()
        self._ref_starts = [r[0] for r in self.references]
        # The words inside quote marks: a name said in a quote is not what the narrator's
        # "he said" after it refers to ("'…the day Epstein died,' he said").
        self._quoted = [(s.start, s.end) for s in find_spans(doc.text) if s.nested_in is None]
        self._quoted_starts = [q[0] for q in self._quoted]

    def quote_at(self, offset: int) -> tuple[int, int] | None:
        """The (outer) quote span holding a character offset, if any."""
        i = bisect_right(self._quoted_starts, offset) - 1
        if i >= 0 and self._quoted[i][0] <= offset < self._quoted[i][1]:
            return self._quoted[i]
        return None

    def person_at(self, tok: Token) -> int | None:
        """The person a proper noun the NER missed names ("said Okafor"), if already known."""
        if tok.pos_ != "PROPN" or not tok.text[:1].isupper():
            return None
        start = tok.i
        while (
            start > 0
            and self.doc[start - 1].pos_ == "PROPN"
            and self.doc[start - 1].dep_ in {"compound", "flat"}
        ):
            start -= 1
        mention = self.finder.mention_for(start, tok.i + 1)
        if mention is None:
            return None
        return self.clusterer.match_words(mention.words, mention.start)

    def role_references(self) -> None:
        """Add a reference for each role noun that names one person."""
        """'the president' is the one person the article titles president, if only one."""
        for tok in self.doc:
            if tok.pos_ != "NOUN" or tok.i in self.token_cluster:
                continue
            ci = self.resolve_role(tok)
            if ci is not None:
                self.references.append((tok.idx, ci))
                phrase = f"the {tok.text}"
                self.clusters[ci].forms[phrase] = self.clusters[ci].forms.get(phrase, 0) + 1
        self.references.sort()

    def resolve_role(self, tok: Token) -> int | None:
        """Resolve 'the president' / 'the senator' to the one person with that title."""
        owned = any(
            c.dep_ == "poss" and c.pos_ == "PROPN" and c.i not in self.token_cluster
            for c in tok.children
        )
        if owned:
            # "China's ambassador to Britain": the person the story described in those words.
            phrase = self.doc[tok.left_edge.i : tok.right_edge.i + 1].text.lower()
            described = [
                i
                for i, c in enumerate(self.clusters)
                if any(d.lower() == phrase for d in c.descriptions)
            ]
            if len(described) == 1:
                return described[0]
        if not any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children):
            return None
        if any(c.dep_ in {"poss", "prep", "compound"} for c in tok.children):
            return None
        lemma = tok.lemma_.lower()
        if lemma not in TITLES or lemma in {
            "former",
            "state",
            "house",
            "national",
            "security",
            "top",
        }:
            return None
        matches = [i for i, c in enumerate(self.clusters) if lemma in c.titles]
        return matches[0] if len(matches) == 1 else None

    def cluster_of_token(self, tok: Token) -> int | None:
        """The person a token names, if any (names, roles and pronouns are resolved)."""
        if tok.pos_ == "PRON" and tok.lower_ in {"he", "she"}:
            # A sentence's "He urged …" is a pronoun even in a story about Liu He.
            return self.resolve_pronoun(tok.lower_, tok.idx)
        if tok.i in self.token_cluster:
            return self.token_cluster[tok.i]
        # A compound's head: "Trump" in "President Trump" is the token; check children too.
        for child in tok.children:
            if child.dep_ in {"compound", "flat"} and child.i in self.token_cluster:
                return self.token_cluster[child.i]
        if tok.pos_ == "NOUN" and re.fullmatch(r"\d+-year-old", tok.text.lower()) is None:
            return self.resolve_role(tok)
        if re.search(r"\d+-year-old$", tok.text.lower()) or (
            tok.lower_ == "old" and any(c.text.isdigit() for c in tok.subtree)
        ):
            # "the 56-year-old said": news refers back to the person just named by age.
            return self.resolve_pronoun("they", tok.idx)
        if tok.lower_ in {"he", "she", "him", "her"}:
            return self.resolve_pronoun(tok.lower_, tok.idx)
        return self.person_at(tok)

    def resolve_pronoun(self, pronoun: str, before: int, avoid: int | None = None) -> int | None:
        """Resolve he/she to the most recent fitting person, preferring sentence subjects."""
        gender = (
            "m"
            if pronoun in {"he", "him", "his"}
            else "f"
            if pronoun in {"she", "her", "hers"}
            else None
        )
        if gender is None and pronoun != "they":
            return None
        cut = bisect_right(self._ref_starts, before)
        window_start = max(0, before - 1500)
        # "a neighbor who asked not to be named … she said": the pronoun is that unnamed person's.
        unnamed_at = self.last_unnamed_person(before)
        candidates: list[tuple[float, int, int]] = []
        here = self.quote_at(before)
        # Distance counts sentences, not names: within one sentence the grammar decides.
        rank = -1
        sentence, last = -1, before
        for order, (offset, ci) in enumerate(reversed(self.references[:cut])):
            quoted = self.quote_at(offset)
            if quoted is not None and quoted != here:
                continue
            tok = self.token_at(offset)
            start = self._sentence_start[tok.i] if tok is not None else offset
            # The parser may run a sentence on into the next paragraph: a break ends it.
            if start != sentence or "\n\n" in self.doc.text[offset:last]:
                rank += 1
                sentence = start
            last = offset
            if offset < window_start:
                break
            if ci == avoid:
                continue
            cluster_gender = self.clusters[ci].gender
            if gender is not None and cluster_gender is not None and cluster_gender != gender:
                continue
            head = _subject_of(tok) if tok is not None else None
            subject = head is not None
            main = head is not None and _in_main_clause(head)
            score = (
                -rank
                + (1.5 if subject else 0.0)
                + (1.5 if main else 0.0)
                + (0.5 if cluster_gender == gender else 0.0)
            )
            if unnamed_at is not None and unnamed_at > offset:
                continue
            candidates.append((score, -order, ci))
        if not candidates:
            return None
        return max(candidates)[2]

    def last_unnamed_person(self, before: int) -> int | None:
        """Offset of the latest 'a neighbor' / 'one resident' subject in the sentences before."""
        here = self.token_at(before)
        if here is None:
            return None
        sent = here.sent
        start = sent.start
        previous = self.doc[start - 1].sent if start > 0 else None
        first = previous.start if previous is not None else start
        found = None
        for tok in self.doc[first : here.i]:
            if (
                tok.dep_ in {"nsubj", "nsubjpass"}
                and tok.pos_ == "NOUN"
                and tok.lemma_.lower() in HUMAN_ROLES
                and any(
                    c.dep_ == "det" and c.lower_ in {"a", "an", "one", "another"}
                    for c in tok.children
                )
            ):
                found = tok.idx
        return found

    def token_at(self, offset: int) -> Token | None:
        span = self.doc.char_span(offset, offset + 1, alignment_mode="expand")
        return span[0] if span is not None and len(span) else None


def _subject_of(tok: Token) -> Token | None:
    """The subject a name is part of: itself, its head ("Maria Lopez"), or the noun it is in
    apposition to ("the chief financial officer, Maria Lopez, made the point")."""
    node = tok
    if node.dep_ in {"compound", "flat"}:
        node = node.head
    if node.dep_ == "appos":
        node = node.head
    return node if node.dep_ in {"nsubj", "nsubjpass"} else None


def _in_main_clause(subject: Token) -> bool:
    """A subject of its sentence's main verb, not of a clause inside it ('whether X slept').

    The parser sometimes runs a sentence on into the next paragraph; a clause hung on a verb
    of an earlier paragraph starts a sentence of its own."""
    verb = subject.head
    while verb.head.i != verb.i:
        if verb.dep_ not in {"conj", "ccomp", "advcl", "relcl", "acl", "xcomp", "pcomp"}:
            return True  # hung on a noun or the like: nothing to be embedded in
        low, high = sorted((verb.i, verb.head.i))
        if "\n\n" in verb.doc[low : high + 1].text:
            return True
        if verb.dep_ != "conj":
            return False
        verb = verb.head
    return True
