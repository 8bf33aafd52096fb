"""Export and import of a conversation's history (JSON, and readable Markdown and HTML)."""
