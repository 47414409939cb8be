"""Health checks, metrics and structured logs for running Byline."""
