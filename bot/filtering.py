"""Filter rules as code: compile each rule once (regexes through RE2) and judge articles.

RE2 matches in time linear in the text and refuses the constructs that need backtracking
(backreferences, lookaround), so no rule an admin writes can stall the bot; patterns are also
capped in length and in the memory RE2 may use to compile them, and the text is capped too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import re2

from bot.domain import ArticleFacts, FilterAction, FilterKind, FilterRule, FilterVerdict
from bot.errors import InvalidInput
from bot.text_keys import name_key

PATTERN_MAX_CHARS = 200
VALUE_MAX_CHARS = 200
TEXT_MAX_CHARS = 100_000
MIN_QUOTES_MAX = 50
# RE2 builds an automaton per pattern; this caps what one rule may cost to build and run.
RE2_MAX_MEM = 1 << 22


def _options() -> re2.Options:
    options = re2.Options()
    options.max_mem = RE2_MAX_MEM
    options.case_sensitive = False
    options.log_errors = False  # the refusal reaches the admin as a message, not stderr
    return options


def compile_pattern(kind: FilterKind, value: str) -> re2._Regexp:
    """A keyword (whole words, any case) or a regular expression, compiled by RE2."""
    if kind == FilterKind.KEYWORD:
        words = value.split()
        # Word boundaries only beside word characters: "c++" has no boundary after its "+".
        start = r"\b" if words[0][:1].isalnum() or words[0][:1] == "_" else ""
        end = r"\b" if words[-1][-1:].isalnum() or words[-1][-1:] == "_" else ""
        pattern = start + r"\s+".join(re2.escape(w) for w in words) + end
    else:
        if len(value) > PATTERN_MAX_CHARS:
            raise InvalidInput(
                f"that pattern is too long; use at most {PATTERN_MAX_CHARS} characters"
            )
        pattern = value
    try:
        return re2.compile(pattern, _options())
    except re2.error as exc:
        raw = exc.args[0] if exc.args else b""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        detail = text.splitlines()[0][:120] if text else "invalid pattern"
        raise InvalidInput(
            "that regular expression cannot be used (RE2 syntax: no backreferences or "
            f"lookaround): {detail}"
        ) from exc


def check_rule(action: FilterAction, kind: FilterKind, value: str) -> str:
    """The rule's value, normalised, or InvalidInput saying what is wrong with it."""
    value = " ".join((value or "").split()) if kind != FilterKind.REGEX else (value or "").strip()
    if not value:
        raise InvalidInput("give the rule a value")
    if len(value) > max(VALUE_MAX_CHARS, PATTERN_MAX_CHARS) or (
        kind != FilterKind.REGEX and len(value) > VALUE_MAX_CHARS
    ):
        limit = PATTERN_MAX_CHARS if kind == FilterKind.REGEX else VALUE_MAX_CHARS
        raise InvalidInput(f"that value is too long; use at most {limit} characters")
    if kind == FilterKind.MIN_QUOTES:
        if action != FilterAction.INCLUDE:
            raise InvalidInput(
                "min_quotes keeps articles with at least that many quotes; use include"
            )
        if not value.isdigit() or not 0 <= int(value) <= MIN_QUOTES_MAX:
            raise InvalidInput(f"min_quotes takes a number from 0 to {MIN_QUOTES_MAX}")
        return str(int(value))
    if kind in (FilterKind.KEYWORD, FilterKind.REGEX):
        compile_pattern(kind, value)
    return value


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: FilterRule
    pattern: re2._Regexp | None


class FilterSet:
    """One server's rules, compiled, ready to judge many articles."""

    def __init__(self, rules: Sequence[FilterRule]) -> None:
        compiled = []
        for rule in rules:
            pattern = None
            if rule.kind in (FilterKind.KEYWORD, FilterKind.REGEX):
                try:
                    pattern = compile_pattern(rule.kind, rule.value)
                except InvalidInput:
                    continue  # a rule stored before a limit changed: skipped, never fatal
            compiled.append(_Compiled(rule, pattern))
        self.rules = compiled

    def __bool__(self) -> bool:
        return bool(self.rules)

    def _matches(self, item: _Compiled, facts: ArticleFacts, text: str) -> bool:
        rule = item.rule
        if item.pattern is not None:
            return item.pattern.search(text) is not None
        if rule.kind == FilterKind.PERSON:
            wanted = name_key(rule.value)
            return any(name_key(p) == wanted for p in facts.people)
        if rule.kind == FilterKind.SOURCE:
            wanted = rule.value.casefold().lstrip("#")
            source = (facts.source or "").casefold()
            return (wanted.isdigit() and str(facts.source_id) == wanted) or (
                bool(source) and wanted in source
            )
        return False

    def matching(self, facts: ArticleFacts) -> list[FilterRule]:
        """The keyword, regex, person and source rules (of any scope) that match an article."""
        text = f"{facts.title}\n{facts.text[:TEXT_MAX_CHARS]}"
        return [c.rule for c in self.rules if self._matches(c, facts, text)]

    def verdict(self, facts: ArticleFacts) -> FilterVerdict:
        """Keep or drop one article, naming the rule that decided."""
        text = f"{facts.title}\n{facts.text[:TEXT_MAX_CHARS]}"
        scoped = [
            c for c in self.rules if c.rule.source_id is None or c.rule.source_id == facts.source_id
        ]
        for item in scoped:
            if item.rule.action == FilterAction.EXCLUDE and self._matches(item, facts, text):
                return FilterVerdict(False, f"rule #{item.rule.id}: {item.rule.describe()}")
        for item in scoped:
            if item.rule.kind == FilterKind.MIN_QUOTES and facts.quote_count < int(item.rule.value):
                return FilterVerdict(
                    False,
                    f"rule #{item.rule.id}: {facts.quote_count} quotes, "
                    f"fewer than {item.rule.value}",
                )
        includes = [
            c
            for c in scoped
            if c.rule.action == FilterAction.INCLUDE and c.rule.kind != FilterKind.MIN_QUOTES
        ]
        if includes:
            for item in includes:
                if self._matches(item, facts, text):
                    return FilterVerdict(True, f"rule #{item.rule.id}: {item.rule.describe()}")
            ids = ", ".join(f"#{c.rule.id}" for c in includes)
            return FilterVerdict(False, f"matches no include rule ({ids})")
        return FilterVerdict(True)
