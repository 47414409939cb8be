"""The crash suite's short form: a few kill -9 runs per phase, with a fixed seed."""

from __future__ import annotations

from pathlib import Path

from bench.crash import run_suite, table


async def test_kill_9_during_ingest_analysis_and_a_digest_loses_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    results = await run_suite(runs=2, seed=7, work=tmp_path)
    assert [r.runs for r in results] == [2, 2, 2]
    for result in results:
        assert result.clean, table(results)
