"""Words per second of Byline's whole analysis against bare spaCy nlp.pipe on the same texts.

Run: python -m bench.analysis_speed [--repeat N]
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path

from bot.analysis.nlp import load_model
from bot.analysis.pipeline import analyze_doc
from bot.ingest.readers import read_file
from bot.settings import AnalysisSettings

ROOT = Path(__file__).resolve().parents[1]


def corpus() -> list[tuple[str, datetime | None, dict[str, str]]]:
    """Clean texts of the gold articles and the samples."""
    items = []
    for path in sorted(
        [*(ROOT / "tests" / "gold" / "articles").glob("*.txt"), *(ROOT / "samples").glob("*.txt")]
    ):
        for article in read_file(path):
            items.append((article.clean_text, article.published_at, article.name_hints))
    return items


def measure(repeat: int) -> dict[str, float]:
    """Time both pipelines; return words/s of each and their ratio."""
    nlp = load_model(AnalysisSettings().model)
    items = corpus() * repeat
    texts = [t for t, _, _ in items]
    words = sum(len(t.split()) for t in texts)
    list(nlp.pipe(texts[:5]))  # warm up
    spacy_s = byline_s = float("inf")
    for _ in range(2):  # alternate and keep the best run of each, so warm-up favours neither
        start = time.perf_counter()
        for _doc in nlp.pipe(texts):
            pass
        spacy_s = min(spacy_s, time.perf_counter() - start)
        start = time.perf_counter()
        for doc, (_, published, hints) in zip(nlp.pipe(texts), items, strict=True):
            analyze_doc(doc, published, hints)
        byline_s = min(byline_s, time.perf_counter() - start)
    return {
        "articles": float(len(texts)),
        "words": float(words),
        "spacy_wps": words / spacy_s,
        "byline_wps": words / byline_s,
        "ratio": spacy_s / byline_s,
    }


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=4)
    result = measure(parser.parse_args().repeat)
    print(f"{'pipeline':<28} {'words/s':>10}")
    print("-" * 39)
    print(f"{'spaCy nlp.pipe only':<28} {result['spacy_wps']:>10,.0f}")
    print(f"{'Byline full analysis':<28} {result['byline_wps']:>10,.0f}")
    print(f"{'ratio (target >= 0.90)':<28} {result['ratio']:>10.2f}")
    print(f"({int(result['articles'])} articles, {int(result['words']):,} words)")


if __name__ == "__main__":
    main()
