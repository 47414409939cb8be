"""Scores copy detection and story grouping on the labelled pair set (tests/stories/pairs)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.ingest.readers import RawArticle, build_article, read_file
from bot.stories.copies import Signature, is_copy, signature
from bot.stories.grouping import StoryFeatures, best_match, features
from tests.stories.pairs.generate import GOLD, OUT, PAIRS, REPORTS


@dataclass
class Score:
    """Confusion counts of one yes/no decision over labelled pairs."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, truth: bool, said: bool, label: str) -> None:
        """Count one pair."""
        if truth and said:
            self.tp += 1
        elif said:
            self.fp += 1
            self.errors.append(f"false yes: {label}")
        elif truth:
            self.fn += 1
            self.errors.append(f"false no: {label}")
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        """Share of yes answers that were right."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of true pairs found."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def line(self, name: str) -> str:
        """One line of the report."""
        return (
            f"{name:<22} P={self.precision:.3f} R={self.recall:.3f} "
            f"(tp={self.tp} fp={self.fp} fn={self.fn} tn={self.tn})"
        )


@lru_cache(maxsize=1)
def articles() -> dict[str, RawArticle]:
    """Every article of the pair set by id: gold originals, reports and generated copies."""
    found: dict[str, RawArticle] = {}
    for path in [*sorted(GOLD.glob("*.txt")), *sorted(REPORTS.glob("*.txt"))]:
        [raw] = read_file(path)
        found[path.stem] = raw
    for line in OUT.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        original = found[record["original"]]
        found[record["id"]] = build_article(
            record["id"], record["title"], record["text"], published_at=original.published_at
        )
    return found


def pairs() -> list[dict[str, object]]:
    """The labelled pairs."""
    return [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]


def copy_score() -> Score:
    """Copy detection as the index does it: a shared band key, then the signature check."""
    signatures: dict[str, Signature] = {k: signature(a.clean_text) for k, a in articles().items()}
    score = Score()
    for pair in pairs():
        a, b = signatures[str(pair["a"])], signatures[str(pair["b"])]
        found = bool(set(a.band_keys()) & set(b.band_keys())) and is_copy(a, b)
        score.add(bool(pair["copy"]), found, f"{pair['kind']} {pair['a']} ~ {pair['b']}")
    return score


def story_clusters(ids: list[str]) -> dict[str, int]:
    """Group articles as the store does: in publication order, each joins its best match."""
    raws = articles()
    order = sorted(ids, key=lambda k: (raws[k].published_at is None, raws[k].published_at, k))
    cluster: dict[str, int] = {}
    seen: list[tuple[str, StoryFeatures]] = []
    for number, key in enumerate(order):
        raw = raws[key]
        new = features(number, raw.title, raw.clean_text, raw.published_at)
        match = best_match(new, [f for _, f in seen])
        cluster[key] = cluster[order[match[0]]] if match else number
        seen.append((key, new))
    return cluster


def story_score(kinds: tuple[str, ...] = ("same-story", "same-people", "other")) -> Score:
    """Story grouping over the original articles (copies are one article already)."""
    chosen = [p for p in pairs() if p["kind"] in kinds]
    ids = sorted({str(p["a"]) for p in chosen} | {str(p["b"]) for p in chosen})
    cluster = story_clusters(ids)
    score = Score()
    for pair in chosen:
        a, b = str(pair["a"]), str(pair["b"])
        score.add(bool(pair["story"]), cluster[a] == cluster[b], f"{pair['kind']} {a} ~ {b}")
    return score


def report() -> str:
    """The figures `make test` prints."""
    copies, stories, hard = copy_score(), story_score(), story_score(("same-story", "same-people"))
    lines = [
        f"pair set: {len(pairs())} labelled pairs, {len(articles())} articles",
        copies.line("copies"),
        stories.line("stories"),
        hard.line("stories, same people"),
        *[f"  {e}" for e in (copies.errors + stories.errors)[:20]],
    ]
    return "\n".join(lines)


def reports_dir() -> Path:
    """Where the hand-written story reports are."""
    return REPORTS
