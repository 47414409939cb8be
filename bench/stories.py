"""Cost of adding articles to the copy index, at 1,000 and at 100,000 stored articles.

Each add does what ingest does for a new article: compute the MinHash signature, ask the
index (the article_bands table, by band keys) for copy candidates and confirm them, then
store the signature and its band keys. One in twenty articles is an edited copy of an earlier
one, so candidates are really checked. Prints the cost per article for each slice of the run
(flat when the index scales) and the size of the index at the end.

Run: python -m bench.stories [--articles 100000] [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bot.db import links as link_store
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Article
from bot.stories.copies import BANDS, NUM_PERM, signature

WORDS_PER_ARTICLE = 400
VOCABULARY = 30_000
BATCH = 200
COPY_EVERY = 20


def _vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choices(letters, k=rng.randint(3, 10))) for _ in range(VOCABULARY)]


def _texts(count: int, seed: int = 7) -> list[str]:
    """Synthetic articles with a Zipf-like word distribution, and edited copies."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    cumulative = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(VOCABULARY)))
    texts: list[str] = []
    for n in range(count):
        if n >= COPY_EVERY and n % COPY_EVERY == 0:
            words = texts[rng.randrange(n - COPY_EVERY, n)].split()
            cut = rng.randrange(10, len(words) - 60)
            words = ["WASHINGTON", "(AP)", "—", *words[:cut], *words[cut + 50 :]]
            texts.append(" ".join(words))
            continue
        texts.append(" ".join(rng.choices(vocab, cum_weights=cumulative, k=WORDS_PER_ARTICLE)))
    return texts


async def _index_size(db: Database) -> tuple[int, int, int]:
    async with db.engine.connect() as conn:
        bands = (await conn.execute(text("SELECT count(*) FROM article_bands"))).scalar_one()
        try:
            rows = await conn.execute(
                text(
                    "SELECT sum(pgsize) FROM dbstat WHERE name IN ('article_bands',"
                    " 'ix_article_bands_band_key', 'article_signatures')"
                )
            )
            size = int(rows.scalar_one() or 0)
        except Exception:  # dbstat is a compile-time option of SQLite
            size = -1
        signatures = (
            await conn.execute(text("SELECT count(*) FROM article_signatures"))
        ).scalar_one()
    return int(bands), int(signatures), size


async def run(count: int, path: Path) -> None:
    """Add count articles and print the table."""
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db.write_engine)
    print(f"generating {count:,} synthetic articles of {WORDS_PER_ARTICLE} words ...", flush=True)
    texts = _texts(count)
    print(f"{NUM_PERM} permutations, {BANDS} bands; a transaction per {BATCH} articles")
    # Wall times per phase, and the process's CPU time per article: on a shared machine the
    # CPU time is the steadier figure.
    print(
        f"{'articles':>10} {'sign ms':>8} {'query ms':>9} {'store ms':>9} {'total ms':>9}"
        f" {'cpu ms':>7} copies"
    )
    slice_size = max(BATCH, count // 10)
    sign_s = query_s = store_s = 0.0
    copies = done = 0
    cpu_start = time.process_time()
    try:
        for start in range(0, count, BATCH):
            async with db.writer() as session:
                for body in texts[start : start + BATCH]:
                    t0 = time.perf_counter()
                    sig = signature(body)
                    t1 = time.perf_counter()
                    if await link_store.find_copy(session, sig) is not None:
                        copies += 1
                    t2 = time.perf_counter()
                    article = Article(title="bench", raw_text="", clean_text=None, is_global=True)
                    session.add(article)
                    await session.flush()
                    await link_store.index_signature(session, article.id, sig, replace=False)
                    t3 = time.perf_counter()
                    sign_s, query_s, store_s = (
                        sign_s + t1 - t0,
                        query_s + t2 - t1,
                        store_s + t3 - t2,
                    )
                    done += 1
            if done % slice_size == 0 or done == count:
                n = slice_size if done % slice_size == 0 else done % slice_size
                cpu = time.process_time() - cpu_start
                print(
                    f"{done:>10,} {sign_s / n * 1e3:>8.2f} {query_s / n * 1e3:>9.2f} "
                    f"{store_s / n * 1e3:>9.2f} {(sign_s + query_s + store_s) / n * 1e3:>9.2f} "
                    f"{cpu / n * 1e3:>7.2f} {copies}",
                    flush=True,
                )
                sign_s = query_s = store_s = 0.0
                cpu_start = time.process_time()
        bands, signatures, size = await _index_size(db)
    finally:
        await db.dispose()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"index: {bands:,} band keys, {signatures:,} signatures")
    if size >= 0:
        print(f"index on disk: {size / 1e6:.1f} MB ({size / max(signatures, 1):.0f} bytes/article)")
    print(f"process peak RSS: {rss_mb:.0f} MB")
    print("(the index lives in the database: memory does not grow with the store)")


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    if args.db is not None:
        asyncio.run(run(args.articles, args.db))
        print(f"database file: {args.db.stat().st_size / 1e6:.1f} MB")
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        asyncio.run(run(args.articles, path))
        print(f"database file: {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
