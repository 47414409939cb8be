"""Copies (near-duplicate texts) and stories (several write-ups of one happening)."""
