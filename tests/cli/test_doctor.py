"""`byline doctor` on settings that do not load: every wrong key listed, with what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main


def test_doctor_lists_every_unknown_key_of_the_file_and_the_environment(
    isolated_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated_env / "config.toml").write_text(
        '[database]\nurl = "sqlite+aiosqlite:///x.db"\nfoo = 1\n\n[digestt]\nx = 1\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("BYLINE_DIGEST__LIMITT", "3")
    assert main(["doctor", "--offline", "--json"]) == 1
    checks = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    wrong = sorted(c["detail"].split("'")[1] for c in checks if c["status"] == "fail")
    assert wrong == ["database.foo", "digest.limitt", "digestt"]
    assert all(c["fix"] and "config.example.toml" in c["fix"] for c in checks)


def test_other_commands_name_the_first_problem_and_point_to_the_doctor(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated_env / "config.toml").write_text("[database]\nfoo = 1\nbar = 2\n", encoding="utf-8")
    assert main(["who", "Kim"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "'database.foo'" in err and "byline doctor" in err
