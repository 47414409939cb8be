"""Import what copy signatures and key terms need before the first article, off the event loop."""

from __future__ import annotations

from bot.stories.copies import signature
from bot.stories.terms import key_terms


def preload() -> None:
    """Import datasketch, numpy and spaCy's stop words (most of a second; seconds when busy).

    They are imported on first use so the read-only commands start fast; a long-running
    process calls this in a helper thread at start, so its event loop never waits for them.
    """
    signature("a few words to warm the signature code")
    key_terms("warm", "a few words to warm the key terms")
