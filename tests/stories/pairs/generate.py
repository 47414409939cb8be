"""Build the labelled pair set: copies of the gold articles, and the story pairs.

Deterministic (a fixed seed per article): run `python -m tests.stories.pairs.generate` to
regenerate copies.jsonl and pairs.jsonl.

Copies: the gold articles (tests/gold/articles) rewritten as wire editors do. Each copy
applies three to five of the edits syndication makes: a new lede and headline, a dateline,
a credit line or trailer, a paragraph cut or moved, British spellings, and a trim from the
bottom (a shorter version of the wire story).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLD = HERE.parents[1] / "gold" / "articles"
OUT = HERE / "copies.jsonl"
PAIRS = HERE / "pairs.jsonl"
REPORTS = HERE / "reports"
# Stories: reports/<story>__<outlet>.txt are several outlets' own write-ups of one happening,
# written by hand; a gold article is a story of its own. These are different stories with the
# same people (same judge, same club, same governor, same fire crews), most within days.
SAME_PEOPLE = [
    ("whitcomb-jailed", "03_whitcomb_verdict"),
    ("whitcomb-jailed", "marsh-rentals-ruling"),
    ("marsh-rentals-ruling", "03_whitcomb_verdict"),
    ("water-house-vote", "01_senate_water_bill"),
    ("harbour-league-rest", "29_cup_semifinal_ofori"),
    ("harbour-cup-final", "harbour-league-rest"),
    ("harbour-cup-final", "29_cup_semifinal_ofori"),
    ("pemberton-ceo-exit", "28_pemberton_lowe_earnings"),
    ("entiat-fire", "16_chelan_wildfire"),
    ("norland-rate-decision", "strand-parliament-testimony"),
]
COPIES_PER_ARTICLE = 5

DATELINES = [
    "WASHINGTON (AP) — ",
    "NEW YORK (Reuters) - ",
    "LONDON (AFP) — ",
    "BALTIMORE — ",
    "CHICAGO (AP) — ",
    "SAN FRANCISCO (Bloomberg) -- ",
]
TRAILERS = [
    "Associated Press writer Dana Whitfield contributed to this report.",
    "(Reporting by Tom Okafor; Editing by Susan Fenwick)",
    "This story has been corrected to show the vote was on Wednesday, not Tuesday.",
    "Copyright 2026 The Associated Press. All rights reserved.",
    "Follow our coverage at example-news.test/live.",
    "Additional reporting by Priya Natarajan in Boston.",
]
# Lede rewrites an editor makes: synonyms and a different opening.
LEDE_WORDS = {
    "postponed": "delayed",
    "scheduled": "planned",
    "said": "says",
    "announced": "unveiled",
    "on Wednesday": "late Wednesday",
    "on Thursday": "Thursday",
    "on Tuesday": "Tuesday",
    "on Monday": "Monday",
    "on Friday": "Friday",
    "more than": "over",
    "passed": "approved",
    "convicted": "found guilty",
    "about": "roughly",
    "after": "following",
    "began": "started",
    "officials": "authorities",
    "company": "firm",
    "killed": "left dead",
    "percent": "per cent",
    "largest": "biggest",
}
OPENINGS = [
    "In a move that surprised few, ",
    "In a closely watched decision, ",
    "Late in the day, ",
    "",
]
HEADLINE_WORDS = {
    "passes": "approves",
    "after": "following",
    "convicts": "finds guilty",
    "says": "said",
    "to": "will",
    "in": "at",
}
BRITISH = {
    "color": "colour",
    "labor": "labour",
    "favor": "favour",
    "honor": "honour",
    "neighbor": "neighbour",
    "behavior": "behaviour",
    "center": "centre",
    "defense": "defence",
    "program": "programme",
    "percent": "per cent",
    "gray": "grey",
    "organize": "organise",
    "organized": "organised",
    "recognize": "recognise",
    "criticized": "criticised",
    "analyze": "analyse",
    "apologize": "apologise",
    "theater": "theatre",
    "license": "licence",
    "traveled": "travelled",
    "canceled": "cancelled",
}


def read_gold(path: Path) -> tuple[str, list[str], list[str]]:
    """(title, header lines, paragraphs) of a gold article file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    title = lines[0].strip()
    i = 1
    header = []
    while i < len(lines) and re.match(r"^(URL|Published|Source|Authors?):", lines[i]):
        header.append(lines[i])
        i += 1
    body = "\n".join(lines[i:])
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    return title, header, paragraphs


def _swap(text: str, table: dict[str, str], rng: random.Random, rate: float) -> str:
    for old, new in table.items():
        if rng.random() < rate:
            text = re.sub(rf"\b{re.escape(old)}\b", new, text)
    return text


def new_lede(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Rewrite the first paragraph: synonyms, a new opening, its last clause dropped."""
    lede = _swap(paragraphs[0], LEDE_WORDS, rng, 0.9)
    first, _, rest = lede.partition(". ")
    if ", " in first and rng.random() < 0.6:
        first = first.rsplit(", ", 1)[0]
    opening = rng.choice(OPENINGS)
    if opening:
        first = opening + first[0].lower() + first[1:]
    lede = first.rstrip(".") + "." + (" " + rest if rest else "")
    return [lede, *paragraphs[1:]]


def british(paragraphs: list[str]) -> list[str]:
    """American spellings turned British."""
    return [_swap(p, BRITISH, random.Random(0), 1.0) for p in paragraphs]


def cut_paragraph(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Drop one paragraph from the middle."""
    if len(paragraphs) < 5:
        return paragraphs
    i = rng.randrange(2, len(paragraphs) - 1)
    return paragraphs[:i] + paragraphs[i + 1 :]


def move_paragraph(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Move one paragraph elsewhere."""
    if len(paragraphs) < 4:
        return paragraphs
    out = list(paragraphs)
    moved = out.pop(rng.randrange(1, len(out)))
    out.insert(rng.randrange(1, len(out)), moved)
    return out


def trim(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Keep the top of the story (a shorter version): at least three quarters of it."""
    keep = max(3, round(len(paragraphs) * rng.uniform(0.75, 0.9)))
    return paragraphs[:keep]


EDITS = ["lede", "dateline", "trailer", "cut", "move", "british", "trim", "headline"]


def make_copy(title: str, paragraphs: list[str], rng: random.Random) -> tuple[str, str, list[str]]:
    """One syndicated copy: (title, text, edits applied)."""
    edits = sorted(rng.sample(EDITS, rng.randint(3, 5)), key=EDITS.index)
    paras = list(paragraphs)
    if "lede" in edits:
        paras = new_lede(paras, rng)
    if "cut" in edits:
        paras = cut_paragraph(paras, rng)
    if "move" in edits:
        paras = move_paragraph(paras, rng)
    if "trim" in edits:
        paras = trim(paras, rng)
    if "british" in edits:
        paras = british(paras)
    if "dateline" in edits:
        paras[0] = rng.choice(DATELINES) + paras[0]
    if "trailer" in edits:
        paras.append(rng.choice(TRAILERS))
    if "headline" in edits:
        title = _swap(title, HEADLINE_WORDS, rng, 0.8)
        title = rng.choice(["", "UPDATE 1-", "", "Analysis: "]) + title
    return title, "\n\n".join(paras), edits


def story_of(stem: str) -> str:
    """The story an original article belongs to (its file name before "__")."""
    return stem.split("__", 1)[0]


def pair_records(copies: Sequence[Mapping[str, object]]) -> list[dict[str, object]]:
    """Every labelled pair: copies, same story, same people, different story."""
    originals = sorted(p.stem for p in GOLD.glob("*.txt")) + sorted(
        p.stem for p in REPORTS.glob("*.txt")
    )
    related = {frozenset(p) for p in SAME_PEOPLE}
    pairs: list[dict[str, object]] = []
    by_original: dict[str, list[str]] = {}
    for record in copies:
        by_original.setdefault(str(record["original"]), []).append(str(record["id"]))
        pairs.append(
            {
                "a": record["original"],
                "b": record["id"],
                "copy": True,
                "story": True,
                "kind": "copy",
            }
        )
    for _original, ids in sorted(by_original.items()):
        pairs.append(
            {"a": ids[0], "b": ids[1], "copy": True, "story": True, "kind": "copy-of-copy"}
        )
    gold = sorted(by_original)
    for n, original in enumerate(gold):
        other = gold[(n + 7) % len(gold)]
        pairs.append(
            {
                "a": by_original[original][2],
                "b": other,
                "copy": False,
                "story": False,
                "kind": "other",
            }
        )
    for i, a in enumerate(originals):
        for b in originals[i + 1 :]:
            same = story_of(a) == story_of(b)
            kind = (
                "same-story"
                if same
                else "same-people"
                if frozenset((story_of(a), story_of(b))) in related
                else "other"
            )
            pairs.append({"a": a, "b": b, "copy": False, "story": same, "kind": kind})
    return pairs


def main() -> None:
    """Write copies.jsonl and pairs.jsonl."""
    records = []
    for path in sorted(GOLD.glob("*.txt")):
        title, _, paragraphs = read_gold(path)
        rng = random.Random(f"copies:{path.stem}")
        for n in range(COPIES_PER_ARTICLE):
            copy_title, text, edits = make_copy(title, paragraphs, rng)
            records.append(
                {
                    "id": f"{path.stem}~copy{n}",
                    "original": path.stem,
                    "title": copy_title,
                    "edits": edits,
                    "text": text,
                }
            )
    with OUT.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    pairs = pair_records(records)
    with PAIRS.open("w", encoding="utf-8") as out:
        for pair in pairs:
            out.write(json.dumps(pair, ensure_ascii=False) + "\n")
    print(f"{len(records)} copies written to {OUT}, {len(pairs)} pairs to {PAIRS}")


if __name__ == "__main__":
    main()
