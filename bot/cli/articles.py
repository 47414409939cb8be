"""`byline ingest | extract | analyze | articles`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bot.cli import render
from bot.cli.context import run_with_app, settings_for
from bot.cli.output import emit_json, jsonable, show
from bot.domain import IngestOutcome, IngestStatus
from bot.errors import BylineError, InvalidInput

if TYPE_CHECKING:
    from bot.app import App
    from bot.ingest.readers import RawArticle


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register the article commands."""
    p = sub.add_parser(
        "ingest", parents=[common], help="store and analyse articles from files, globs or URLs"
    )
    p.add_argument("paths", nargs="+", metavar="PATH|GLOB|URL")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("extract", parents=[common], help="print cleaned text and metadata (no NLP)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_extract)
    p = sub.add_parser(
        "analyze", parents=[common], help="analyse files (no database) or --pending store rows"
    )
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument(
        "--pending", action="store_true", help="analyse rows other programs inserted as pending"
    )
    p.set_defaults(func=cmd_analyze)
    p = sub.add_parser("articles", parents=[common], help="list or search articles")
    p.add_argument("--search", metavar="TEXT")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--guild", type=int, help="only what this server sees")
    p.set_defaults(func=cmd_articles)


def read_inputs(paths: list[str], failures: list[str]) -> Iterator[RawArticle]:
    """Articles of every file named; a bad file is reported on stderr and the rest go on."""
    from bot.ingest.paths import expand_inputs
    from bot.ingest.readers import read_file

    for path in expand_inputs(paths):
        try:
            articles = read_file(path)
        except BylineError as exc:
            failures.append(exc.message)
            print(f"error: {exc.message}", file=sys.stderr)
            continue
        yield from articles


def cmd_extract(args: argparse.Namespace) -> int:
    """Print the cleaned text and metadata of files, without NLP."""
    failures: list[str] = []
    for article in read_inputs(args.paths, failures):
        record = {
            "path": article.origin,
            "title": article.title,
            "text": article.clean_text,
            "url": article.url,
            "published_at": article.published_at,
            "authors": article.authors,
        }
        if args.json:
            emit_json(record)
        else:
            print(render.extracted(record))
    return 1 if failures else 0


def _print_outcomes(args: argparse.Namespace, outcomes: list[IngestOutcome]) -> int:
    for outcome in outcomes:
        emit_json(outcome) if args.json else print(render.outcome(outcome))
    if not args.json:
        print(render.outcome_summary(outcomes))
    return 1 if any(o.status == IngestStatus.FAILED for o in outcomes) else 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """Analyse files (no database needed) or the store's pending rows."""
    if args.pending:

        async def pending(app: App) -> int:
            await app.articles.reset_stale_analyzing()
            return _print_outcomes(args, await app.articles.analyze_pending())

        return run_with_app(args, pending)
    if not args.paths:
        raise InvalidInput(
            "give files to analyse, or --pending to analyse the store's pending articles"
        )
    from bot.analysis.nlp import load_model
    from bot.analysis.pipeline import analyze_doc

    settings = settings_for(args)
    nlp = load_model(settings.analysis.model)  # once, for every file of this call
    failures: list[str] = []
    for article in read_inputs(args.paths, failures):
        result = analyze_doc(nlp(article.clean_text), article.published_at, article.name_hints)
        record = {
            "path": article.origin,
            "title": article.title,
            "text": article.clean_text,
            **result.to_json(),
        }
        emit_json(record) if args.json else print(render.analysis(record))
    return 1 if failures else 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Store and analyse files and article URLs."""
    from bot.ingest.paths import expand_inputs

    urls = [p for p in args.paths if p.startswith(("http://", "https://"))]
    others = [p for p in args.paths if p not in urls]
    files = expand_inputs(others) if others else []

    async def work(app: App) -> int:
        from tqdm import tqdm

        bar = tqdm(
            total=len(files),
            unit="file",
            disable=args.json or not sys.stderr.isatty(),
            file=sys.stderr,
        )

        def progress(outcome: IngestOutcome) -> None:
            if "[" not in outcome.path:
                bar.update(1)
            if args.json:
                emit_json(outcome)
            else:
                tqdm.write(render.outcome(outcome), file=sys.stdout)

        outcomes = await app.articles.ingest_paths(files, progress)
        for url in urls:
            outcomes.append(await app.articles.ingest_url(url))
            progress(outcomes[-1])
        bar.close()
        if not args.json:
            print(render.outcome_summary(outcomes))
        failed = [o for o in outcomes if o.status == IngestStatus.FAILED]
        for outcome in failed:
            print(f"error: {outcome.message}", file=sys.stderr)
        return 1 if failed else 0

    return run_with_app(args, work, processes=len(files) > 8)


def cmd_articles(args: argparse.Namespace) -> int:
    """List or search articles."""

    async def work(app: App) -> int:
        if args.search:
            hits = await app.articles.search(args.search, args.guild, limit=args.limit)
            show(args, hits, render.search_hits)
            return 0
        rows = await app.articles.recent(args.guild, limit=args.limit)
        if args.json:
            for ref, status in rows:
                emit_json({**jsonable(ref), "status": status.value})
        else:
            print(render.article_list(rows))
        return 0

    return run_with_app(args, work)
