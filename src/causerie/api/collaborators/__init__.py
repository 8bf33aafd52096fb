"""Finding people and groups to share with or invite (Nextcloud's collaborators search)."""
