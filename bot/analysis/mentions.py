"""Stage 1 of reading people: collect every mention of a person's name in a parsed doc."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from bot.analysis.names import (
    FEMALE_NAMES,
    HONORIFICS,
    HUMAN_ROLES,
    KNOWN_GIVEN_NAMES,
    MALE_NAMES,
    NAME_SUFFIXES,
    NON_PERSON_NEXT,
    NON_PERSON_PREV,
    NON_PERSON_WORDS,
    ORG_KIND_NOUNS,
    PARTICLES,
    SPEECH_VERBS,
    TITLES,
)

GIVEN_NAMES = FEMALE_NAMES | MALE_NAMES
# "said Okafor", "added the minister": verbs news style puts before their subject.
_QUOTE_MARKS = frozenset({"\u201c", '"', "\u2018", "'"})
_INVERTING_VERBS = frozenset({"say", "add", "tell", "write", "ask", "continue", "explain", "note"})

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
NAME_WORD = re.compile(
    r"^(?:[A-Z][\w'\u2019.-]*|[A-Z]\.(?:[A-Z]\.)*|(?:" + "|".join(sorted(PARTICLES)) + r"))$"
)
POSSESSIVE = ("'s", "\u2019s", "'", "\u2019")


def bare(word: str) -> str:
    """A word lowercased without a trailing period or quote marks."""
    return word.lower().rstrip(".").strip("'\u2019")


def is_suffix(word: str) -> bool:
    """Tell a name suffix (Jr., III)."""
    return bare(word) in {s.rstrip(".") for s in NAME_SUFFIXES}


def core_words(words: list[str]) -> list[str]:
    """Name words without trailing suffixes (Jr., III)."""
    core = list(words)
    while len(core) > 1 and is_suffix(core[-1]):
        core.pop()
    return core


def first_compatible(a: str, b: str) -> bool:
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
class Mention:
    """One occurrence of a person's name: offsets, words, the title before it, its person."""

    start: int
    end: int
    words: list[str]
    title_text: str
    token_start: int
    token_end: int
    cluster: int = -1
    weak: bool = False  # may join a person already named, but never found one


def _describes(tok: Token) -> bool:
    """A word that describes a person before the name: a title, a role, an acronym ('DL')."""
    word = tok.text
    acronym = 2 <= len(word) <= 5 and word.isalpha() and word.isupper()
    return acronym or bare(word) in TITLES or tok.lemma_.lower() in HUMAN_ROLES


_ARTICLES = frozenset({"a", "an", "the"})
# 'Callum "Cal" Brannigan': given name, nickname in quote marks, surname.
NICKNAMED = re.compile(
    r"\b([A-Z][a-z]+) [\"\u201c\u2018'][A-Z][\w.]*[\"\u201d\u2019'] ([A-Z][\w'\u2019-]+)\b"
)


def _asks(tok: Token) -> bool:
    """Whether a token's sentence is a question ('Will Warren continue to face …?')."""
    return tok.sent.text.rstrip().rstrip("\u201d\"'").endswith("?")


# "Coach (Tom) Reyes": an editorial bracket gives the given name the text leaves out.
BRACKETED_GIVEN_NAME = re.compile(r"\b[A-Z][a-z]+\.? \(([A-Z][a-z]+)\) ([A-Z][\w'\u2019-]+)")


def bracket_hints(text: str) -> dict[str, str]:
    """Full names given in editorial brackets ('Coach (Tom) Reyes' -> Reyes: Tom Reyes)."""
    return {m.group(2): f"{m.group(1)} {m.group(2)}" for m in BRACKETED_GIVEN_NAME.finditer(text)}


class MentionFinder:
    """Finds name mentions in a doc: PERSON entities, names in apposition with a role, and
    proper nouns after strong titles, trimmed of titles and possessives."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text: str = doc.text
        self.mentions: list[Mention] = []
        self._rarer_swallowed: list[tuple[int, int]] = []
        self._labels: dict[str, set[str]] = {}
        self.label_counts: dict[str, dict[str, int]] = {}
        for ent in doc.ents:
            self._labels.setdefault(ent.text, set()).add(ent.label_)
            counts = self.label_counts.setdefault(ent.text, {})
            counts[ent.label_] = counts.get(ent.label_, 0) + 1

    def is_non_person(self, span_start: int, span_end: int, words: list[str]) -> bool:
        doc = self.doc
        # "Park Ji-hoon": Park is a common Korean surname, written first.
        checked = words[1:] if len(words) >= 2 and words[0] == "Park" else words
        named = (m.words for m in self.mentions if len(m.words) >= 2)
        if len(words) == 1 and any(words[0] in full for full in named):
            # "Park said" after "Park Ji-hoon": the short form of a person already named.
            checked = []
        if any(w.lower() in NON_PERSON_WORDS for w in checked):
            return True
        before = doc[span_start - 1] if span_start > 0 else None
        if before is not None and (
            before.text == "@" or (before.lower_ in ORG_KIND_NOUNS and before.text.islower())
        ):
            return True  # "@ Jiffy Lube Live", "the music ensemble Hollow Oak"
        if any(ch.isdigit() for w in words for ch in w):
            return True
        nxt = doc[span_end] if span_end < len(doc) else None
        if nxt is not None:
            if nxt.text.lower() in NON_PERSON_NEXT and nxt.text[:1].isupper():
                return True
            if nxt.text in POSSESSIVE and span_end + 1 < len(doc):
                after = doc[span_end + 1]
                if after.lower_ in {"disease", "syndrome", "law", "razor", "paradox"}:
                    return True
                if after.pos_ == "AUX" or after.tag_ in {"VBD", "VBZ"}:
                    return True  # "Lowe's was up 2%": a firm named in the possessive
            if self._in_score_line(span_start, span_end):
                return True
        prev = doc[span_start - 1] if span_start > 0 else None
        return (
            prev is not None
            and prev.text.lower().rstrip(".") in {p.rstrip(".") for p in NON_PERSON_PREV}
            and prev.text[:1].isupper()
        )

    def _in_score_line(self, start: int, end: int) -> bool:
        """'Senators 4, Red Wings 3:': a team in a line of results (a player's name starts with
        a given name: 'Ana Ruiz 6-2, 6-3')."""
        doc = self.doc
        if end + 1 >= len(doc) or doc[start].lower_ in KNOWN_GIVEN_NAMES:
            return False
        return doc[end].text.isdigit() and doc[end + 1].text in {",", ":", ";"}

    def labels_of(self, text: str) -> set[str]:
        """The entity labels NER gives this exact text anywhere in the doc."""
        return self._labels.get(text, set())

    def trim(self, start: int, end: int) -> tuple[int, int, list[int]]:
        """Strip titles from the left and possessives/punctuation from the right."""
        doc = self.doc
        titles: list[int] = []
        while start < end - 1 and bare(doc[start].text) in TITLES and doc[start].text[:1].isupper():
            titles.append(start)
            start += 1
        # "Jeff Bezos’s Blue Origin": the name ends at the possessive.
        for k in range(start + 1, end):
            if doc[k].text in POSSESSIVE or doc[k].tag_ == "POS":
                end = k
                break
        while end > start and (doc[end - 1].text in POSSESSIVE or doc[end - 1].is_punct):
            end -= 1
        # "Browns DL Sheldon Richardson", "NFL Insider Jason La Canfora": a role or an acronym
        # inside the entity ends the description; the name is what follows it.
        described = False
        for k in range(end - 3, start - 1, -1):
            if _describes(doc[k]):
                if all(t.text[:1].isupper() for t in doc[k + 1 : end]):
                    start, described = k + 1, True
                break
        # Extend left over given names NER cut off ("Marcus" of "Marcus Ellison Jr.").
        while (
            not described
            and start > 0
            and (
                doc[start - 1].pos_ == "PROPN"
                or (doc[start - 1].lower_ in GIVEN_NAMES and doc[start - 1].pos_ == "NOUN")
            )
            and doc[start - 1].text[:1].isupper()
            and doc[start - 1].dep_ in {"compound", "flat"}
            and not _describes(doc[start - 1])
            and doc[start - 1].ent_type_ not in {"GPE", "ORG", "NORP", "LOC", "FAC"}
        ):
            start -= 1
        # "Eva-Marie Persson": NER may keep only the part after the hyphen.
        if (
            start >= 2
            and doc[start - 1].text == "-"
            and not doc[start - 1].whitespace_
            and not doc[start - 2].whitespace_
            and doc[start - 2].text[:1].isupper()
            and doc[start - 2].is_alpha
        ):
            start -= 2
        # "Questioning Vindman", "Asked Smith": a sentence-initial verb NER swept into the name.
        # "Will Warren continue …?", "An Abernathy harpsichord": an auxiliary or an article.
        while start < end - 1 and (
            doc[start].tag_ in {"VBG", "VBD", "VBN", "VB", "RB"}
            or (doc[start].is_sent_start and doc[start].lower_.endswith("ing"))
            or doc[start].lower_ in _ARTICLES
            or (doc[start].pos_ == "AUX" and doc[start].is_sent_start and _asks(doc[start]))
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
            and bare(doc[end].text) not in TITLES
            and doc[end].lower_ not in NON_PERSON_NEXT
        ):
            end += 1
        # Extend right over a name suffix spaCy left out ("Whitcomb Jr.").
        while end < len(doc) and is_suffix(doc[end].text) and doc[end].text[:1].isupper():
            end += 1
        return start, end, titles

    def left_title(self, start: int, end: int | None = None) -> int:
        """Index where the title/description words before a name begin."""
        doc = self.doc
        names = set(range(start, end if end is not None else start + 1))
        names |= {t.head.i for t in doc[start : end if end is not None else start + 1]}
        i = start - 1
        while i >= 0:
            tok = doc[i]
            low = bare(tok.text)
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

    def words_of(self, start: int, end: int) -> list[str]:
        return [str(w) for w in self.doc[start:end].text.split()]

    def mention_for(self, start: int, end: int) -> Mention | None:
        """The person mention the tokens start:end make once trimmed, or None."""
        doc = self.doc
        start, end, _ = self.trim(start, end)
        if end <= start:
            return None
        words = self.words_of(start, end)
        if not words or not all(NAME_WORD.match(w) or is_suffix(w) for w in words):
            return None
        if start > 0 and doc[start - 1].lower_ in {"a", "an"}:
            return None  # "an Abernathy harpsichord", "labeled herself a Grocery Store"
        if all(w.lower() in PARTICLES for w in words):
            return None
        if len(words) == 1 and bare(words[0]) in TITLES:
            return None  # "Coach" on its own
        if len(words) == 1 and words[0].isupper() and len(words[0]) > 2:
            return None  # datelines ("BERLIN —") and acronyms
        if self.is_non_person(start, end, words):
            return None
        left = self.left_title(start, end)
        title_text = doc[left:start].text if left < start else ""
        return Mention(
            doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text), words, title_text, start, end
        )

    def add(self, start: int, end: int) -> None:
        """Add the mention tokens start:end make, unless it overlaps one already found."""
        mention = self.mention_for(start, end)
        if mention is None or any(
            mention.token_start < m.token_end and m.token_start < mention.token_end
            for m in self.mentions
        ):
            return
        self.mentions.append(mention)

    def collect(self) -> list[Mention]:  # noqa: C901 (one ordered list of the ways news writes this)
        """Collect every person mention of the doc, in text order."""
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
            self.add(ent.start, ent.end)
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
            self.add(first, name_tok.i + 1)
        # Proper nouns right after a strong title are people even when NER disagrees.
        for tok in doc:
            if bare(tok.text) not in STRONG_TITLES or not tok.text[:1].isupper():
                continue
            j = tok.i + 1
            while j < len(doc) and bare(doc[j].text) in TITLES and doc[j].text[:1].isupper():
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
                self.add(j, k)
        self._collect_swallowed_names()
        self._collect_given_name_pairs()
        self._collect_shared_surnames()
        self._collect_nicknamed()
        self._collect_bracketed_names()
        self._collect_speakers()
        for start, end in self._rarer_swallowed:
            before = len(self.mentions)
            self.add(start, end)
            if len(self.mentions) > before:
                self.mentions[-1].weak = True
        self.mentions.sort(key=lambda m: m.start)
        return self.mentions

    def _collect_swallowed_names(self) -> None:
        """Names NER swallowed into another entity: 'envoy to Chile Mark Ellis' (ORG "Chile
        Mark Ellis"), 'a survey by Penelope Muse Abernathy of the University of …' (one ORG),
        'Ana Ruiz defeating Lena Park' (one ORG): a known given name starts a person's name."""
        doc = self.doc
        for ent in doc.ents:
            if ent.label_ not in {"ORG", "GPE", "FAC", "NORP", "LOC", "WORK_OF_ART"}:
                continue
            last = ent[-1].lower_
            if last in NON_PERSON_WORDS or last in NON_PERSON_NEXT:
                continue  # "Mary Star of the Sea Church" is a church
            i = ent.start
            while i < ent.end:
                tok = doc[i]
                saint = i > 0 and doc[i - 1].lower_.rstrip(".") in {"st", "saint", "san", "santa"}
                common = tok.lower_ in GIVEN_NAMES
                if (
                    tok.text[:1].isupper()
                    and (common or tok.lower_ in KNOWN_GIVEN_NAMES)
                    and tok.pos_ == "PROPN"
                    and not saint
                ):
                    k = i + 1
                    while k < len(doc) and doc[k].pos_ == "PROPN" and doc[k].text[:1].isupper():
                        k += 1
                    if k - i >= 2 and common:
                        self.add(i, k)
                    elif k - i >= 2:
                        # A rarer given name only names a person the story names anyway
                        # ("Penelope Muse Abernathy of the University …", then "Abernathy"),
                        # and only once every other way of finding names has had its say.
                        self._rarer_swallowed.append((i, k))
                    i = k
                else:
                    i += 1

    def _may_start_name(self, i: int) -> bool:
        """A known given name at token i that no article, place or longer name comes before."""
        doc = self.doc
        tok = doc[i]
        if not (tok.pos_ == "PROPN" and tok.text[:1].isupper() and not tok.text.isupper()):
            return False
        if tok.lower_ not in KNOWN_GIVEN_NAMES:
            return False
        prev = doc[i - 1] if i > 0 else None
        if (
            prev is not None
            and (
                prev.text in {"@", "&"}
                or (prev.text == "-" and not prev.whitespace_)  # "Eva-Marie": not the name's start
                or (
                    prev.pos_ == "PROPN"
                    and prev.text[:1].isupper()
                    and not _describes(prev)
                    and prev.ent_type_ not in {"NORP", "GPE"}
                )
            )
        ):
            return False  # "@ Coral Sky Amphitheatre"; inside a longer proper name
        j = i - 1
        while j >= 0 and doc[j].pos_ == "ADJ" and doc[j].text.islower():
            j -= 1
        # "the Grace Foundation", "the northern Sierra Nevada"
        return not (j >= 0 and doc[j].lower_ in {"the", "a", "an"})

    def _given_name_pair(self, i: int) -> int:
        """End of the name a known given name at token i starts ('Zach Parise scored'), or i."""
        doc = self.doc
        tok = doc[i]
        if not self._may_start_name(i):
            return i
        k, words = i + 1, 1
        while k < len(doc) and words < 3:
            if doc[k].pos_ == "PROPN" and doc[k].text[:1].isupper():
                k, words = k + 1, words + 1
            elif doc[k].text == "-" and not doc[k - 1].whitespace_ and not doc[k].whitespace_:
                k += 1  # "Eva-Marie Persson", "Ana Ruiz-Ortega"
            else:
                break
        if words == 1 or doc[k - 1].text == "-":
            return i
        if k < len(doc) and (doc[k].text[:1].isupper() or doc[k].text == "-"):
            return i  # a longer proper name ("Grace Hopper Academy")
        if any(t.lower_ in NON_PERSON_NEXT for t in doc[i + 1 : k + 1]):
            return i  # "Blossom Music Center", "Alden Capital Group"
        last = doc[k - 1]
        if last.tag_ == "NNPS" or last.is_upper or not last.is_alpha:
            return i  # "Red Wings", "Jackets": teams and groups
        for t in doc[i:k]:
            if t.ent_type_ in {"GPE", "LOC", "NORP", "MONEY", "PERCENT", "TIME"}:
                return i
        ent = tok.ent_type_ and next((e for e in doc.ents if e.start <= i < e.end), None)
        if ent and ent.label_ != "PERSON" and not self._person_among_others(i, k, ent):
            return i  # "Morgan Stanley", "Wells Fargo": firms named after people
        if last.dep_ == "compound" and last.head.pos_ == "NOUN":
            return i  # "Grace Kelly biopic": modifies a thing
        return k

    def _person_among_others(self, i: int, k: int, ent: Span) -> bool:
        """Whether a name NER tagged as an organisation reads as a person's: the entity is the
        name alone, it is not someone's employer ('an analyst at Morgan Stanley') nor listed
        with organisations ('JPMorgan Chase or Wells Fargo')."""
        doc = self.doc
        if ent.start != i or ent.end != k:
            return False
        if i > 0 and doc[i - 1].lower_ in {"at", "for", "with", "from", "of", "&", "via", "by"}:
            return False
        last = doc[k - 1]
        partners = [c for c in last.children if c.dep_ in {"conj", "appos"}]
        if last.dep_ in {"conj", "appos"}:
            partners.append(last.head)
        return not any(p.ent_type_ in {"ORG", "GPE", "FAC", "PRODUCT"} for p in partners)

    def _collect_given_name_pairs(self) -> None:
        """A known given name and a surname NER missed or mislabelled: 'Zach Parise scored twice',
        'Brad Marchand added three assists' (tagged ORG), 'Linus Ullmark stopped 22 shots'."""
        for tok in self.doc:
            end = self._given_name_pair(tok.i)
            if end > tok.i:
                self.add(tok.i, end)

    def _collect_shared_surnames(self) -> None:
        """'brothers Lyle and Grant Pryor', 'Bill and Melinda Gates': the first given name
        shares the surname of the full name it is coordinated with."""
        doc = self.doc
        for tok in doc:
            if not (
                tok.lower_ in KNOWN_GIVEN_NAMES
                and tok.text[:1].isupper()
                and tok.i + 3 < len(doc)
                and doc[tok.i + 1].lower_ == "and"
            ):
                continue
            if tok.i > 0 and doc[tok.i - 1].pos_ == "PROPN" and doc[tok.i - 1].text[:1].isupper():
                continue  # "Mark Ellis and Jane Roe": a full name already
            end = self._given_name_pair(tok.i + 2)
            if end != tok.i + 4:
                continue
            surname = doc[end - 1].text
            title = doc[self.left_title(tok.i, tok.i + 1) : tok.i].text
            mention = Mention(
                tok.idx, tok.idx + len(tok.text), [tok.text, surname], title, tok.i, tok.i + 1
            )
            found = [m for m in self.mentions if m.token_start <= tok.i < m.token_end]
            if not found:
                self.mentions.append(mention)
            elif len(found[0].words) == 1 and found[0].token_start == tok.i:
                found[0].words = mention.words

    def _collect_nicknamed(self) -> None:
        """'Callum "Cal" Brannigan': a nickname in quote marks inside a full name."""
        for match in NICKNAMED.finditer(self.text):
            if match.group(1).lower() not in KNOWN_GIVEN_NAMES:
                continue
            span = self.doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if span is None or any(
                span.start < m.token_end and m.token_start < span.end for m in self.mentions
            ):
                continue
            words = [match.group(1), match.group(2)]
            title = self.doc[self.left_title(span.start, span.end) : span.start].text
            self.mentions.append(
                Mention(match.start(), match.end(), words, title, span.start, span.end)
            )

    def _collect_bracketed_names(self) -> None:
        """'Coach (Tom) Reyes': the surname after an editorial bracket is a person's."""
        for match in BRACKETED_GIVEN_NAME.finditer(self.text):
            span = self.doc.char_span(match.start(2), match.end(2), alignment_mode="expand")
            if span is not None:
                self.add(span.start, span.end)

    def _collect_speakers(self) -> None:
        """A proper noun that speaks ('Okafor said', 'said Okafor') is a person even when NER
        missed it; found here, before clustering, so the people are fixed before attribution."""
        doc = self.doc
        for tok in doc:
            if tok.pos_ != "PROPN" or not tok.text[:1].isupper():
                continue
            head = tok.head
            subject = tok.dep_ in {"nsubj", "nsubjpass"}
            inverted = (
                tok.dep_ in {"dobj", "attr", "npadvmod", "appos"}
                and tok.i > head.i
                and head.lemma_.lower() in _INVERTING_VERBS
            )
            according = tok.dep_ == "pobj" and head.head.lower_ == "according"
            speaks = head.lemma_.lower() in SPEECH_VERBS and head.pos_ in {"VERB", "AUX"}
            if not ((speaks and (subject or inverted)) or according):
                continue
            start = tok.i
            while (
                start > 0
                and doc[start - 1].pos_ == "PROPN"
                and doc[start - 1].dep_ in {"compound", "flat"}
            ):
                start -= 1
            mark = doc[start - 1] if start > 0 else None
            if mark is not None and mark.text in _QUOTE_MARKS and not mark.whitespace_:
                continue  # a title in quote marks ('described “Small Hours” as')
            if tok.ent_type_ == "" and len(doc[start : tok.i + 1]) == 1:
                labels = self.labels_of(tok.text)
                if labels & {"ORG", "GPE", "LOC", "FAC"}:
                    continue  # "Safaricom said": NER calls the same word an organisation elsewhere
            before = len(self.mentions)
            self.add(start, tok.i + 1)
            if len(self.mentions) > before:
                # Only a name NER saw as nothing else, or a subject, may found a new person;
                # otherwise it must be a short form of someone already named.
                named_other = tok.ent_type_ in {"GPE", "ORG", "NORP", "LOC", "FAC", "DATE"}
                self.mentions[-1].weak = named_other or (not subject and start == tok.i)
