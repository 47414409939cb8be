"""Names vulture cannot see used: read by libraries or by the store's other programs."""

from bot.db import models
from bot.domain import Digest, SourceKind

_ = object()

# Columns written for operators and other programs (the store is an interface), never read here.
models.Article.analyzed_at
models.SourceItem.seen_at
models.GuildSettings.updated_at
models.DigestArticle.posted_at
models.DigestSlot.claimed_at
# Part of --json output and the digest document.
Digest.generated_at
SourceKind.PAGE
# Library attributes Byline sets (sqlite3 connection, discord.py gateway).
_.isolation_level
_.DEFAULT_GATEWAY
# Used by the first migration (migrations are not scanned).
from bot.db.dialect import fts_ddl  # noqa: E402

fts_ddl
# Read by the feed benchmark and tests: how many items a feed had before the cap.
_.total_items
