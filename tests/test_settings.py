"""Settings from TOML and environment; wrong keys and values stop start-up with one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import discord_token, load_settings

pytestmark = pytest.mark.usefixtures("isolated_env")


def _config(tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    monkeypatch.setenv("BYLINE_CONFIG", str(path))


def test_defaults_use_sqlite_under_data() -> None:
    settings = load_settings()
    assert settings.database.url.endswith("data/byline.db")


def test_toml_values_and_env_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _config(
        tmp_path, '[digest]\nmax_articles = 7\n[fetch]\nallow_hosts = ["a.local"]\n', monkeypatch
    )
    monkeypatch.setenv("BYLINE_DIGEST__MAX_ARTICLES", "9")
    monkeypatch.setenv("BYLINE_FETCH__ALLOW_HOSTS", '["b.local:8080"]')
    settings = load_settings()
    assert settings.digest.max_articles == 9
    assert settings.fetch.allow_hosts == ["b.local:8080"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[digest]\nmax_artcles = 3\n", "unknown setting 'digest.max_artcles'"),
        ("[digest]\nmax_articles = 99\n", "setting 'digest.max_articles'"),
        ('[database]\nurl = "mysql://x"\n', r"must start with sqlite\+aiosqlite://"),
        ('[discord]\ntoken = "abc"\n', "must not hold the bot token"),
        ("[digest\n", "cannot read"),
    ],
)
def test_wrong_keys_and_values_stop_startup_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    _config(tmp_path, body, monkeypatch)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings()
    assert "\n" not in info.value.message


def test_missing_config_named_by_env_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYLINE_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings()


def test_token_comes_only_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert discord_token() is None
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token")
    token = discord_token()
    assert token is not None and token.get_secret_value() == "secret-token"
    assert "secret-token" not in repr(token)


def test_the_documented_example_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    example = Path(__file__).resolve().parents[1] / "config.example.toml"
    monkeypatch.setenv("BYLINE_CONFIG", str(example))
    settings = load_settings()
    assert settings.digest.default_schedule == "daily 09:00"
