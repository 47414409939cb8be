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
# Rows and records kept for operators, --json output and the tests.
_.added_at
_.joined_at
_.person_ids
_.first_at
_.last_at
_.renders
# google-re2 options set by name.
_.max_mem
_.case_sensitive
_.log_errors
# Part of the metrics API (a timer for any block; tested).
_.time_command
