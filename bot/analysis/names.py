"""Word lists about names: titles, honorifics, non-person cues, and common first names."""

from __future__ import annotations

from pathlib import Path

# Titles that can stand before a name; they become descriptions, never part of the name.
TITLES: frozenset[str] = frozenset(
    """
    acting actor actress adm admiral administrator adviser advisor ambassador analyst assistant
    attorney envoy
    author bishop capt capt. captain cardinal ceo cfo chair chairman chairwoman chancellor
    chief city coach col col. commissioner congressman congresswoman constable councillor
    councilman councilor councilwoman county dame dean defender democratic deputy detective
    director district dr dr. economist executive father federal former forward founder gen
    gen. general goalkeeper gov gov. governor house imam inspector judge justice king lady
    lawyer leader lord lt lt. maj manager mayor midfielder minister miss mr mr. mrs mrs. ms
    ombudsman
    ms. mx national officer pitcher player pope premier president prime prince princess prof
    prof. professor quarterback queen rabbi rep rep. representative republican rev rev.
    reverend sec secretary security sen sen. senate senator sgt sgt. sheriff singer sir
    speaker spokesman spokesperson spokeswoman st. star state striker superintendent then
    top trooper u.n. u.s. un us vice
    """.split()
)

# Honorifics alone say nothing about a person's role.
HONORIFICS: frozenset[str] = frozenset(
    """
    dame dr miss mr mrs ms mx prof sir
    """.split()
)

# Titles that tell a man.
MALE_HONORIFICS: frozenset[str] = frozenset(
    """
    actor chairman congressman councilman father king lord mr prince sir spokesman
    """.split()
)

# Titles that tell a woman.
FEMALE_HONORIFICS: frozenset[str] = frozenset(
    """
    actress chairwoman congresswoman councilwoman dame lady miss mrs ms princess queen
    spokeswoman
    """.split()
)

# Suffixes that belong to a name ('Jr.', 'III').
NAME_SUFFIXES: frozenset[str] = frozenset(
    """
    esq ii iii iv jr jr. md phd sr sr. v
    """.split()
)

# Lowercase particles inside names ('van der', 'de la').
PARTICLES: frozenset[str] = frozenset(
    """
    al bin da das de del della den der di dos du el ibn la le mac st ten ter van von y
    """.split()
)

# A name followed by one of these is part of a place, company, prize, disease, ...
NON_PERSON_NEXT: frozenset[str] = frozenset(
    """
    & academy act administration airlines airport airways arena ave ave. avenue award awards
    bank bay beach bee blvd boulevard bridge bros bros. brothers building canal capital center
    centre chronicle city clinic amphitheatre amphitheater auditorium theater theatre
    pavilion coliseum tech health high athletic co co. college courant company corp corp.
    corporation county
    creek cup dam
    disease district doctrine drive effect empire falls field films forest foundation
    examiner freeway fund gazette globe group guardian gulf hall heights herald highway holdings
    hospital inc inc. institute island
    inquirer islands journal kingdom labs lake lane law library medal media memorial motor motors
    mountain museum news observer ocean parish park partners peninsula pictures plan plaza post
    press
    prize rd records republic reservoir river road rule school sea square st. stadium state
    station strait street studios syndrome systems technologies times tower town township
    trophy trust tunnel university valley village way
    """.split()
)

# A name after one of these is a storm, a mountain, a ship, ...
NON_PERSON_PREV: frozenset[str] = frozenset(
    """
    camp cape cyclone fort hms hurricane lake lincoln mount mt mt. operation port project
    storm tropical typhoon uss
    """.split()
)

# A 'name' holding one of these words is an organization or a place.
NON_PERSON_WORDS: frozenset[str] = frozenset(
    """
    agency air airport army association award bank board bridge cathedral chronicle church city
    club college commission committee company corp corp. council county courant court cyclone
    department examiner gazette herald inquirer telegraph tribune productions records reports
    entertainment studios avenue boulevard drive road lane pharmaceuticals athletic
    disease fc force foundation group hospital hurricane inc inc. institute lake league llc
    ltd ministry motor motors mount navy news office one park party police post prize river
    school stadium storm street syndrome team times typhoon union united university
    """.split()
)

# Common given names, used only as weak evidence of gender for pronouns.
FEMALE_NAMES: frozenset[str] = frozenset(
    """
    abigail adaeze adriana aisha alejandra alexis alice amanda amara amber amina amy ana
    ananya andrea angela anja ann anna annika aoife ashley astrid aurora ava ayesha barbara
    beatriz betty beverly birgit brenda brigitte brittany camila carmen carol carolyn
    catherine charlotte cheryl chiara chioma chloe christina christine claire clara consuelo
    cynthia daniela danielle deborah debra denise diana diane dolores donna doris dorothy
    elena elif elizabeth ella ellie emily emma erica erika esther eva evelyn fang fatima
    federica frances francesca freya gabriela giulia gloria grace greta guadalupe hana
    hannah hazel heather helen helga hui hyun-joo ilaria imani ines ingrid irene irina iris
    isabel isabella ivy jacqueline jane janet janice jean jennifer jessica ji-woo jing joan
    joanne josephine joyce judith judy julia julie karen katherine kathleen kathryn katja
    kayla keisha kelly kimberly lan latoya laura lauren layla leah leila lena lily linda
    ling lisa lorraine louise lucia lucy madison margaret margot maria mariana marie marilyn
    martha martina mary maya megan mei melissa mia michelle min-ji miriam monica nancy naomi
    natalie natasha ngozi nia niamh nicole noor nora olga olivia pamela patricia paula pilar
    priya rachel rebecca renee rita rosa rose ruby ruth sakura samantha samira sandra sara
    sarah shanice sharon shirley simone siobhan sofia soo-jin sophia stella stephanie susan
    svetlana sylvia tamika tatiana teresa theresa tina tracy ursula valentina vanessa
    veronica victoria violet virginia wen wendy xiu yasmin ying yuki yvonne zeynep zoe
    """.split()
)

# Common given names, used only as weak evidence of gender for pronouns.
MALE_NAMES: frozenset[str] = frozenset(
    """
    aaron adam ahmed aidan alan albert alejandro alessandro alexander alexei ali amit andres
    andrew angus anthony antoine antonio arjun arthur austin barack benjamin bill billy
    bjorn bobby boris brandon brendan brian bruce bryan caleb callum carl carlos charles
    chen-wei chinedu christian christopher cian clive colin connor daniel david declan
    dennis derek desmond diego dmitri donald douglas duncan dylan eduardo edward elijah
    emeka emmanuel eric erik ethan eugene ezra felix fernando finn francesco francois frank
    friedrich gabriel gary george gerald giovanni giuseppe gordon graham gregory hamish hans
    hao harold haruto hassan heinrich henry hiroshi hudson hugo hussein ian ibrahim igor
    isaac ivan jack jacob jacques james jason javier jean-paul jeffrey jeremy jerry jesse
    ji-hoon jian joe john jomo jonathan jordan jorge jose joseph joshua juan julian jun
    jurgen justin karl keir keith kenji kenneth kevin khalid kieran klaus kofi kwame kyle
    larry lars lawrence lei leo levi liam logan louis louis-philippe luc luca lucas luis
    lukas malcolm mandla manuel marc marco mario mark mason matteo matthew max maximilian
    michael miguel mikhail miles min-ho ming mohammed muhammad mustafa narendra nathan neil
    nicholas nigel nils noah olaf oleg oliver oluwaseun omar otto owen pablo patrick paul
    pedro peter philip pierre rafael rahul raj ralph randy ravi raymond recep ricardo
    richard rishi robert roger ronald ronan rory roy russell ryan samuel sanjay scott seamus
    sean sergei sergio seung sipho stefan stephen steven sven takeshi tao tariq terry thabo
    themba theo thomas timothy trevor tunde tyler vikram vincent vladimir walter wayne wei
    william willie wolfgang yuri yusuf zachary
    """.split()
)

# Nouns for people by role; an appositive with one of these marks the name beside it as a person.
HUMAN_ROLES: frozenset[str] = frozenset(
    """
    activist actor actress adviser advisor agent aide ambassador analyst anchor architect artist
    attorney author banker bishop broker brother builder candidate captain ceo chair chairman
    chairwoman chef chief citizen coach colleague columnist commander commissioner correspondent
    councilman councilwoman
    daughter defender designer detective director doctor driver economist editor engineer
    entrepreneur executive farmer father founder friend general goalkeeper governor grandson
    insider
    granddaughter historian husband imam inspector investor judge lawmaker lawyer leader
    legislator man manager mayor member midfielder minister mother neighbor neighbour nurse
    officer official organizer owner partner passenger pastor pilot player president priest
    producer professor prosecutor rabbi reporter representative researcher resident rookie
    scientist secretary
    senator sheriff singer sister son spokesman spokesperson spokeswoman striker student
    survivor teacher trader veteran victim widow wife witness woman worker writer
    """.split()
)

# Verbs (lemmas) that report speech; their subject is a quote's speaker.
SPEECH_VERBS: frozenset[str] = frozenset(
    """
    say tell add write ask explain note state argue insist warn recall tweet post continue
    reply declare announce acknowledge admit concede caution claim confirm deny describe
    emphasize emphasise observe predict promise remark report respond stress suggest testify
    vow call urge joke complain conclude counter quip shout whisper scream yell boast plead
    pledge assert maintain mutter recount reflect sigh lament concur agree contend demand
    murmur tout hail praise criticize criticise dismiss blast brand label dub characterize
    characterise mention point answer begin go sing chant cry exclaim muse gush rave scoff
    snap retort chime interject
    """.split()
)


def _given_names() -> frozenset[str]:
    """Lowercase given names of many languages (data/given_names.txt, from Faker's lists)."""
    path = Path(__file__).with_name("data") / "given_names.txt"
    return frozenset(path.read_text(encoding="utf-8").split())


# Given names that also start organisations, places and teams ("Red Wings", "North Carolina",
# "Major League", "Royal Navy"): no evidence of a person on their own.
_AMBIGUOUS_GIVEN_NAMES = frozenset("general major north red royal west young".split())

# Given names a person is likely to bear: evidence that a capitalised pair is a person's name,
# and that a name NER mistook for an organisation or a place is a person's.
KNOWN_GIVEN_NAMES: frozenset[str] = (
    _given_names() | FEMALE_NAMES | MALE_NAMES
) - _AMBIGUOUS_GIVEN_NAMES


def is_given_name(word: str) -> bool:
    """Whether a word is a known given name ('Eva-Marie' by its first part)."""
    low = word.lower()
    return low in KNOWN_GIVEN_NAMES or low.split("-", 1)[0] in KNOWN_GIVEN_NAMES


# Kinds of organisation, work and thing: a name right after one is the thing's name
# ("ensemble Hollow Oak", "the website Full Fact", "label Big Machine", "the film Roma").
ORG_KIND_NOUNS: frozenset[str] = frozenset(
    """
    agency airline album app band bank brand carrier chain channel charity company ensemble firm
    franchise fund game group label lander magazine maker manufacturer movie network newspaper
    nonprofit novel outlet platform podcast publication publisher restaurant retailer rocket
    series ship show site song spacecraft startup station studio team venue website
    """.split()
)
