"""Find events (what, when, where, who) and merge mentions of one event within an article."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.analysis.dates import resolve_date
from bot.analysis.people import PersonIndex
from bot.analysis.types import EventResult

# Trigger head words and the kind of event each names.
NOUN_KINDS = {
    "summit": "meeting",
    "meeting": "meeting",
    "talks": "meeting",
    "gathering": "meeting",
    "conference": "meeting",
    "forum": "meeting",
    "negotiation": "meeting",
    "session": "meeting",
    "visit": "visit",
    "trip": "visit",
    "tour": "visit",
    "election": "election",
    "vote": "election",
    "referendum": "election",
    "primary": "election",
    "runoff": "election",
    "ballot": "election",
    "caucus": "election",
    "ruling": "ruling",
    "verdict": "ruling",
    "decision": "ruling",
    "judgment": "ruling",
    "trial": "trial",
    "hearing": "hearing",
    "sentencing": "sentencing",
    "lawsuit": "lawsuit",
    "indictment": "indictment",
    "arrest": "arrest",
    "settlement": "settlement",
    "appeal": "appeal",
    "hurricane": "storm",
    "storm": "storm",
    "typhoon": "storm",
    "cyclone": "storm",
    "tornado": "storm",
    "landfall": "storm",
    "earthquake": "earthquake",
    "quake": "earthquake",
    "flood": "flood",
    "flooding": "flood",
    "wildfire": "fire",
    "fire": "fire",
    "blaze": "fire",
    "explosion": "explosion",
    "crash": "crash",
    "collapse": "collapse",
    "outbreak": "outbreak",
    "spill": "spill",
    "evacuation": "evacuation",
    "shooting": "shooting",
    "attack": "attack",
    "match": "match",
    "game": "match",
    "final": "final",
    "finals": "final",
    "championship": "championship",
    "tournament": "tournament",
    "race": "race",
    "marathon": "race",
    "playoff": "match",
    "semifinal": "match",
    "derby": "match",
    "merger": "merger",
    "acquisition": "merger",
    "deal": "deal",
    "takeover": "merger",
    "launch": "launch",
    "liftoff": "launch",
    "landing": "landing",
    "recall": "recall",
    "layoffs": "layoffs",
    "strike": "strike",
    "walkout": "strike",
    "lockout": "strike",
    "protest": "protest",
    "rally": "protest",
    "march": "protest",
    "demonstration": "protest",
    "ceremony": "ceremony",
    "inauguration": "ceremony",
    "funeral": "ceremony",
    "festival": "festival",
    "premiere": "festival",
    "parade": "festival",
    "award": "award",
    "announcement": "announcement",
    "report": "report",
    "study": "study",
    "discovery": "discovery",
    "bankruptcy": "bankruptcy",
    "ipo": "listing",
    "earnings": "earnings",
    "resignation": "resignation",
    "impeachment": "impeachment",
    "debate": "debate",
    "budget": "budget",
    "bill": "bill",
    "sale": "deal",
    "shutdown": "shutdown",
    "closure": "closure",
    "opening": "opening",
    "reopening": "opening",
    "election night": "election",
    "win": "win",
    "victory": "win",
    "defeat": "win",
    "loss": "win",
    "eclipse": "eclipse",
    "mission": "launch",
}
# Verbs that report an event; the value is the noun the event is named by.
VERB_NOUNS = {
    "rule": "ruling",
    "vote": "vote",
    "elect": "election",
    "launch": "launch",
    "merge": "merger",
    "acquire": "acquisition",
    "recall": "recall",
    "arrest": "arrest",
    "sentence": "sentencing",
    "sign": "signing",
    "resign": "resignation",
    "evacuate": "evacuation",
    "convict": "verdict",
    "acquit": "verdict",
    "strike": "strike",
    "erupt": "eruption",
    "crash": "crash",
    "collapse": "collapse",
    "explode": "explosion",
    "approve": "approval",
    "pass": "passage",
    "win": "win",
    "beat": "win",
    "defeat": "win",
    "sue": "lawsuit",
    "indict": "indictment",
    "announce": "announcement",
    "land": "landing",
    "discover": "discovery",
    "detect": "discovery",
}
VERB_KINDS = {
    "ruling": "ruling",
    "vote": "election",
    "election": "election",
    "launch": "launch",
    "merger": "merger",
    "acquisition": "merger",
    "recall": "recall",
    "arrest": "arrest",
    "sentencing": "sentencing",
    "signing": "signing",
    "resignation": "resignation",
    "evacuation": "evacuation",
    "verdict": "ruling",
    "strike": "strike",
    "eruption": "eruption",
    "crash": "crash",
    "collapse": "collapse",
    "explosion": "explosion",
    "approval": "approval",
    "passage": "bill",
    "win": "win",
    "lawsuit": "lawsuit",
    "indictment": "indictment",
    "announcement": "announcement",
    "landing": "landing",
    "discovery": "discovery",
}
_PLACE_LABELS = {"GPE", "LOC", "FAC"}
_WEAK_KINDS = {
    "announcement",
    "report",
    "study",
    "deal",
    "bill",
    "budget",
    "win",
    "approval",
    "passage",
}
MAX_EVENTS = 10


def _strip_det(text: str) -> str:
    for det in ("the ", "The ", "a ", "an "):
        if text.startswith(det):
            return text[len(det) :]
    return text


def _place_for(trigger: Any, sent: Any) -> str | None:
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
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in {"in", "at", "near", "off", "outside"}:
            for obj in child.children:
                if obj.dep_ == "pobj" and obj.ent_type_ in _PLACE_LABELS:
                    return _entity_text(obj)
    places = [e for e in sent.ents if e.label_ in _PLACE_LABELS]
    return _strip_det(places[0].text) if len(places) == 1 else None


def _entity_text(tok: Any) -> str:
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return _strip_det(ent.text.removesuffix("'s").removesuffix("\u2019s"))
    return tok.text


def _date_for(trigger: Any, sent: Any) -> Any:
    """The DATE entity of the trigger's phrase, else the sentence's only date."""
    subtree = {t.i for t in trigger.subtree}
    head = trigger.head if trigger.pos_ != "VERB" else trigger
    head_tree = {t.i for t in head.subtree}
    dates = [e for e in sent.ents if e.label_ == "DATE"]
    for group in (subtree, head_tree):
        for ent in dates:
            if ent.start in group:
                return ent
    return dates[0] if len(dates) == 1 else None


def _name(trigger: Any, place: str | None) -> str:
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


def _people(doc: Any, people: PersonIndex, sent: Any) -> list[str]:
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


def _merge(into: EventResult, other: EventResult) -> None:
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


def extract_events(doc: Any, people: PersonIndex, published: datetime | None) -> list[EventResult]:
    """Events of an article, one per real-world event."""
    found: list[EventResult] = []
    for sent in doc.sents:
        for tok in sent:
            lemma = tok.lemma_.lower()
            if (
                tok.pos_ in {"NOUN", "PROPN"}
                and lemma in NOUN_KINDS
                and tok.ent_type_ not in {"PERSON", "ORG", "WORK_OF_ART"}
            ):
                kind, trigger_word = NOUN_KINDS[lemma], tok
            elif (
                tok.pos_ == "VERB"
                and lemma in VERB_NOUNS
                and tok.dep_ in {"ROOT", "conj", "ccomp", "advcl", "relcl"}
            ):
                noun = VERB_NOUNS[lemma]
                kind, trigger_word = VERB_KINDS[noun], tok
            else:
                continue
            place = _place_for(trigger_word, sent)
            date_ent = _date_for(trigger_word, sent)
            when_text = date_ent.text if date_ent is not None else None
            start, end = resolve_date(when_text, published) if when_text else (None, None)
            participants = _people(doc, people, sent)
            if kind in _WEAK_KINDS and not (place or when_text):
                continue
            if tok.pos_ == "VERB":
                name = VERB_NOUNS[lemma] + (f" in {place}" if place else "")
            else:
                name = _name(trigger_word, place)
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
    merged: list[EventResult] = []
    for event in found:
        for existing in merged:
            if _compatible(existing, event):
                _merge(existing, event)
                break
        else:
            merged.append(event)
    merged.sort(
        key=lambda e: (-(bool(e.where) + bool(e.when_start) + bool(e.people)), e.sentence_start)
    )
    kept = merged[:MAX_EVENTS]
    kept.sort(key=lambda e: e.sentence_start)
    return kept
