"""Import what copy signatures and key terms need before the first article, off the event loop."""

from __future__ import annotations

from functools import cache

from bot.stories.copies import signature
from bot.stories.terms import key_terms


@cache
def preload() -> None:
    """Import datasketch, numpy and spaCy's stop words (most of a second; seconds when busy).

    They are imported on first use so the read-only commands start fast; a long-running
    process calls this in a helper thread at start, so its event loop never waits for them.
    Runs once per process: the bot's start-up and its analysis worker both ask for it.
    """
    signature("a few words to warm the signature code")
    key_terms("warm", "a few words to warm the key terms")
