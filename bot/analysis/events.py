"""Find events (what, when, where, who) and merge mentions of one event within an article."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from spacy.tokens import Doc, Span, Token

from bot.analysis.dates import is_point_in_time, resolve_date
from bot.analysis.event_words import (
    FUTURE_CUES,
    NOT_EVENTS,
    NOUN_KINDS,
    PLANNING_VERBS,
    VERB_KINDS,
    VERB_NOUNS,
    VERB_STOP,
    WEAK_KINDS,
)
from bot.analysis.people import PersonIndex
from bot.analysis.types import EventResult

_PLACE_LABELS = {"GPE", "LOC", "FAC"}
MAX_EVENTS = 40


def _is_event_date(ent: Span) -> bool:
    """A DATE or TIME entity that dates a happening: a point in time, not the start of a
    period ('the first final since 1998') or a duration ('eleven years')."""
    if ent.label_ not in {"DATE", "TIME"} or not is_point_in_time(ent.text):
        return False
    doc = ent.doc
    if ent.text.isdigit() and ent.end < len(doc) and doc[ent.end].text[:1].isupper():
        return False  # "1119 Eighth St.": a house number, not a year
    before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
    if not (before == "since" or ent.text.lower().startswith("since ")):
        return True
    # "since 2022, when nurses walked out": the year dates the clause that follows it
    after = [t.lower_ for t in doc[ent.end : ent.end + 2]]
    return after == [",", "when"]


def _event_dates(
    phrase: str, published: datetime | None, *, future: bool
) -> tuple[date | None, date | None]:
    """The dates of an event: a day, a month or a year. A span of days shorter than a month
    ('last week', 'a week ago') is told at the month it falls in, as readers date it."""
    start, end = resolve_date(phrase, published, future=future)
    if start is None or end is None or start == end or (end - start).days >= 27:
        return start, end
    if (start.year, start.month) != (end.year, end.month):
        return start, end
    first = start.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def _strip_det(text: str) -> str:
    for det in ("the ", "The ", "a ", "an "):
        if text.startswith(det):
            return text[len(det) :]
    return text


def _place_for(trigger: Token, sent: Span) -> str | None:
    """The place attached to a trigger ('summit in Hanoi', 'Hanoi summit'), else the sentence's."""
    for child in trigger.children:
        if child.dep_ in {"compound", "nmod"} and child.ent_type_ in _PLACE_LABELS:
            return _entity_text(child)
        if child.dep_ == "prep" and child.lower_ in {
            "in",
            "at",
            "near",
            "to",
            "off",
            "outside",
            "inside",
            "across",
            "over",
            "on",
        }:
            for obj in child.children:
                if obj.dep_ == "pobj" and obj.ent_type_ in _PLACE_LABELS:
                    return _entity_text(obj)
    head = trigger.head
    if trigger.pos_ == "VERB":
        head = trigger
    # "Cameron Parish, where a mandatory evacuation was ordered"
    clause = head if head.dep_ == "relcl" else trigger if trigger.dep_ == "relcl" else None
    if clause is not None and any(c.lower_ == "where" for c in clause.children):
        if clause.head.ent_type_ in _PLACE_LABELS:
            return _entity_text(clause.head)
    holders = [head] + [c for c in head.children if c.dep_ in {"nsubj", "nsubjpass", "dobj"}]
    for holder in holders:
        for child in holder.children:
            if child.dep_ == "prep" and child.lower_ in {"in", "at", "near", "off", "outside"}:
                for obj in child.children:
                    if obj.dep_ == "pobj" and obj.ent_type_ in _PLACE_LABELS:
                        return _entity_text(obj)
    located = [
        t
        for t in sent
        if t.dep_ == "pobj"
        and t.ent_type_ in _PLACE_LABELS
        and t.head.lower_ in {"in", "at", "near"}
    ]
    names = {_entity_text(t) for t in located}
    return names.pop() if len(names) == 1 else None


def _entity_text(tok: Token) -> str:
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return _strip_det(ent.text.removesuffix("'s").removesuffix("\u2019s"))
    return str(tok.text)


def _name(trigger: Token, place: str | None) -> str:
    """'second summit in Hanoi': modifiers + head word + place."""
    mods = [
        t
        for t in trigger.lefts
        if t.dep_ in {"amod", "compound", "nmod"}
        and t.ent_type_ not in {"DATE", "TIME", "CARDINAL"}
        and t.pos_ in {"ADJ", "NOUN", "PROPN"}
        and t.i in range(trigger.i - 3, trigger.i)
    ]
    words = [t.text for t in mods if not (place and t.text in place)] + [trigger.text]
    name = " ".join(words)
    if place and place.lower() not in name.lower():
        name = f"{name} in {place}"
    return name


def _people(doc: Doc, people: PersonIndex, sent: Span) -> list[str]:  # noqa: ARG001
    names = []
    for ci in people.clusters_in(sent.start_char, sent.end_char):
        name = people.name_of(ci)
        if name and name not in names:
            names.append(name)
    return names


def _compatible(a: EventResult, b: EventResult) -> bool:
    if a.kind != b.kind:
        return False
    if a.where and b.where and a.where.lower() != b.where.lower():
        return False
    if (
        a.when_start
        and b.when_start
        and not (
            a.when_start <= (b.when_end or b.when_start)
            and b.when_start <= (a.when_end or a.when_start)
        )
    ):
        return False
    return True


def _merge(into: EventResult, other: EventResult, *, rename: bool = False) -> None:
    if rename:
        into.name = other.name
    if other.where and not into.where:
        into.where = other.where
        if other.where.lower() not in into.name.lower():
            into.name = f"{into.name} in {other.where}"
    if other.when_start and (
        not into.when_start
        or (
            into.when_end
            and other.when_end
            and other.when_end - other.when_start < into.when_end - into.when_start
        )
    ):
        into.when_start, into.when_end, into.when_text = (
            other.when_start,
            other.when_end,
            other.when_text,
        )
    elif other.when_text and not into.when_text:
        into.when_text = other.when_text
    for person in other.people:
        if person not in into.people:
            into.people.append(person)


_EVENTIVE_SUFFIXES = ("tion", "sion", "ment", "ance", "ence", "ing", "al", "ure", "ery")


def _is_trigger_noun(tok: Token) -> str | None:
    """The kind of event a noun names, if it names one."""
    lemma = tok.lemma_.lower()
    if lemma in NOUN_KINDS:
        return NOUN_KINDS[lemma]
    if lemma in NOT_EVENTS or not lemma.isalpha() or len(lemma) < 5:
        return None
    if lemma.endswith(_EVENTIVE_SUFFIXES):
        return str(lemma)
    return None


def _dates_in(sent: Span) -> list[Span]:
    """The sentence's date entities that can date an event (read once per sentence)."""
    return [e for e in sent.ents if _is_event_date(e)]


def _attached_date(tok: Token, dates: list[Span]) -> Span | None:
    """One of the sentence's dates attached to this word, or to a participle modifying it ('the
    recall, announced on Tuesday'), but not to some other clause with its own verb."""
    targets = {tok.i} | {
        c.i for c in tok.children if c.dep_ in {"acl", "relcl"} and c.pos_ == "VERB"
    }
    for ent in dates:
        node = ent.root
        for _ in range(5):
            if node.i in targets:
                return ent
            if node.head.i == node.i or (node.pos_ in {"VERB", "AUX"} and node.i != ent.root.i):
                break
            node = node.head
    return None


# Speech verbs: "said in an interview" tells where a quote was given, not a happening.
_SPEECH_VERBS = frozenset("say tell add explain write speak comment acknowledge".split())


def _is_idiom_or_source(tok: Token) -> bool:
    """'under fire', 'under attack', 'opened fire' and an undated 'said in an interview' use
    an event word without telling an event of that kind."""
    head = tok.head
    if head.lower_ == "under" or (tok.lemma_.lower() == "fire" and head.lemma_.lower() == "open"):
        return True
    if head.dep_ == "prep" and head.lower_ in {"in", "during", "at"}:
        verb = head.head
        if verb.lemma_.lower() in _SPEECH_VERBS and tok.lemma_.lower() == "interview":
            # an interview dated on its own ("in an interview on Thursday") is kept
            dates = _dates_in(tok.sent)
            return _attached_date(tok, dates) is None and _attached_date(verb, dates) is None
    return False


def _near_date(tok: Token, ent: Span) -> bool:
    """The sentence's one date dates this word only when it shares its clause ('met in 2019
    for their second summit') or the next one up ('beat … on Monday night to win the title'),
    and does not belong to another event word ('at its January meeting')."""
    node = ent.root
    while node.pos_ not in {"VERB", "AUX"} and node.head.i != node.i:
        node = node.head
        if node.i != tok.i and node.lemma_.lower() in NOUN_KINDS:
            return False
    if node.dep_ in {"relcl", "acl"}:
        # "the merger of the two chains, which became final Tuesday"
        owner = node.head
        while owner.i != tok.i and owner.pos_ not in {"VERB", "AUX"} and owner.head.i != owner.i:
            owner = owner.head
        if owner.i == tok.i:
            return True
    verbs = 0
    for ancestor in [tok, *tok.ancestors]:
        if ancestor.i == node.i:
            return True
        if ancestor.pos_ in {"VERB", "AUX"}:
            verbs += 1
            if verbs > 2:
                return False
    return False


def _phrase(tok: Token, limit: int = 5) -> str:
    """A short noun phrase around tok ('state of emergency', 'Kestrel Talon pickups')."""
    left = [t for t in tok.lefts if t.dep_ in {"compound", "amod", "nmod"} and t.i >= tok.i - 3]
    words = [t.text for t in left] + [tok.text]
    for child in tok.rights:
        if child.dep_ == "prep" and child.lower_ == "of":
            obj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if obj is not None:
                words += (
                    ["of"]
                    + [t.text for t in obj.lefts if t.dep_ in {"compound", "amod"}]
                    + [obj.text]
                )
            break
    return " ".join(words[: limit + 2])


# Verbs that tell how the story is sourced or felt, not what happened.
_NOT_HAPPENINGS = frozenset(
    """
    accord experience feature look observe prove recount divulge spend trend weigh
    """.split()
)


def _is_dateline(tok: Token) -> bool:
    """'DENVER' in 'DENVER (AP) —': a capitalised place opening the story, not an actor."""
    return bool(tok.text.isupper() and len(tok.text) > 2 and tok.idx < 60)


# Verbs that tell where a story comes from when they carry a clause ('NASA announced that ...').
_SOURCING_VERBS = frozenset(
    """
    acknowledge add allege announce assert claim confirm disclose indicate note report reveal
    say state tell write
    """.split()
)
# Words that make an organisation a news outlet: its reporting is sourcing, not a happening.
_OUTLET_WORDS = frozenset(
    """
    times news post journal reuters bloomberg cnn cnbc ap afp press axios politico guardian
    telegraph bbc tribune herald gazette chronicle daily newsweek magazine
    """.split()
)


def _is_sourcing(verb: Token, subject: Token | None) -> bool:
    """'the New York Times reported', 'NASA announced that nine companies ...': the verb
    tells how the story is known; what happened is in the clause it carries."""
    if verb.lemma_.lower() not in _SOURCING_VERBS:
        return False
    if subject is not None and any(t.lower_ in _OUTLET_WORDS for t in subject.subtree):
        return True
    clause = next((c for c in verb.children if c.dep_ == "ccomp"), None)
    if clause is not None:
        # "Employers added 74,000 jobs, the Labor Department reported on Friday": an agency
        # publishing its figures is the happening; "NASA announced that ..." is sourcing.
        return not (
            clause.i < verb.i
            and subject is not None
            and subject.ent_type_ == "ORG"
            and any(
                c.ent_type_ == "DATE" or any(g.ent_type_ == "DATE" for g in c.children)
                for c in verb.children
            )
        )
    return subject is None and not any(c.dep_ in {"dobj", "attr"} for c in verb.children)


def _is_bare_participle(verb: Token) -> bool:
    """'…, hitting 5%', 'marking an increase': a participle hung on another clause with no
    subject of its own describes that clause; it is not a happening of its own."""
    return verb.tag_ == "VBG" and verb.dep_ in {"advcl", "acl", "xcomp", "conj"}


def _is_purpose_infinitive(verb: Token) -> bool:
    """'to send robotic landers', 'working to establish a presence': an aim, not a happening,
    unless a verb of planning schedules it ('scheduled to travel', 'offered to convene')."""
    if not any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return False
    head = verb.head
    return head.lemma_.lower() not in PLANNING_VERBS and head.lower_ not in FUTURE_CUES


def _readable_clause(verb: Token) -> bool:
    """A clause names a happening a reader would name only with a real subject or object
    ('Senate passed bill', 'declared state of emergency'), never a bare verb ('ended') or a
    pronoun ('impose that'), and not a verb of sourcing ('York Times reported')."""
    if verb.lemma_.lower() in _NOT_HAPPENINGS or not verb.text.isalpha():
        return False
    subject = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if _is_sourcing(verb, subject):
        return False
    if subject is None and verb.lemma_.lower() not in VERB_NOUNS and not _is_change(verb):
        if _is_bare_participle(verb) or _is_purpose_infinitive(verb):
            return False
    obj = next(
        (
            c
            for c in verb.children
            if c.dep_ in {"dobj", "attr", "oprd"} and c.ent_type_ not in {"DATE", "TIME"}
        ),
        None,
    )
    content_subject = (
        subject is not None and subject.pos_ in {"NOUN", "PROPN"} and not _is_dateline(subject)
    )
    if obj is not None and obj.pos_ in {"PRON", "DET"}:
        return False
    content_object = obj is not None and obj.pos_ in {"NOUN", "PROPN", "NUM"}
    if content_subject or content_object:
        return True
    if obj is None and (verb.lemma_.lower() in VERB_NOUNS or _travel_place(verb)):
        return True  # "died", "to travel to Cairo on Wednesday"
    return _is_change(verb)


def _is_change(verb: Token) -> bool:
    """'strengthening from a Category 1 to a Category 3 storm': a change told with its measure."""
    return any(c.dep_ == "prep" and c.lower_ == "from" for c in verb.children) and any(
        c.dep_ == "prep" and c.lower_ == "to" for c in verb.children
    )


def _travel_place(verb: Token) -> bool:
    return any(
        c.dep_ == "prep"
        and c.lower_ in {"to", "in", "at"}
        and any(o.dep_ == "pobj" and o.ent_type_ in _PLACE_LABELS for o in c.children)
        for c in verb.children
    )


def _verb_name(verb: Token) -> str:
    """A clause naming what happened: 'Mercer declared state of emergency', 'Senate passed bill'."""
    obj = next(
        (
            c
            for c in verb.children
            if c.dep_ in {"dobj", "attr", "oprd"} and c.ent_type_ not in {"DATE", "TIME"}
        ),
        None,
    )
    subject = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    words = [verb.text] + [c.text for c in verb.children if c.dep_ == "prt"]
    if obj is not None:
        words.append(_phrase(obj, 4))
    if subject is not None and subject.pos_ in {"NOUN", "PROPN"} and not _is_dateline(subject):
        words.insert(0, _phrase(subject, 3))
    elif obj is None:
        noun = VERB_NOUNS.get(verb.lemma_.lower())
        if noun:
            words = [noun]
    return " ".join(words)


def place_hint(tok: Token) -> str | None:
    """A place directly attached to a verb ('walked out in Minneapolis')."""
    for child in tok.children:
        if child.dep_ == "prep" and child.lower_ in {"in", "at", "near"}:
            for obj in child.children:
                if obj.dep_ == "pobj" and obj.ent_type_ in _PLACE_LABELS:
                    return str(obj.text)
    return None


def _dateline_place(doc: Doc) -> str | None:
    """'SANTIAGO, Chile —' at the start of an article names where it happened."""
    head = doc.text[:80]
    if "\u2014" not in head and " - " not in head and "\u2013" not in head:
        return None
    for ent in doc.ents:
        if ent.start_char > 60:
            break
        if ent.label_ in _PLACE_LABELS:
            return _strip_det(ent.text)
    return None


def _clause_tense(date_ent: Span) -> bool | None:
    """The tense of the clause a date belongs to: True ahead, False past, None unclear.
    'which became final Tuesday' is past even inside 'the merger … will create'."""
    node = date_ent.root
    if node.head.lower_ in {"for", "until", "by", "from", "starting", "through", "before"}:
        return None  # "set sentencing for June 11": a past verb may plan an event ahead
    for _ in range(4):
        if node.pos_ in {"VERB", "AUX"}:
            break
        if node.head.i == node.i:
            return None
        node = node.head
    else:
        return None
    if node.pos_ not in {"VERB", "AUX"}:
        return None
    auxes = {c.lower_ for c in node.children if c.dep_ in {"aux", "auxpass"}}
    if auxes & {"will", "'ll", "\u2019ll", "shall"}:
        return True
    if node.tag_ == "VBD" or auxes & {"was", "were", "had", "did", "has", "have"}:
        return False
    return None


def _is_future(tok: Token, sent: Span, date_ent: Span | None = None) -> bool:
    """Does the text put this event ahead of the story (will, scheduled to, as soon as)?"""
    if date_ent is not None:
        tense = _clause_tense(date_ent)
        if tense is not None:
            return tense
    verb = tok if tok.pos_ in {"VERB", "AUX"} else tok.head
    for node in (verb, verb.head):
        for child in node.children:
            if child.lower_ in {"will", "'ll", "shall"} or (
                child.dep_ == "aux" and child.lower_ == "would"
            ):
                return True
    if tok.dep_ == "dobj" and verb.lemma_.lower() in {
        "set",
        "schedule",
        "plan",
        "slate",
        "propose",
        "call",
    }:
        return True  # "set sentencing for June 11": the object lies ahead
    # An infinitive under a planning verb is intended: "scheduled to return", "offered to convene".
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and (
        verb.head.lemma_.lower() in PLANNING_VERBS
    ):
        return True
    if date_ent is not None:
        before = sent.doc[max(sent.start, date_ent.start - 3) : date_ent.start].text.lower()
        if any(
            cue in before for cue in ("soon as", "next", "starting", "beginning", "until", "by")
        ):
            return True
    return any(t.lower_ in FUTURE_CUES for t in sent) and not any(
        t.tag_ == "VBD" and t.dep_ == "ROOT" for t in sent
    )


def _named_events(doc: Doc, people: PersonIndex, published: datetime | None) -> list[EventResult]:
    """Events NER names outright ('the Berlin International Film Festival')."""
    out = []
    for ent in doc.ents:
        if ent.label_ != "EVENT":
            continue
        sent = ent.sent
        dates = [e for e in sent.ents if _is_event_date(e)]
        when_text = dates[0].text if dates else None
        start, end = (
            _event_dates(when_text, published, future=_is_future(ent.root, sent))
            if when_text
            else (None, None)
        )
        name = _strip_det(ent.text)
        head = ent.root.head
        if ent.root.dep_ == "compound" and head.lemma_.lower() in NOUN_KINDS and head.i == ent.end:
            name = f"{name} {head.text}"  # "the National Cup semifinal"
        out.append(
            EventResult(
                name,
                name.split()[-1].lower(),
                when_text,
                start,
                end,
                _place_for(ent.root, sent),
                _people(doc, people, sent),
                sent.start_char,
                sent.end_char,
            )
        )
    return out


def _fill_places(doc: Doc, events: list[EventResult]) -> None:
    """An event told without a place happened where the story is: the paragraph's last
    place before it, else the dateline, else the place the article names most."""
    places = [e for e in doc.ents if e.label_ in _PLACE_LABELS]
    counts: dict[str, int] = {}
    for ent in places:
        counts[_strip_det(ent.text)] = counts.get(_strip_det(ent.text), 0) + 1
    main = max(counts, key=lambda k: counts[k]) if counts else None
    main = main if main and counts[main] >= 2 else None
    dateline = _dateline_place(doc)
    text = doc.text
    for event in events:
        if event.where is not None:
            continue
        paragraph_start = text.rfind("\n\n", 0, event.sentence_start) + 1
        before = [e for e in places if paragraph_start <= e.start_char < event.sentence_start]
        if before:
            event.where = _strip_det(before[-1].text)
        else:
            event.where = dateline or main


def extract_events(doc: Doc, people: PersonIndex, published: datetime | None) -> list[EventResult]:  # noqa: C901 (one ordered list of the ways news writes this)
    """Events of an article, one per real-world event."""
    found: list[EventResult] = []
    from_verb: set[int] = set()  # indexes into found of events named from a clause
    for sent in doc.sents:
        sent_dates = _dates_in(sent)
        for tok in sent:
            lemma = tok.lemma_.lower()
            date_ent = None
            date_owner = tok  # the word the date belongs to decides past or future
            if tok.pos_ == "NOUN" and tok.ent_type_ not in {
                "PERSON",
                "ORG",
                "WORK_OF_ART",
                "GPE",
                "EVENT",
            }:
                kind = _is_trigger_noun(tok)
                if kind is None or _is_idiom_or_source(tok):
                    continue
                date_ent = _attached_date(tok, sent_dates)
                strong = lemma in NOUN_KINDS
                if not strong and date_ent is None:
                    continue  # a generic nominalization needs its own date to be an event
                if date_ent is None and tok.head.pos_ in {"VERB", "AUX"}:
                    date_ent = _attached_date(tok.head, sent_dates)
                is_verb = False
            elif (
                tok.pos_ == "VERB"
                and (lemma not in VERB_STOP or any(c.dep_ == "prt" for c in tok.children))
                and tok.dep_ in {"ROOT", "conj", "ccomp", "advcl", "relcl", "xcomp"}
            ):
                date_ent = _attached_date(tok, sent_dates)
                if date_ent is None and tok.dep_ in {"advcl", "xcomp", "conj"}:
                    # "struck down on Thursday, ruling ...", "agreed on Tuesday to create ..."
                    date_ent = _attached_date(tok.head, sent_dates)
                    date_owner = tok.head
                if date_ent is None and lemma not in VERB_NOUNS:
                    continue
                if any(
                    c.dep_ in {"nsubj", "nsubjpass"} and c.lemma_.lower() in NOUN_KINDS
                    for c in tok.children
                ):
                    continue  # "the summit ended": the summit is the event, already found
                noun = VERB_NOUNS.get(lemma)
                kind = VERB_KINDS.get(noun, lemma) if noun else lemma
                is_verb = True
            else:
                continue
            if date_ent is None:
                dates = sent_dates
                date_ent = (
                    dates[0] if len(dates) == 1 and (is_verb or _near_date(tok, dates[0])) else None
                )
            if is_verb and date_ent is None and place_hint(tok) is None:
                continue
            if is_verb and not _readable_clause(tok):
                continue
            place = _place_for(tok, sent)
            when_text = date_ent.text if date_ent is not None else None
            start, end = (
                _event_dates(when_text, published, future=_is_future(date_owner, sent, date_ent))
                if when_text
                else (None, None)
            )
            if is_verb and start is None:
                continue  # a clause without a date it can be placed at is rarely a happening
            participants = _people(doc, people, sent)
            # A bare mention ("the decision") is kept only to merge into a told event.
            if kind in WEAK_KINDS and not (place or when_text):
                continue
            name = _verb_name(tok) if is_verb else _name(tok, place)
            if is_verb and place and place.lower() not in name.lower():
                name = f"{name} in {place}"
            if is_verb:
                from_verb.add(len(found))
            found.append(
                EventResult(
                    name=name,
                    kind=kind,
                    when_text=when_text,
                    when_start=start,
                    when_end=end,
                    where=place,
                    people=participants,
                    sentence_start=sent.start_char,
                    sentence_end=sent.end_char,
                )
            )
    named = _named_events(doc, people, published)
    from_verb = {i + len(named) for i in from_verb}
    found = named + found
    merged: list[EventResult] = []
    merged_from_verb: list[bool] = []
    for index, event in enumerate(found):
        for position, existing in enumerate(merged):
            if _compatible(existing, event):
                # A noun names an event better than a clause does ("summit" over "pair met").
                rename = merged_from_verb[position] and index not in from_verb
                _merge(existing, event, rename=rename)
                merged_from_verb[position] = merged_from_verb[position] and not rename
                break
        else:
            merged.append(event)
            merged_from_verb.append(index in from_verb)
    merged = [e for e in merged if e.when_text or e.where or e.people]
    _fill_places(doc, merged)
    merged.sort(
        key=lambda e: (-(bool(e.where) + 2 * bool(e.when_start) + bool(e.people)), e.sentence_start)
    )
    kept = merged[:MAX_EVENTS]
    kept.sort(key=lambda e: e.sentence_start)
    return kept
