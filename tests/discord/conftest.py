"""Fixtures for tests that talk to FakeDiscord with the real discord.py client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.discord.fake import FakeDiscord

FAKE_TOKEN = "fake-bot-token.for-tests-only.0123456789"


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """Run FakeDiscord on a free port; fail the test if it saw anything it does not implement."""
    fake = FakeDiscord(token=FAKE_TOKEN)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    fake.assert_no_errors()
