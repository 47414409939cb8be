"""`byline doctor`: is this installation healthy? Plain words, what to do, non-zero on failure."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.cli.context import settings_for
from bot.cli.output import emit_json
from bot.errors import ConfigError
from bot.services.doctor import Check, CheckStatus

MARKS = {CheckStatus.OK: "ok  ", CheckStatus.WARN: "warn", CheckStatus.FAIL: "FAIL"}


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register doctor."""
    p = sub.add_parser(
        "doctor",
        parents=[common],
        help="check config, token, database, model, channels and sources",
    )
    p.add_argument("--offline", action="store_true", help="skip the checks that call Discord")
    p.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    """Run every check and print one line each (or one JSON object each)."""
    checks = asyncio.run(run_checks(args))
    if args.json:
        for check in checks:
            emit_json(check)
    else:
        for check in checks:
            line = f"{MARKS[check.status]}  {check.name}: {check.detail}"
            print(line if check.fix is None else f"{line}\n        → {check.fix}")
    failures = sum(c.status is CheckStatus.FAIL for c in checks)
    if not args.json:
        print("all checks passed" if not failures else f"{failures} check(s) failed")
    return 1 if failures else 0


async def run_checks(args: argparse.Namespace) -> list[Check]:
    """Config, database, model, sources; then, with a token, Discord and the channels."""
    from bot.app import App
    from bot.services import doctor
    from bot.settings import discord_token

    try:
        settings = settings_for(args)
    except ConfigError as exc:
        # Nothing else can be checked with settings that do not load: say all that is wrong.
        return doctor.config_problems(exc.problems)
    checks = doctor.config_checks(settings)
    checks.append(doctor.model_check(settings))
    # Never migrate here: the doctor looks, it does not change the store.
    app = await App.open(settings, migrate=False, processes=False)
    async with app:
        database = await doctor.database_checks(settings, app.db)
        checks += database
        reachable = not any(c.name == "database" and c.status is CheckStatus.FAIL for c in database)
        current = not any(c.name == "migrations" and c.status is CheckStatus.FAIL for c in database)
        configs = await app.guilds.all_configs() if reachable and current else []
        if reachable and current:
            checks += await doctor.source_checks(app.db, app.clock.now())
        token = discord_token()
        if token is not None and not args.offline:
            from bot.discord_app.doctor_checks import discord_checks

            checks += await discord_checks(settings, token.get_secret_value(), configs)
    return checks
