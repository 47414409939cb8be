"""Tests of the Discord layer against FakeDiscord, a fake Discord server on localhost."""
