"""HTML article-extraction benchmark: Byline's parse_html path against ground-truth article bodies.

Data: ``../shared/eval/article-extraction`` next to the repository (the ScrapingHub
article-extraction-benchmark, 181 pages); see its README.md for the metric, reproduced here:

1. tokenize both texts into Unicode word tokens (``\\w+``), case kept;
2. overlapping 4-token shingles (a text of 4 tokens or fewer is one shingle), matched as multisets;
3. precision per page averaged over the pages where the extractor returned some text, recall per
   page averaged over all pages, F1 = harmonic mean of those two averages;
4. accuracy = share of pages whose token sequence equals the ground truth exactly.

Run: ``python -m bench.extraction [--data DIR] [--workers N]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "article-extraction"
)
SHINGLE = 4

_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Scores:
    """The benchmark's numbers for one extractor."""

    pages: int
    pages_with_text: int
    precision: float
    recall: float
    f1: float
    accuracy: float
    seconds: float = 0.0
    errors: int = 0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0


def tokenize(text: str) -> list[str]:
    """Unicode word tokens, case kept, punctuation dropped."""
    return _TOKEN.findall(text or "")


def shingles(tokens: list[str], size: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Overlapping shingles as a multiset; a text of ``size`` tokens or fewer is one shingle."""
    if not tokens:
        return Counter()
    if len(tokens) <= size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def match(prediction: str, truth: str) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of one page's shingles."""
    predicted = shingles(tokenize(prediction))
    expected = shingles(tokenize(truth))
    tp = sum((predicted & expected).values())
    return tp, sum(predicted.values()) - tp, sum(expected.values()) - tp


def score(predictions: dict[str, str], truth: dict[str, str]) -> Scores:
    """Score predicted article bodies against the truth; a missing prediction counts as empty."""
    precisions: list[float] = []
    recalls: list[float] = []
    exact = 0
    for page_id, expected in truth.items():
        predicted = predictions.get(page_id) or ""
        tp, fp, fn = match(predicted, expected)
        if tp + fp > 0:
            precisions.append(tp / (tp + fp))
        recalls.append(tp / (tp + fn) if tp + fn > 0 else float(tp + fp == 0))
        exact += tokenize(predicted) == tokenize(expected)
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return Scores(
        pages=len(truth),
        pages_with_text=len(precisions),
        precision=precision,
        recall=recall,
        f1=f1,
        accuracy=exact / len(truth) if truth else 0.0,
    )


# --- extractors (module-level so that worker processes can pickle them) ---------------------------


def read_page(path: Path) -> str:
    """The page as Byline would decode its fetched bytes."""
    from bot.ingest.charset import decode_text

    return decode_text(gzip.decompress(path.read_bytes()), None)


def byline_extract(path: Path, url: str | None) -> str:
    """Byline's extraction path: decode_text, then parse_html (trafilatura + cleaning)."""
    from bot.errors import InvalidInput
    from bot.ingest.readers import parse_html

    try:
        return parse_html(read_page(path), path.name, url=url).clean_text
    except InvalidInput:
        return ""


def trafilatura_extract(path: Path, url: str | None) -> str:
    """Reference: bare trafilatura.extract in favor_precision mode on the same decoded page."""
    import trafilatura

    return trafilatura.extract(read_page(path), url=url, favor_precision=True) or ""


def trafilatura_extract_no_comments(path: Path, url: str | None) -> str:
    """Reference as measured in the data's README (F1 0.964): favor_precision, comments left out."""
    import trafilatura

    page = read_page(path)
    return trafilatura.extract(page, url=url, favor_precision=True, include_comments=False) or ""


def _job(
    extractor: Callable[[Path, str | None], str], page_id: str, path: Path, url: str | None
) -> tuple[str, str, str | None]:
    """Run one extractor on one page; an exception becomes an error string."""
    try:
        return page_id, extractor(path, url), None
    except Exception as exc:  # one broken page must not stop the benchmark
        return page_id, "", f"{type(exc).__name__}: {exc}"


def load_truth(data_dir: Path) -> dict[str, dict[str, str]]:
    """The benchmark's ground truth: {page id: {"articleBody", "url"}}."""
    with open(data_dir / "ground-truth.json", encoding="utf-8") as handle:
        truth: dict[str, dict[str, str]] = json.load(handle)
    return truth


def evaluate(
    data_dir: Path | str | None = None,
    extractor: Callable[[Path, str | None], str] = byline_extract,
    workers: int = 2,
) -> tuple[Scores, dict[str, str]]:
    """Run one extractor over every page; return its scores and its predictions."""
    data_dir = Path(data_dir) if data_dir is not None else DEFAULT_DATA
    truth = load_truth(data_dir)
    pages = sorted(truth)
    paths = [data_dir / "html" / f"{page_id}.html.gz" for page_id in pages]
    urls = [truth[page_id].get("url") for page_id in pages]
    predictions: dict[str, str] = {}
    errors: list[str] = []
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        results = pool.map(_job, [extractor] * len(pages), pages, paths, urls, chunksize=4)
        for page_id, text, error in results:
            predictions[page_id] = text
            if error:
                errors.append(f"{page_id[:12]}: {error}")
    seconds = time.perf_counter() - started
    for error in errors:
        print(f"extraction error on {error}", file=sys.stderr)
    scores = score(predictions, {k: v.get("articleBody", "") for k, v in truth.items()})
    result = Scores(
        pages=scores.pages,
        pages_with_text=scores.pages_with_text,
        precision=scores.precision,
        recall=scores.recall,
        f1=scores.f1,
        accuracy=scores.accuracy,
        seconds=seconds,
        errors=len(errors),
    )
    return result, predictions


def run(data_dir: Path | str | None = None, workers: int = 2) -> Scores:
    """Byline's scores on the benchmark (the parse_html path, cleaning included)."""
    return evaluate(data_dir, byline_extract, workers)[0]


def format_table(rows: list[tuple[str, Scores]]) -> str:
    header = (
        f"{'extractor':<34} {'pages':>5} {'w/text':>6} {'prec':>6} {'recall':>6} {'F1':>6}"
        f" {'acc':>6} {'secs':>6} {'pages/s':>7}"
    )
    lines = [header, "-" * len(header)]
    for name, s in rows:
        lines.append(
            f"{name:<34} {s.pages:>5} {s.pages_with_text:>6} {s.precision:>6.3f} {s.recall:>6.3f} "
            f"{s.f1:>6.3f} {s.accuracy:>6.3f} {s.seconds:>6.1f} {s.pages_per_second:>7.1f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark data directory")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        print(
            f"article-extraction benchmark data not found at {args.data}; "
            "it lives in ../shared/eval"
        )
        return 0
    rows = [
        ("byline parse_html (with cleaning)", run(args.data, args.workers)),
        ("trafilatura favor_precision", evaluate(args.data, trafilatura_extract, args.workers)[0]),
        (
            "  same, include_comments=False",
            evaluate(args.data, trafilatura_extract_no_comments, args.workers)[0],
        ),
    ]
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
