"""Stage 3 of reading people: profiles (forms, titles, descriptions, gender evidence)."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from bot.analysis.clustering import Cluster
from bot.analysis.mentions import Mention, bare, core_words
from bot.analysis.names import (
    FEMALE_HONORIFICS,
    FEMALE_NAMES,
    HONORIFICS,
    MALE_HONORIFICS,
    MALE_NAMES,
)
from bot.analysis.quote_spans import find_spans

_PRONOUNS = frozenset({"he", "him", "his", "himself", "she", "her", "hers", "herself"})
_PARTY = re.compile(r"\s*\((?:[RDI]|Ind|Lab|Con|LD|SNP)-[A-Za-z. ]{1,12}\)")


class ProfileBuilder:
    """Builds each person's profile from their mentions, and the token -> person map."""

    def __init__(self, doc: Doc, clusters: list[Cluster], mentions: list[Mention]) -> None:
        self.doc = doc
        self.text: str = doc.text
        self.clusters = clusters
        self.mentions = mentions
        self.token_cluster: dict[int, int] = {}
        self.references: list[tuple[int, int]] = []  # (char offset, person)

    def describe(self) -> None:  # noqa: C901 (one ordered list of the ways news writes this)
        """Forms, titles, descriptions and spans of each person; which tokens name whom."""
        doc = self.doc
        for mention in self.mentions:
            cluster = self.clusters[mention.cluster]
            form = " ".join(mention.words)
            cluster.forms[form] = cluster.forms.get(form, 0) + 1
            cluster.spans.append((mention.start, mention.end))
            for i in range(mention.token_start, mention.token_end):
                self.token_cluster[i] = mention.cluster
            self.references.append((mention.start, mention.cluster))
            title = mention.title_text.strip()
            if title:
                titled = f"{title} {form}"
                cluster.forms[titled] = cluster.forms.get(titled, 0) + 1
                title_words = {bare(w) for w in title.split()}
                cluster.titles |= title_words
                if not title_words <= HONORIFICS:
                    party = _PARTY.match(self.text, mention.end)
                    if party:
                        cluster.add_description(
                            self.text[
                                doc[mention.token_start].idx - len(title) - 1 : party.end()
                            ].strip()
                        )
                    else:
                        cluster.add_description(title)
                if title_words & MALE_HONORIFICS:
                    cluster.male += 3
                if title_words & FEMALE_HONORIFICS:
                    cluster.female += 3
            span = doc[mention.token_start : mention.token_end]
            root = span.root
            for child in root.children:
                if (
                    child.dep_ == "appos"
                    and child.i >= mention.token_end
                    and child.ent_type_ != "PERSON"
                ):
                    sub = list(child.subtree)
                    text = doc[sub[0].i : sub[-1].i + 1].text
                    if not text[:1].isdigit():
                        cluster.add_description(text)
                        cluster.titles |= {child.lemma_.lower()}
            if (
                root.dep_ == "appos"
                and root.head.pos_ == "NOUN"
                and root.head.i < mention.token_start
            ):
                head_tokens = [t for t in root.head.subtree if t.i < mention.token_start]
                if head_tokens:
                    text = doc[head_tokens[0].i : head_tokens[-1].i + 1].text.rstrip(" ,")
                    cluster.add_description(text)
                    cluster.titles |= {root.head.lemma_.lower()}
        for cluster in self.clusters:
            first = core_words(cluster.words)[0].lower()
            if len(core_words(cluster.words)) >= 2:
                if first in MALE_NAMES:
                    cluster.male += 1
                if first in FEMALE_NAMES:
                    cluster.female += 1

    def pronoun_evidence(self) -> None:
        """Learn genders from pronouns in sentences that name exactly one person."""
        # A pronoun inside a quote is the speaker's word for someone else ("She rewrote it").
        quoted = [(span.start, span.end) for span in find_spans(self.text)]
        for sent in self.doc.sents:
            named = {self.token_cluster[t.i] for t in sent if t.i in self.token_cluster}
            if len(named) != 1:
                continue
            (ci,) = named
            for tok in sent:
                low = tok.lower_
                if low in _PRONOUNS and not self._may_refer_to_name(tok, quoted):
                    continue
                if low in {"he", "him", "his", "himself"}:
                    self.clusters[ci].male += 1
                elif low in {"she", "her", "hers", "herself"}:
                    self.clusters[ci].female += 1

    def _may_refer_to_name(self, tok: Token, quoted: list[tuple[int, int]]) -> bool:
        """Whether a pronoun can be the sentence's named person, for gender evidence."""
        if any(start <= tok.idx < end for start, end in quoted):
            return False
        # "X is the first apprentice she has taken on": the pronoun in a clause about a
        # noun is someone else ("X, who said he …" hangs the clause on the name itself).
        for ancestor in tok.ancestors:
            if ancestor.dep_ == "relcl":
                return ancestor.head.i in self.token_cluster
        head = tok.head
        if tok.dep_ == "poss" and any(t.i in self.token_cluster for t in head.subtree):
            return False  # "her editor, Marcus Tilden": nobody is their own editor
        if tok.dep_ in {"dobj", "dative", "iobj"}:
            # "X tells her": a named subject's object pronoun is someone else (else "herself").
            subjects = [c for c in head.children if c.dep_ in {"nsubj", "nsubjpass"}]
            if head.dep_ == "conj" and not subjects:
                subjects = [c for c in head.head.children if c.dep_ in {"nsubj", "nsubjpass"}]
            named = (t.i in self.token_cluster for s in subjects for t in s.subtree)
            if any(named):
                return False
        return True
