"""The distribution benchmarks run at a tiny size and print their tables (no timings asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import fanout, interactions, workers


def test_workers_benchmark_stores_every_article_once(
    capsys: pytest.CaptureFixture[str], isolated_env: Path
) -> None:
    assert workers.main(["--articles", "6", "--workers", "2", "--mode", "tasks"]) == 0
    out = capsys.readouterr().out
    assert "per worker" in out and "sqlite     tasks" in out


def test_fanout_benchmark_posts_every_servers_digest(
    capsys: pytest.CaptureFixture[str], isolated_env: Path
) -> None:
    assert fanout.main(["--servers", "4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in lines if line.startswith(("full run ", "posting only "))]
    assert len(rows) == 2
    assert all(row[-7] == "4" for row in rows)  # every server's digest was posted


def test_interactions_benchmark_acknowledges_commands_and_reports_memory(
    capsys: pytest.CaptureFixture[str], isolated_env: Path
) -> None:
    assert interactions.main(["--rate", "4", "--seconds", "1", "--gold", "2"]) == 0
    out = capsys.readouterr().out
    assert "p99 ms" in out and "Peak RSS" in out
    total = next(line for line in out.splitlines() if line.lstrip().startswith("all "))
    assert total.split()[1] == total.split()[2]  # every command sent was acknowledged
