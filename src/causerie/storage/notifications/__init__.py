"""SQL of notifications."""
