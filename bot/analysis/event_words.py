"""Word lists the event rules use: trigger words and the kinds of event they name."""

from __future__ import annotations


def _pairs(text: str) -> dict[str, str]:
    """Parse 'word=kind' pairs separated by whitespace."""
    return dict(item.split("=", 1) for item in text.split())


# Trigger nouns (lemmas) and the kind of event each names.
NOUN_KINDS: dict[str, str] = _pairs(
    """
    summit=meeting meeting=meeting talks=meeting gathering=meeting conference=meeting
    forum=meeting negotiation=meeting session=meeting visit=visit trip=visit tour=visit
    election=election vote=election referendum=election primary=election runoff=election
    ballot=election caucus=election ruling=ruling verdict=ruling trial=trial hearing=hearing
    sentencing=sentencing lawsuit=lawsuit
    indictment=indictment arrest=arrest settlement=settlement appeal=appeal hurricane=storm
    storm=storm typhoon=storm cyclone=storm tornado=storm landfall=storm
    earthquake=earthquake quake=earthquake flood=flood flooding=flood wildfire=fire
    fire=fire blaze=fire explosion=explosion crash=crash collapse=collapse outbreak=outbreak
    spill=spill evacuation=evacuation shooting=shooting attack=attack match=match game=match
    final=final finals=final championship=championship tournament=tournament race=race
    marathon=race playoff=match semifinal=match derby=match merger=merger acquisition=merger
    deal=deal takeover=merger launch=launch liftoff=launch landing=landing recall=recall
    layoffs=layoffs strike=strike walkout=strike lockout=strike protest=protest
    rally=protest march=protest demonstration=protest ceremony=ceremony
    inauguration=ceremony funeral=ceremony festival=festival premiere=festival
    parade=festival award=award announcement=announcement report=report study=study
    discovery=discovery bankruptcy=bankruptcy ipo=listing earnings=earnings
    resignation=resignation impeachment=impeachment debate=debate budget=budget bill=bill
    sale=deal shutdown=shutdown closure=closure reopening=opening win=win
    victory=win defeat=win loss=win eclipse=eclipse mission=launch talk=meeting
    layoff=layoffs interview=interview briefing=briefing clinic=clinic pilot=pilot
    inspection=inspection testimony=testimony bid=bid declaration=declaration
    notification=notification plea=plea unveiling=opening signing=signing mediation=meeting
    raid=raid investigation=investigation probe=investigation audit=investigation
    eruption=eruption landslide=collapse heatwave=storm drought=drought blackout=outage
    outage=outage cyberattack=attack bombing=attack purchase=merger buyout=merger
    bailout=deal kidnapping=kidnapping abduction=kidnapping stabbing=attack killing=attack
    assassination=attack massacre=attack hijacking=attack coup=coup suicide=death
    deportation=deportation sacking=dismissal dismissal=dismissal appointment=appointment
    withdrawal=withdrawal grounding=grounding speech=speech concert=concert siege=siege
    clash=clash blockade=blockade invasion=invasion annexation=invasion ouster=ouster
    swap=exchange crackdown=crackdown robbery=robbery heist=robbery conviction=verdict
    acquittal=verdict eviction=eviction confession=confession deposition=testimony
    """
)

# Verbs that report an event, and the noun the event is named by.
VERB_NOUNS: dict[str, str] = _pairs(
    """
    rule=ruling vote=vote elect=election launch=launch merge=merger acquire=acquisition
    recall=recall arrest=arrest sentence=sentencing sign=signing resign=resignation
    evacuate=evacuation convict=verdict acquit=verdict strike=strike erupt=eruption
    crash=crash collapse=collapse explode=explosion approve=approval pass=passage win=win
    beat=win defeat=win sue=lawsuit indict=indictment announce=announcement land=landing
    discover=discovery detect=discovery meet=meeting die=death kill=attack open=opening
    close=closure inspect=inspection investigate=investigation testify=testimony plead=plea
    declare=declaration swear=swearing-in inaugurate=inauguration release=release
    unveil=opening return=return notify=notification
    """
)

# The kind of event each of those nouns is.
VERB_KINDS: dict[str, str] = _pairs(
    """
    ruling=ruling vote=election election=election launch=launch merger=merger
    acquisition=merger recall=recall arrest=arrest sentencing=sentencing signing=signing
    resignation=resignation evacuation=evacuation verdict=ruling strike=strike
    eruption=eruption crash=crash collapse=collapse explosion=explosion approval=approval
    passage=bill win=win lawsuit=lawsuit indictment=indictment announcement=announcement
    landing=landing discovery=discovery meeting=meeting death=death attack=attack
    opening=opening closure=closure inspection=inspection investigation=investigation
    testimony=testimony plea=plea declaration=declaration swearing-in=inauguration
    inauguration=inauguration release=release return=return notification=notification
    """
)

# Nouns with eventive endings that do not name events.
NOT_EVENTS: frozenset[str] = frozenset(
    [
        "administration",
        "agreement",
        "amount",
        "animal",
        "anyone",
        "argument",
        "association",
        "audience",
        "balance",
        "battery",
        "bring",
        "building",
        "capital",
        "ceiling",
        "clothing",
        "comment",
        "commission",
        "condition",
        "connection",
        "corporation",
        "culture",
        "decision",
        "delivery",
        "department",
        "development",
        "direction",
        "distance",
        "division",
        "education",
        "element",
        "environment",
        "equipment",
        "evening",
        "everyone",
        "everything",
        "evidence",
        "experience",
        "feeling",
        "finance",
        "foundation",
        "funding",
        "future",
        "gallery",
        "generation",
        "government",
        "hospital",
        "housing",
        "individual",
        "information",
        "institution",
        "judgment",
        "king",
        "legislature",
        "location",
        "management",
        "material",
        "meaning",
        "mission",
        "moment",
        "morning",
        "nation",
        "nature",
        "nothing",
        "official",
        "opinion",
        "opening",
        "option",
        "organization",
        "payment",
        "pension",
        "percent",
        "population",
        "portion",
        "position",
        "president",
        "pricing",
        "proposal",
        "pudding",
        "question",
        "ranking",
        "rating",
        "recovery",
        "region",
        "relation",
        "resident",
        "ring",
        "science",
        "section",
        "setting",
        "signal",
        "sing",
        "situation",
        "solution",
        "someone",
        "something",
        "spending",
        "spring",
        "statement",
        "station",
        "string",
        "structure",
        "swing",
        "television",
        "temperature",
        "tension",
        "thing",
        "training",
        "version",
        "vision",
        "wedding",
        "wing",
    ]
)

# Reporting and generic verbs do not name an event on their own.
VERB_STOP: frozenset[str] = frozenset(
    [
        "acknowledge",
        "add",
        "appear",
        "argue",
        "ask",
        "be",
        "become",
        "begin",
        "believe",
        "call",
        "come",
        "continue",
        "decline",
        "describe",
        "do",
        "estimate",
        "expect",
        "explain",
        "find",
        "get",
        "give",
        "go",
        "have",
        "hope",
        "include",
        "insist",
        "keep",
        "know",
        "leave",
        "let",
        "make",
        "mean",
        "need",
        "note",
        "plan",
        "put",
        "recall",
        "refuse",
        "remain",
        "say",
        "see",
        "seem",
        "show",
        "suggest",
        "take",
        "tell",
        "think",
        "try",
        "use",
        "want",
        "warn",
        "write",
    ]
)

# Verbs whose infinitive complement lies ahead ('scheduled to return').
PLANNING_VERBS: frozenset[str] = frozenset(
    [
        "agree",
        "aim",
        "ask",
        "due",
        "expect",
        "hope",
        "intend",
        "offer",
        "plan",
        "pledge",
        "prepare",
        "promise",
        "propose",
        "schedule",
        "seek",
        "set",
        "slate",
        "urge",
        "vow",
        "want",
    ]
)

# Words that put an event ahead of the story.
FUTURE_CUES: frozenset[str] = frozenset(
    [
        "'ll",
        "due",
        "expected",
        "next",
        "plan",
        "planned",
        "plans",
        "proposed",
        "scheduled",
        "set",
        "slated",
        "soon",
        "upcoming",
        "will",
        "would",
    ]
)

# Kinds that are events only with a place or a date.
WEAK_KINDS: frozenset[str] = frozenset(
    ["announcement", "approval", "bill", "budget", "deal", "passage", "report", "study", "win"]
)
