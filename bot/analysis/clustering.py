"""Stage 2 of reading people: group name mentions into one cluster per person."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.analysis.mentions import (
    Mention,
    MentionFinder,
    bare,
    core_words,
    first_compatible,
)
from bot.analysis.names import (
    HUMAN_ROLES,
    NON_PERSON_NEXT,
    NON_PERSON_PREV,
    PARTICLES,
    SPEECH_VERBS,
    TITLES,
    is_given_name,
)

_THING_LABELS = frozenset({"ORG", "GPE", "FAC", "LOC", "PRODUCT", "WORK_OF_ART", "EVENT"})
# The words before a name that make it a thing, compared without their trailing dot.
_NON_PERSON_PREV_BARE = frozenset(p.rstrip(".") for p in NON_PERSON_PREV)


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


class Clusterer:
    """Clusters the mentions a MentionFinder collected; sweeps bare surnames NER missed and
    drops clusters that are unlikely to be people."""

    def __init__(self, finder: MentionFinder, name_hints: dict[str, str]) -> None:
        self.finder = finder
        self.doc = finder.doc
        self.text = finder.text
        self.mentions = finder.mentions
        self.name_hints = name_hints
        self.clusters: list[Cluster] = []
        self._unmatched_full: list[Mention] = []

    def run(self) -> list[Cluster]:
        """All clustering steps, in order."""
        self.cluster()
        self.apply_hints()
        self.sweep_surnames()
        self.drop_unlikely()
        self.adopt_fuller_names()
        self.sweep_surnames(single=True)
        return self.clusters

    def adopt_fuller_names(self) -> None:
        """'Montell Figgins, who represents …' (tagged an organisation), then 'Figgins said':
        the full name is the fuller form of the one person the story calls by that surname."""
        for mention in self._unmatched_full:
            surname = core_words(mention.words)[-1].lower()
            namesakes = [
                ci
                for ci, cluster in enumerate(self.clusters)
                if core_words(cluster.words)[-1].lower() == surname
            ]
            if len(namesakes) != 1 or len(core_words(self.clusters[namesakes[0]].words)) != 1:
                continue
            if any(
                m.token_start < mention.token_end and mention.token_start < m.token_end
                for m in self.mentions
            ):
                continue
            mention.cluster = namesakes[0]
            self.clusters[namesakes[0]].words = list(mention.words)
            self.mentions.append(mention)
        self.mentions.sort(key=lambda m: m.start)

    def cluster(self) -> None:
        """Group mentions into people: full names first, then short forms by the nearest match."""
        full = [m for m in self.mentions if len(core_words(m.words)) >= 2]
        for mention in full:
            core = core_words(mention.words)
            target = -1
            for ci, cluster in enumerate(self.clusters):
                ccore = core_words(cluster.words)
                if (
                    len(ccore) >= 2
                    and ccore[-1].lower() == core[-1].lower()
                    and first_compatible(ccore[0], core[0])
                ):
                    target = ci
                    break
                low, clow = [w.lower() for w in core], [w.lower() for w in ccore]
                shorter, longer = (low, clow) if len(low) <= len(clow) else (clow, low)
                if longer[-len(shorter) :] == shorter and (
                    len(shorter) >= 2 or shorter[0] in PARTICLES
                ):
                    # "Hawk Sawyer" is "Kathleen Hawk Sawyer";
                    # "van der Berg" is "Ludwig van der Berg".
                    target = ci
                    break
            if target < 0 and mention.weak:
                continue
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
            if best is None and mention.weak:
                continue
            if best is None:
                self.clusters.append(Cluster(words=list(mention.words)))
                best = len(self.clusters) - 1
            mention.cluster = best
        # Kept aside: a full name NER took for an organisation may be a surname's fuller form.
        self._unmatched_full = [
            m for m in self.mentions if m.cluster < 0 and len(core_words(m.words)) >= 2
        ]
        # Weak mentions that matched nobody are not people.
        self.mentions[:] = [m for m in self.mentions if m.cluster >= 0]

    def apply_hints(self) -> None:
        """A surname-only person gets the full name a removed hover card gave for it."""
        for cluster in self.clusters:
            core = core_words(cluster.words)
            full = self.name_hints.get(core[-1])
            if full and len(core) < len(full.split()) and full.split()[-len(core) :] == core:
                cluster.words = full.split() + cluster.words[len(core) :]

    def sweep_surnames(self, *, single: bool = False) -> None:
        """Bare surnames NER missed ("Pierce said") belong to the named person; with single,
        also the names of people known by one word, whose full name NER may have missed."""
        doc = self.doc
        surnames: dict[str, int] = {}
        for ci, cluster in enumerate(self.clusters):
            core = core_words(cluster.words)
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
                    and bare(prev.text) not in TITLES
                ):
                    cluster = self.clusters[ci]
                    if len(core_words(cluster.words)) == 1 and prev.ent_type_ not in {
                        "GPE",
                        "ORG",
                        "NORP",
                    }:
                        # "Ana Ruiz-Ortega" names in full the person known so far as "Ruiz-Ortega".
                        first = prev.i
                        if (
                            first >= 2
                            and doc[first - 1].text == "-"
                            and not doc[first - 2].whitespace_
                            and not doc[first - 1].whitespace_
                            and doc[first - 2].text[:1].isupper()
                        ):
                            first -= 2  # "Eva-Marie Persson"
                        given = doc[first : prev.i + 1].text
                        cluster.words = [given, *cluster.words]
                        mention = Mention(
                            doc[first].idx, match.end(), [given, surname], "", first, span.end, ci
                        )
                        self.mentions.append(mention)
                        taken |= set(range(first, span.end))
                    continue  # part of a full name
                if self.finder.is_non_person(span.start, span.end, [surname]):
                    continue
                if len(span) == 1 and span[0].pos_ == "PRON":
                    continue  # "He urged …" in a story about Liu He is a pronoun
                last = span[-1]
                if last.dep_ == "compound" and last.head.pos_ == "NOUN" and last.head.i > last.i:
                    continue  # "the Trump administration" names an administration, not the man
                left = self.finder.left_title(span.start, span.end)
                mention = Mention(
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
            if tok.lower_.rstrip(".") in _NON_PERSON_PREV_BARE and tok.text[:1].isupper():
                nxt = tok.nbor(1) if tok.i + 1 < len(self.doc) else None
                if nxt is not None and nxt.text[:1].isupper():
                    poisoned.add(nxt.text)
            if tok.text[:1].isupper() and tok.i + 1 < len(self.doc):
                nxt = self.doc[tok.i + 1]
                if nxt.text.lower() in NON_PERSON_NEXT and nxt.text[:1].isupper():
                    poisoned.add(tok.text)
        return poisoned

    def drop_unlikely(self) -> None:
        """Drop one-word 'people' with no title, no speech and a single mention, and places."""
        doc = self.doc
        poisoned = self._poisoned()
        keep: list[int] = []
        for ci, cluster in enumerate(self.clusters):
            mentions = [m for m in self.mentions if m.cluster == ci]
            core = core_words(cluster.words)
            preceded = [
                doc[m.token_start - 1].lower_
                if m.token_start > 1 and doc[m.token_start - 2].lower_ != "according"
                else ""
                for m in mentions
            ]
            given = len(core) >= 2 and is_given_name(core[0])
            if mentions and all(
                p in {"the", "@", "atop"}
                or (p in {"in", "at", "from", "near", "outside", "to", "of"} and not given)
                for p in preceded
            ):
                continue  # "the Bulldogs", "in Buenos Aires" (but "a shot at Matt Murray")
            last = [doc[m.token_end - 1] for m in mentions]
            if any(t.tag_ == "NNPS" for t in last) and any(p == "the" for p in preceded):
                continue  # "the Red Wings": a team
            if len(core) >= 2:
                if not any(self._names_a_place(m) for m in mentions) and not self._organization(
                    cluster
                ):
                    keep.append(ci)
                continue
            if not is_given_name(core[0]) and any(self._group(m) for m in mentions):
                continue  # "Spurs have won just five": a plural subject is a team or a group
            if core[0] in poisoned:
                continue
            titled = any(
                m.title_text and {bare(w) for w in m.title_text.split()} & TITLES for m in mentions
            ) or any(self._beside_role(m) for m in mentions)
            speaks = any(
                doc[i].dep_ in {"nsubj", "nsubjpass"} and doc[i].head.lemma_ in SPEECH_VERBS
                for m in mentions
                for i in range(m.token_start, m.token_end)
            )
            if not titled and not speaks:
                labels = self.finder.labels_of(core[0])
                if labels & {"ORG", "GPE", "FAC", "LOC", "NORP", "PRODUCT", "WORK_OF_ART"}:
                    continue  # "Gannett", named a company elsewhere in the article
                if any(self._among_organizations(m) for m in mentions):
                    continue  # "chains Gannett and GateHouse Media", "the merged Gannett"
                plural = core[0].endswith("s") and not core[0].endswith(("ss", "us", "is"))
                if plural and any(p == "the" for p in preceded):
                    continue  # "the Bruins", "the Spurs": a team
            if titled or speaks or len(mentions) >= 3:
                keep.append(ci)
        remap = {old: new for new, old in enumerate(keep)}
        self.clusters = [self.clusters[i] for i in keep]
        self.mentions = [m for m in self.mentions if m.cluster in remap]
        for mention in self.mentions:
            mention.cluster = remap[mention.cluster]

    def _organization(self, cluster: Cluster) -> bool:
        """A full name with no known given name that NER calls an organisation, a place or a
        work at least as often as a person ('Orbit Beyond', 'Big Machine')."""
        if is_given_name(cluster.words[0]):
            return False
        counts = self.finder.label_counts.get(cluster.name, {})
        other = sum(n for label, n in counts.items() if label in _THING_LABELS)
        return other > 0 and other >= counts.get("PERSON", 0)

    def _group(self, mention: Mention) -> bool:
        """A one-word name that is the subject of a plural verb ('Spurs have won')."""
        tok = self.doc[mention.token_end - 1]
        if tok.dep_ != "nsubj" or any(c.dep_ == "conj" for c in tok.children):
            return False
        verb = tok.head
        return verb.tag_ == "VBP" or any(
            c.dep_ == "aux" and (c.tag_ == "VBP" or c.lower_ == "were") for c in verb.children
        )

    def _beside_role(self, mention: Mention) -> bool:
        """A name in apposition with a role is titled: 'his wife, Kimberly,'."""
        tok = self.doc[mention.token_end - 1]
        return tok.dep_ == "appos" and tok.head.lemma_.lower() in HUMAN_ROLES

    def _names_a_place(self, mention: Mention) -> bool:
        """A full name that modifies an institution noun ('Walter Reed hospital', 'Jordan High')
        names the place in this article, not a person."""
        doc = self.doc
        if mention.token_end >= len(doc) or len(mention.words) < 2:
            return False
        last, nxt = doc[mention.token_end - 1], doc[mention.token_end]
        return (
            last.dep_ == "compound"
            and last.head.i >= nxt.i
            and nxt.pos_ in {"NOUN", "PROPN"}
            and nxt.lower_ in NON_PERSON_NEXT
        ) or mention.words[-1].lower() in NON_PERSON_NEXT

    def _among_organizations(self, mention: Mention) -> bool:
        """A name listed with organisations, or after 'the' and an adjective, is no person."""
        doc = self.doc
        tok = doc[mention.token_end - 1]
        partners = [c for c in tok.children if c.dep_ == "conj"]
        if tok.dep_ == "conj":
            partners.append(tok.head)
        if any(p.ent_type_ in {"ORG"} for p in partners):
            return True
        start = mention.token_start
        return (
            start > 1
            and doc[start - 1].pos_ == "ADJ"
            and doc[start - 1].text.islower()
            and doc[start - 2].lower_ == "the"
        )

    def match_words(self, words: list[str], at: int) -> int | None:
        """The person a short name form refers to at an offset (surname, then first name)."""
        found = self._match_exact(words, at)
        if found is None and len(core_words(words)) == 1 and len(words[0]) >= 5:
            # Transliterations vary within one article: "Zelenskyy" and "Volodymyr Zelensky".
            from rapidfuzz.fuzz import ratio

            word = words[0].lower()
            for ci, cluster in enumerate(self.clusters):
                surname = core_words(cluster.words)[-1].lower()
                if (
                    len(core_words(cluster.words)) >= 2
                    and surname[:4] == word[:4]
                    and ratio(surname, word) >= 88
                ):
                    return ci
        return found

    def _match_exact(self, words: list[str], at: int) -> int | None:
        lowered = [w.lower() for w in core_words(words)]
        best, best_score = None, -1.0
        for ci, cluster in enumerate(self.clusters):
            ccore = [w.lower() for w in core_words(cluster.words)]
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
