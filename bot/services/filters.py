"""Filters: each server's include/exclude rules, and which articles they keep out and why."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.db import filters as filter_store
from bot.db import queries
from bot.db.engine import Database
from bot.domain import ArticleFacts, FilterAction, FilterKind, FilterRule, FilterVerdict
from bot.errors import InvalidInput, NotFound
from bot.filtering import TEXT_MAX_CHARS, FilterSet, check_rule
from bot.services.people import PeopleService

logger = logging.getLogger(__name__)

MAX_RULES = 50


def parse_action(text: str) -> FilterAction:
    """include or exclude, as typed."""
    try:
        return FilterAction(text.strip().casefold())
    except ValueError:
        raise InvalidInput("the action is include or exclude") from None


def parse_kind(text: str) -> FilterKind:
    """keyword, regex, person, source or min_quotes, as typed."""
    try:
        return FilterKind(text.strip().casefold().replace("-", "_"))
    except ValueError:
        names = ", ".join(k.value for k in FilterKind)
        raise InvalidInput(f"the kind is one of {names}") from None


class FilterService:
    """Per-server (and per-source) filter rules, applied to digests and follow alerts."""

    def __init__(self, db: Database, people: PeopleService, clock: Clock) -> None:
        self.db = db
        self.people = people
        self.clock = clock

    async def add(
        self,
        guild_id: int,
        action: FilterAction | str,
        kind: FilterKind | str,
        value: str,
        *,
        source_id: int | None = None,
    ) -> FilterRule:
        """Add a rule after checking it (a regex RE2 cannot run safely is refused)."""
        action = parse_action(action) if isinstance(action, str) else action
        kind = parse_kind(kind) if isinstance(kind, str) else kind
        value = check_rule(action, kind, value)
        if kind == FilterKind.PERSON:
            person_id = await self.people.find(value, guild_id)
            async with self.db.reader() as session:
                value = await queries.person_by_id(session, guild_id, person_id) or value
        async with self.db.writer() as session:
            if await filter_store.count_rules(session, guild_id) >= MAX_RULES:
                raise InvalidInput(f"a server has at most {MAX_RULES} rules; remove one first")
            if source_id is not None and not await filter_store.source_visible_to(
                session, guild_id, source_id
            ):
                raise NotFound(f"no source #{source_id}; see /config sources list")
            rule = await filter_store.add_rule(
                session, guild_id, action, kind, value, source_id, self.clock.now()
            )
        logger.info("filter guild=%s: added rule #%d (%s)", guild_id, rule.id, rule.kind)
        return rule

    async def remove(self, guild_id: int, rule_id: int) -> FilterRule:
        """Remove one rule."""
        async with self.db.writer() as session:
            rule = await filter_store.delete_rule(session, guild_id, rule_id)
        if rule is None:
            raise NotFound(f"no filter rule #{rule_id}; see /config filters list")
        return rule

    async def rules(self, guild_id: int) -> list[FilterRule]:
        """A server's rules."""
        async with self.db.reader() as session:
            return await filter_store.rules_of(session, guild_id)

    async def test(self, guild_id: int, text: str) -> tuple[FilterVerdict, list[FilterRule]]:
        """Judge a piece of text as if it were an article; also list the rules it matches."""
        body = (text or "").strip()
        if not body:
            raise InvalidInput("give some text to test")
        rules = await self.rules(guild_id)
        lowered = body.casefold()
        # Typed text has no analysed people: a person rule matches when the name is in it.
        named = [
            r.value for r in rules if r.kind == FilterKind.PERSON and r.value.casefold() in lowered
        ]
        quotes = body.count("\u201c") + body.count('"') // 2
        facts = ArticleFacts(0, "", body[:TEXT_MAX_CHARS], None, None, named, [], quotes)
        filters = FilterSet(rules)
        return filters.verdict(facts), filters.matching(facts)

    async def verdicts(self, guild_id: int, article_ids: list[int]) -> dict[int, FilterVerdict]:
        """Keep or drop each article for a server (every article kept when it has no rules)."""
        async with self.db.reader() as session:
            rules = await filter_store.rules_of(session, guild_id)
            if not rules or not article_ids:
                return {a: FilterVerdict(True) for a in article_ids}
            facts = await filter_store.article_facts(session, article_ids, TEXT_MAX_CHARS)
        filters = FilterSet(rules)
        return {a: filters.verdict(f) for a, f in facts.items()}

    async def dropped(self, guild_id: int, article_ids: list[int]) -> dict[int, str]:
        """The articles a server's filters keep out, with the reason for each."""
        verdicts = await self.verdicts(guild_id, article_ids)
        return {a: v.reason or "filtered" for a, v in verdicts.items() if not v.keep}
