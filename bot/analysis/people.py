"""Find the people of an article: one cluster per person, with aliases and descriptions."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from bot.analysis.names import (
    FEMALE_HONORIFICS,
    FEMALE_NAMES,
    HONORIFICS,
    HUMAN_ROLES,
    MALE_HONORIFICS,
    MALE_NAMES,
    NAME_SUFFIXES,
    NON_PERSON_NEXT,
    NON_PERSON_PREV,
    NON_PERSON_WORDS,
    PARTICLES,
    TITLES,
)
from bot.analysis.types import PersonResult

# Titles strong enough to mark the next proper noun as a person even when NER missed it.
STRONG_TITLES = HONORIFICS | {
    "sen",
    "senator",
    "rep",
    "gov",
    "governor",
    "judge",
    "justice",
    "coach",
    "president",
    "mayor",
    "prime",
    "minister",
    "chancellor",
    "secretary",
    "ambassador",
    "commissioner",
    "sheriff",
    "detective",
    "officer",
    "rev",
    "reverend",
    "gen",
    "col",
    "capt",
    "sgt",
    "lt",
    "adm",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "rabbi",
    "imam",
    "bishop",
    "cardinal",
    "councilman",
    "councilwoman",
    "councilor",
    "professor",
    "sir",
    "dame",
}
_PARTY = re.compile(r"\s*\((?:[RDI]|Ind|Lab|Con|LD|SNP)-[A-Za-z. ]{1,12}\)")
_NAME_WORD = re.compile(
    r"^(?:[A-Z][\w'\u2019.-]*|[A-Z]\.(?:[A-Z]\.)*|(?:" + "|".join(sorted(PARTICLES)) + r"))$"
)
_POSSESSIVE = ("'s", "\u2019s", "'", "\u2019")
_SPEECH = {
    "say",
    "tell",
    "add",
    "write",
    "ask",
    "explain",
    "note",
    "recall",
    "insist",
    "argue",
    "warn",
    "testify",
    "post",
    "reply",
    "continue",
}


def _bare(word: str) -> str:
    return word.lower().rstrip(".").strip("'\u2019")


def _is_suffix(word: str) -> bool:
    return _bare(word) in {s.rstrip(".") for s in NAME_SUFFIXES}


def _core(words: list[str]) -> list[str]:
    """Name words without trailing suffixes (Jr., III)."""
    core = list(words)
    while len(core) > 1 and _is_suffix(core[-1]):
        core.pop()
    return core


def _surname(words: list[str]) -> str:
    core = _core(words)
    return core[-1].lower()


def _first_compatible(a: str, b: str) -> bool:
    """'John' ~ 'John'; 'J.' ~ 'John'; 'J.R.' ~ 'John'."""
    a_, b_ = a.lower().rstrip("."), b.lower().rstrip(".")
    if a_ == b_:
        return True
    if "." in a or len(a_) == 1:
        return b_.startswith(a_[0])
    if "." in b or len(b_) == 1:
        return a_.startswith(b_[0])
    return False


@dataclass
class Cluster:
    """One person in one article."""

    words: list[str]
    forms: dict[str, int] = field(default_factory=dict)
    titles: set[str] = field(default_factory=set)
    descriptions: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    male: int = 0
    female: int = 0

    @property
    def name(self) -> str:
        """Canonical name: the fullest form the article gives."""
        return " ".join(self.words)

    @property
    def gender(self) -> str | None:
        """'m', 'f' or None when the article does not tell."""
        if self.male > self.female:
            return "m"
        if self.female > self.male:
            return "f"
        return None

    def add_description(self, text: str) -> None:
        """Add a description unless it is already there (case-insensitive)."""
        text = text.strip(" ,;:—–-")
        if len(text) < 3 or len(text) > 160:
            return
        if text.lower() not in {d.lower() for d in self.descriptions}:
            self.descriptions.append(text)


@dataclass
class _Mention:
    start: int
    end: int
    words: list[str]
    title_text: str
    token_start: int
    token_end: int
    cluster: int = -1


class PersonIndex:
    """People of one doc, with lookups for quote and event attribution."""

    def __init__(self, doc: Any, name_hints: dict[str, str] | None = None) -> None:
        self.doc = doc
        self.name_hints = name_hints or {}
        self.text: str = doc.text
        self.clusters: list[Cluster] = []
        self.mentions: list[_Mention] = []
        self.token_cluster: dict[int, int] = {}
        self.references: list[tuple[int, int]] = []  # (char offset, cluster) incl. "the president"
        self._build()

    # ---- building -------------------------------------------------------------------------

    def _is_non_person(self, span_start: int, span_end: int, words: list[str]) -> bool:
        doc = self.doc
        if any(w.lower() in NON_PERSON_WORDS for w in words):
            return True
        if any(ch.isdigit() for w in words for ch in w):
            return True
        nxt = doc[span_end] if span_end < len(doc) else None
        if nxt is not None:
            if nxt.text.lower() in NON_PERSON_NEXT and nxt.text[:1].isupper():
                return True
            if nxt.text in _POSSESSIVE and span_end + 1 < len(doc):
                after = doc[span_end + 1].text.lower()
                if after in {"disease", "syndrome", "law", "razor", "paradox"}:
                    return True
        prev = doc[span_start - 1] if span_start > 0 else None
        return (
            prev is not None
            and prev.text.lower().rstrip(".") in {p.rstrip(".") for p in NON_PERSON_PREV}
            and prev.text[:1].isupper()
        )

    def _trim(self, start: int, end: int) -> tuple[int, int, list[int]]:
        """Strip titles from the left and possessives/punctuation from the right."""
        doc = self.doc
        titles: list[int] = []
        while (
            start < end - 1 and _bare(doc[start].text) in TITLES and doc[start].text[:1].isupper()
        ):
            titles.append(start)
            start += 1
        while end > start and (doc[end - 1].text in _POSSESSIVE or doc[end - 1].is_punct):
            end -= 1
        # Extend left over given names NER cut off ("Marcus" of "Marcus Ellison Jr.").
        while (
            start > 0
            and doc[start - 1].pos_ == "PROPN"
            and doc[start - 1].text[:1].isupper()
            and doc[start - 1].dep_ in {"compound", "flat"}
            and _bare(doc[start - 1].text) not in TITLES
            and doc[start - 1].ent_type_ not in {"GPE", "ORG", "NORP", "LOC", "FAC"}
        ):
            start -= 1
        # "Questioning Vindman", "Asked Smith": a sentence-initial verb NER swept into the name.
        while start < end - 1 and (
            doc[start].tag_ in {"VBG", "VBD", "VBN", "VB", "RB"}
            or (doc[start].is_sent_start and doc[start].lower_.endswith("ing"))
        ):
            start += 1
        # Extend right over a proper noun NER cut off ("Grace Wairimu" + "Njoroge").
        while (
            end < len(doc)
            and end > start
            and doc[end - 1].whitespace_
            and doc[end].pos_ == "PROPN"
            and doc[end].text[:1].isupper()
            and doc[end].ent_type_ not in {"GPE", "ORG", "NORP", "LOC", "FAC", "DATE", "TIME"}
            and _bare(doc[end].text) not in TITLES
            and doc[end].lower_ not in NON_PERSON_NEXT
        ):
            end += 1
        # Extend right over a name suffix spaCy left out ("Whitcomb Jr.").
        while end < len(doc) and _is_suffix(doc[end].text) and doc[end].text[:1].isupper():
            end += 1
        return start, end, titles

    def _left_title(self, start: int, end: int | None = None) -> int:
        """Index where the title/description words before a name begin."""
        doc = self.doc
        names = set(range(start, end if end is not None else start + 1))
        names |= {t.head.i for t in doc[start : end if end is not None else start + 1]}
        i = start - 1
        while i >= 0:
            tok = doc[i]
            low = _bare(tok.text)
            if tok.is_punct:
                break
            if tok.pos_ in {"DET", "PRON", "VERB", "AUX", "ADP", "CCONJ", "SCONJ", "PART", "NUM"}:
                break
            if (
                tok.dep_ == "poss"
                or tok.ent_type_ in {"GPE", "NORP", "ORG", "DATE", "CARDINAL"}
                and low not in TITLES
            ):
                break
            # Only words that modify the name belong to its title ("Other former" in
            # "Other former Trump administration officials" modifies "officials").
            if (
                tok.pos_ in {"NOUN", "PROPN", "ADJ"}
                and tok.head.i in names
                and (tok.dep_ in {"compound", "amod", "nmod"} or low in TITLES)
            ):
                names.add(i)
                i -= 1
                continue
            break
        return i + 1

    def _words(self, start: int, end: int) -> list[str]:
        return [str(w) for w in self.doc[start:end].text.split()]

    def _add_mention(self, start: int, end: int) -> None:
        doc = self.doc
        start, end, _ = self._trim(start, end)
        if end <= start:
            return
        words = self._words(start, end)
        if not words or not all(_NAME_WORD.match(w) or _is_suffix(w) for w in words):
            return
        if all(w.lower() in PARTICLES for w in words):
            return
        if len(words) == 1 and _bare(words[0]) in TITLES:
            return  # "Coach" on its own
        if len(words) == 1 and words[0].isupper() and len(words[0]) > 2:
            return  # datelines ("BERLIN —") and acronyms
        if self._is_non_person(start, end, words):
            return
        if any(start < m.token_end and m.token_start < end for m in self.mentions):
            return
        left = self._left_title(start, end)
        title_text = doc[left:start].text if left < start else ""
        self.mentions.append(
            _Mention(
                doc[start].idx,
                doc[end - 1].idx + len(doc[end - 1].text),
                words,
                title_text,
                start,
                end,
            )
        )

    def _collect(self) -> None:
        doc = self.doc
        label_counts: dict[str, dict[str, int]] = {}
        for ent in doc.ents:
            label_counts.setdefault(ent.text, {}).setdefault(ent.label_, 0)
            label_counts[ent.text][ent.label_] += 1
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            counts = label_counts.get(ent.text, {})
            other = sum(v for k, v in counts.items() if k in {"GPE", "ORG", "LOC", "FAC", "NORP"})
            if len(ent) == 1 and other > counts.get("PERSON", 0):
                continue  # "Jordan" the country, tagged PERSON once
            self._add_mention(ent.start, ent.end)
        # A name in apposition with a role is a person: "the trade minister, Park Ji-hoon,".
        for tok in doc:
            if (
                tok.pos_ == "PROPN"
                and tok.dep_ == "appos"
                and tok.head.lemma_.lower() in HUMAN_ROLES
            ):
                name_tok = tok
            elif (
                tok.dep_ == "appos"
                and tok.lemma_.lower() in HUMAN_ROLES
                and tok.head.pos_ == "PROPN"
            ):
                name_tok = tok.head
            else:
                continue
            if name_tok.ent_type_ in {"GPE", "NORP", "LOC", "FAC", "DATE"}:
                continue
            first = name_tok.i
            while (
                first > 0 and doc[first - 1].pos_ == "PROPN" and doc[first - 1].head.i == name_tok.i
            ):
                first -= 1
            self._add_mention(first, name_tok.i + 1)
        # Proper nouns right after a strong title are people even when NER disagrees.
        for tok in doc:
            if _bare(tok.text) not in STRONG_TITLES or not tok.text[:1].isupper():
                continue
            j = tok.i + 1
            while j < len(doc) and _bare(doc[j].text) in TITLES and doc[j].text[:1].isupper():
                j += 1
            k = j
            while k < len(doc) and (
                (doc[k].pos_ == "PROPN" and doc[k].text[:1].isupper())
                or (
                    doc[k].text in {"-", "."}
                    and k + 1 < len(doc)
                    and doc[k + 1].text[:1].isupper()
                    and not doc[k].whitespace_
                )
                or (
                    doc[k].text.lower() in PARTICLES
                    and k + 1 < len(doc)
                    and doc[k + 1].text[:1].isupper()
                )
            ):
                if doc[k].ent_type_ in {"GPE", "DATE", "NORP"}:
                    break
                k += 1
            if k > j:
                self._add_mention(j, k)
        self.mentions.sort(key=lambda m: m.start)

    def _cluster(self) -> None:
        full = [m for m in self.mentions if len(_core(m.words)) >= 2]
        for mention in full:
            core = _core(mention.words)
            target = -1
            for ci, cluster in enumerate(self.clusters):
                ccore = _core(cluster.words)
                if (
                    len(ccore) >= 2
                    and ccore[-1].lower() == core[-1].lower()
                    and _first_compatible(ccore[0], core[0])
                ):
                    target = ci
                    break
                low, clow = [w.lower() for w in core], [w.lower() for w in ccore]
                shorter, longer = (low, clow) if len(low) <= len(clow) else (clow, low)
                if longer[-len(shorter) :] == shorter and (
                    len(shorter) >= 2 or shorter[0] in PARTICLES
                ):
                    # "Hawk Sawyer" is "Kathleen Hawk Sawyer"; "van der Berg" is "Ludwig van der Berg".
                    target = ci
                    break
            if target < 0:
                self.clusters.append(Cluster(words=list(mention.words)))
                target = len(self.clusters) - 1
            elif len(mention.words) > len(self.clusters[target].words):
                self.clusters[target].words = list(mention.words)
            mention.cluster = target
        for mention in self.mentions:
            if mention.cluster >= 0:
                continue
            best = self.match_words(mention.words, mention.start)
            if best is None:
                self.clusters.append(Cluster(words=list(mention.words)))
                best = len(self.clusters) - 1
            mention.cluster = best

    def _apply_hints(self) -> None:
        """A surname-only person gets the full name a removed hover card gave for it."""
        for cluster in self.clusters:
            core = _core(cluster.words)
            full = self.name_hints.get(core[-1])
            if full and len(core) < len(full.split()) and full.split()[-len(core) :] == core:
                cluster.words = full.split() + cluster.words[len(core) :]

    def _describe(self) -> None:
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
                title_words = {_bare(w) for w in title.split()}
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
            first = _core(cluster.words)[0].lower()
            if len(_core(cluster.words)) >= 2:
                if first in MALE_NAMES:
                    cluster.male += 1
                if first in FEMALE_NAMES:
                    cluster.female += 1

    def _pronoun_evidence(self) -> None:
        """Learn genders from pronouns in sentences that name exactly one person."""
        for sent in self.doc.sents:
            named = {self.token_cluster[t.i] for t in sent if t.i in self.token_cluster}
            if len(named) != 1:
                continue
            (ci,) = named
            for tok in sent:
                low = tok.lower_
                if low in {"he", "him", "his", "himself"}:
                    self.clusters[ci].male += 1
                elif low in {"she", "her", "hers", "herself"}:
                    self.clusters[ci].female += 1

    def _role_references(self) -> None:
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

    def _sweep_surnames(self, *, single: bool = False) -> None:
        """Bare surnames NER missed ("Pierce said") belong to the named person; with single,
        also the names of people known by one word, whose full name NER may have missed."""
        doc = self.doc
        surnames: dict[str, int] = {}
        for ci, cluster in enumerate(self.clusters):
            core = _core(cluster.words)
            if len(core) >= 2 or (single and len(core) == 1 and len(core[0]) > 2):
                surnames.setdefault(core[-1], ci)
        taken = {i for m in self.mentions for i in range(m.token_start, m.token_end)}
        for surname, ci in surnames.items():
            for match in re.finditer(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", self.text):
                span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
                if span is None or any(t.i in taken for t in span):
                    continue
                prev = doc[span.start - 1] if span.start > 0 else None
                if (
                    prev is not None
                    and prev.text[:1].isupper()
                    and prev.pos_ == "PROPN"
                    and _bare(prev.text) not in TITLES
                ):
                    cluster = self.clusters[ci]
                    if len(_core(cluster.words)) == 1 and prev.ent_type_ not in {
                        "GPE",
                        "ORG",
                        "NORP",
                    }:
                        # "Ana Ruiz-Ortega" names in full the person known so far as "Ruiz-Ortega".
                        cluster.words = [prev.text, *cluster.words]
                        mention = _Mention(
                            prev.idx, match.end(), [prev.text, surname], "", prev.i, span.end, ci
                        )
                        self.mentions.append(mention)
                        taken |= set(range(prev.i, span.end))
                    continue  # part of a full name
                if self._is_non_person(span.start, span.end, [surname]):
                    continue
                last = span[-1]
                if last.dep_ == "compound" and last.head.pos_ == "NOUN" and last.head.i > last.i:
                    continue  # "the Trump administration" names an administration, not the man
                left = self._left_title(span.start, span.end)
                mention = _Mention(
                    match.start(),
                    match.end(),
                    [surname],
                    doc[left : span.start].text if left < span.start else "",
                    span.start,
                    span.end,
                    ci,
                )
                self.mentions.append(mention)
                taken |= set(range(span.start, span.end))
        self.mentions.sort(key=lambda m: m.start)

    def _poisoned(self) -> set[str]:
        """Names used for storms, parks, schools... in this article are not people here."""
        poisoned = set()
        for tok in self.doc:
            if (
                tok.lower_.rstrip(".") in {p.rstrip(".") for p in NON_PERSON_PREV}
                and tok.text[:1].isupper()
            ):
                nxt = tok.nbor(1) if tok.i + 1 < len(self.doc) else None
                if nxt is not None and nxt.text[:1].isupper():
                    poisoned.add(nxt.text)
            if tok.text[:1].isupper() and tok.i + 1 < len(self.doc):
                nxt = self.doc[tok.i + 1]
                if nxt.text.lower() in NON_PERSON_NEXT and nxt.text[:1].isupper():
                    poisoned.add(tok.text)
        return poisoned

    def _drop_unlikely(self) -> None:
        """Drop one-word 'people' with no title, no speech and a single mention, and places."""
        doc = self.doc
        poisoned = self._poisoned()
        keep: list[int] = []
        for ci, cluster in enumerate(self.clusters):
            mentions = [m for m in self.mentions if m.cluster == ci]
            core = _core(cluster.words)
            preceded = [
                doc[m.token_start - 1].lower_ if m.token_start > 0 else "" for m in mentions
            ]
            if mentions and all(
                p in {"the", "in", "at", "from", "near", "outside", "to", "of"} for p in preceded
            ):
                continue  # "the Bulldogs", "in Buenos Aires"
            if len(core) >= 2:
                keep.append(ci)
                continue
            if core[0] in poisoned:
                continue
            titled = any(
                m.title_text and {_bare(w) for w in m.title_text.split()} & TITLES for m in mentions
            )
            speaks = any(
                doc[i].dep_ in {"nsubj", "nsubjpass"} and doc[i].head.lemma_ in _SPEECH
                for m in mentions
                for i in range(m.token_start, m.token_end)
            )
            if titled or speaks or len(mentions) >= 3:
                keep.append(ci)
        remap = {old: new for new, old in enumerate(keep)}
        self.clusters = [self.clusters[i] for i in keep]
        self.mentions = [m for m in self.mentions if m.cluster in remap]
        for mention in self.mentions:
            mention.cluster = remap[mention.cluster]

    def _build(self) -> None:
        self._collect()
        self._cluster()
        self._apply_hints()
        self._sweep_surnames()
        self._drop_unlikely()
        self._sweep_surnames(single=True)
        self._describe()
        self._pronoun_evidence()
        self._role_references()
        self._ref_starts = [r[0] for r in self.references]

    # ---- lookups --------------------------------------------------------------------------

    def match_words(self, words: list[str], at: int) -> int | None:
        """The person a short name form refers to at an offset (surname, then first name)."""
        found = self._match_exact(words, at)
        if found is None and len(_core(words)) == 1 and len(words[0]) >= 5:
            # Transliterations vary within one article: "Zelenskyy" and "Volodymyr Zelensky".
            from rapidfuzz.fuzz import ratio

            word = words[0].lower()
            for ci, cluster in enumerate(self.clusters):
                surname = _core(cluster.words)[-1].lower()
                if (
                    len(_core(cluster.words)) >= 2
                    and surname[:4] == word[:4]
                    and ratio(surname, word) >= 88
                ):
                    return ci
        return found

    def _match_exact(self, words: list[str], at: int) -> int | None:
        lowered = [w.lower() for w in _core(words)]
        best, best_score = None, -1.0
        for ci, cluster in enumerate(self.clusters):
            ccore = [w.lower() for w in _core(cluster.words)]
            if ccore == lowered:
                return ci
            if len(ccore) < 2 or len(lowered) >= len(ccore):
                continue
            score = 0.0
            if ccore[-len(lowered) :] == lowered:
                score = 2.0
            elif ccore[: len(lowered)] == lowered:
                score = 1.0
            if score == 0:
                continue
            # Among family members who share a surname, news style keeps the bare surname for the
            # story's subject, who is introduced first; relatives get their given names.
            before = [m.start for m in self.mentions if m.cluster == ci and m.start < at]
            score += 0.5 + (1.0 - min(before) / 10**9 if before else 0.0)
            if score > best_score:
                best, best_score = ci, score
        return best

    def person_at(self, tok: Any) -> int | None:
        """Resolve a proper-noun subject the NER missed ("said Okafor") to a person."""
        if tok.pos_ != "PROPN" or not tok.text[:1].isupper():
            return None
        start = tok.i
        while (
            start > 0
            and self.doc[start - 1].pos_ == "PROPN"
            and self.doc[start - 1].dep_ in {"compound", "flat"}
        ):
            start -= 1
        before = len(self.mentions)
        self._add_mention(start, tok.i + 1)
        if len(self.mentions) == before:
            return None
        mention = self.mentions.pop()
        ci = self.match_words(mention.words, mention.start)
        if ci is None:
            if tok.ent_type_ in {"GPE", "ORG", "NORP", "LOC", "FAC", "DATE"}:
                return None
            if len(_core(mention.words)) < 2 and tok.dep_ not in {"nsubj", "nsubjpass"}:
                return None
            self.clusters.append(Cluster(words=list(mention.words)))
            ci = len(self.clusters) - 1
        mention.cluster = ci
        self.mentions.append(mention)
        self.mentions.sort(key=lambda m: m.start)
        cluster = self.clusters[ci]
        form = " ".join(mention.words)
        cluster.forms[form] = cluster.forms.get(form, 0) + 1
        cluster.spans.append((mention.start, mention.end))
        for i in range(mention.token_start, mention.token_end):
            self.token_cluster[i] = ci
        self.references.append((mention.start, ci))
        self.references.sort()
        self._ref_starts = [r[0] for r in self.references]
        return ci

    def resolve_role(self, tok: Any) -> int | None:
        """Resolve 'the president' / 'the senator' to the one person with that title."""
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

    def cluster_of_token(self, tok: Any) -> int | None:
        """The person a token names, if any (names, roles and pronouns are resolved)."""
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
        unnamed_at = self._last_unnamed_person(before)
        candidates: list[tuple[float, int]] = []
        for rank, (offset, ci) in enumerate(reversed(self.references[:cut])):
            if offset < window_start or ci == avoid:
                continue
            cluster_gender = self.clusters[ci].gender
            if gender is not None and cluster_gender is not None and cluster_gender != gender:
                continue
            tok = self._token_at(offset)
            subject = (
                tok is not None
                and tok.dep_ in {"nsubj", "nsubjpass"}
                or (
                    tok is not None
                    and tok.head.dep_ in {"nsubj", "nsubjpass"}
                    and tok.dep_ in {"compound", "flat"}
                )
            )
            score = -rank + (1.5 if subject else 0.0) + (0.5 if cluster_gender == gender else 0.0)
            if unnamed_at is not None and unnamed_at > offset:
                continue
            candidates.append((score, ci))
        if not candidates:
            return None
        return max(candidates)[1]

    def _last_unnamed_person(self, before: int) -> int | None:
        """Offset of the latest 'a neighbor' / 'one resident' subject in the sentences before."""
        here = self._token_at(before)
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

    def _token_at(self, offset: int) -> Any:
        span = self.doc.char_span(offset, offset + 1, alignment_mode="expand")
        return span[0] if span is not None and len(span) else None

    def clusters_in(self, start: int, end: int) -> list[int]:
        """People referred to between two offsets, in order of first reference."""
        seen: list[int] = []
        for offset, ci in self.references:
            if start <= offset < end and ci not in seen:
                seen.append(ci)
        return seen

    def results(self) -> list[PersonResult]:
        """One PersonResult per person, in order of first mention."""
        out = []
        counts: dict[int, int] = {}
        for _, ci in self.references:
            counts[ci] = counts.get(ci, 0) + 1
        for ci, cluster in enumerate(self.clusters):
            if not cluster.spans:
                continue
            aliases = [f for f in cluster.forms if f != cluster.name]
            out.append(
                PersonResult(
                    name=cluster.name,
                    aliases=aliases,
                    descriptions=list(cluster.descriptions),
                    mentions=counts.get(ci, len(cluster.spans)),
                    first_offset=min(s for s, _ in cluster.spans),
                )
            )
        out.sort(key=lambda p: p.first_offset)
        return out

    def name_of(self, ci: int | None) -> str | None:
        """Canonical name of a cluster index."""
        return None if ci is None else self.clusters[ci].name
