"""SQL of search: the full-text index of messages on each engine."""
