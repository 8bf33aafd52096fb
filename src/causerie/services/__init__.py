"""The rules of Talk, free of HTTP types."""
