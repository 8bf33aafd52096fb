"""Files: users' trees, uploads, shares into conversations, previews and the clean-up."""
