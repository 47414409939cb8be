"""Filters: RE2 patterns (no catastrophic backtracking), rules, scopes, digests that skip."""

from __future__ import annotations

import pytest

from bot.domain import ArticleFacts, FilterAction, FilterKind, FilterRule
from bot.errors import InvalidInput, NotFound
from bot.filtering import PATTERN_MAX_CHARS, FilterSet, check_rule, compile_pattern
from tests.services.conftest import GUILD, OpenPeopleApp


def facts(text: str, **extra: object) -> ArticleFacts:
    base: dict[str, object] = {
        "article_id": 1,
        "title": "",
        "text": text,
        "source": None,
        "source_id": None,
        "people": [],
        "person_ids": [],
        "quote_count": 0,
    }
    return ArticleFacts(**{**base, **extra})  # type: ignore[arg-type]


def rule(
    rule_id: int, action: str, kind: str, value: str, source_id: int | None = None
) -> FilterRule:
    return FilterRule(rule_id, GUILD, FilterAction(action), FilterKind(kind), value, source_id)


def test_a_catastrophic_backtracking_pattern_runs_in_linear_time_on_a_hostile_text() -> None:
    # (a+)+$ takes exponential time in a backtracking engine on "aaaa…b"; RE2 answers at once
    # (pytest-timeout bounds the test if that ever stopped being true).
    pattern = compile_pattern(FilterKind.REGEX, r"(a+)+$")
    assert pattern.search("a" * 100_000 + "b") is None
    filters = FilterSet([rule(1, "exclude", "regex", r"(x+x+)+y")])
    assert filters.verdict(facts("x" * 100_000)).keep


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"(a*)\1", "backreferences"),
        (r"(?=ab)a", "lookaround"),
        (r"(?<!a)b", "lookaround"),
        ("a" * (PATTERN_MAX_CHARS + 1), "too long"),
        ("(unclosed", "cannot be used"),
    ],
)
def test_patterns_re2_cannot_run_safely_are_refused_with_a_reason(pattern: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        check_rule(FilterAction.EXCLUDE, FilterKind.REGEX, pattern)


def test_keywords_match_whole_words_in_any_case_and_phrases_across_spaces() -> None:
    filters = FilterSet([rule(1, "exclude", "keyword", "air force one")])
    assert not filters.verdict(facts("a ride on Air  Force\nOne home")).keep
    assert filters.verdict(facts("the airforce oneness")).keep
    assert not FilterSet([rule(2, "exclude", "keyword", "c++")]).verdict(facts("C++ wins")).keep


def test_include_rules_keep_only_matching_articles_and_excludes_win() -> None:
    filters = FilterSet(
        [rule(1, "include", "person", "Kim Jong Un"), rule(2, "exclude", "keyword", "sports")]
    )
    kim = facts("summit", people=["Kim Jong Un"])
    assert filters.verdict(kim).keep
    other = filters.verdict(facts("summit", people=["Someone Else"]))
    assert not other.keep and other.reason == "matches no include rule (#1)"
    both = filters.verdict(facts("sports summit", people=["Kim Jong Un"]))
    assert not both.keep and both.reason is not None and both.reason.startswith("rule #2")


def test_min_quotes_and_per_source_rules() -> None:
    filters = FilterSet(
        [rule(1, "include", "min_quotes", "2"), rule(2, "exclude", "keyword", "opinion", 7)]
    )
    assert not filters.verdict(facts("news", quote_count=1)).keep
    assert filters.verdict(facts("opinion", quote_count=2, source_id=8)).keep
    assert not filters.verdict(facts("opinion", quote_count=2, source_id=7)).keep
    with pytest.raises(InvalidInput):
        check_rule(FilterAction.EXCLUDE, FilterKind.MIN_QUOTES, "2")
    with pytest.raises(InvalidInput):
        check_rule(FilterAction.INCLUDE, FilterKind.MIN_QUOTES, "many")


async def test_rules_are_stored_per_server_and_tested_against_text(
    open_people_app: OpenPeopleApp,
) -> None:
    app = await open_people_app()
    person = await app.filters.add(GUILD, "include", "person", "Pottinger")
    assert person.value == "Matthew Pottinger"  # the merged person's name is stored
    word = await app.filters.add(GUILD, "exclude", "regex", r"\bopinion\b")
    assert [r.id for r in await app.filters.rules(GUILD)] == [person.id, word.id]
    assert await app.filters.rules(GUILD + 1) == []
    verdict, matched = await app.filters.test(GUILD, "An opinion piece on Matthew Pottinger")
    assert not verdict.keep and [r.id for r in matched] == [person.id, word.id]
    verdict, _ = await app.filters.test(GUILD, "Matthew Pottinger told the BBC")
    assert verdict.keep
    with pytest.raises(NotFound):
        await app.filters.remove(GUILD + 1, word.id)
    await app.filters.remove(GUILD, word.id)
    with pytest.raises(NotFound, match="no source"):
        await app.filters.add(GUILD, "exclude", "keyword", "x", source_id=999)


async def test_the_digest_skips_what_filters_drop_and_says_why(
    open_people_app: OpenPeopleApp,
) -> None:
    app = await open_people_app()
    before, dropped = await app.digests.preview(GUILD)
    assert len(before.items) == 3 and dropped == []
    rule_ = await app.filters.add(GUILD, "exclude", "keyword", "Air Force One")
    digest, dropped = await app.digests.preview(GUILD)
    assert len(digest.items) == 2
    [gone] = dropped
    assert gone.ref.title.startswith("Trump offered") and f"rule #{rule_.id}" in gone.reason
    assert gone.ref.id not in {i.ref.id for i in digest.items}
