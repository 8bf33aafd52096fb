"""Command lines: ``causerie`` (serve, db) and ``occ`` (Nextcloud's admin commands)."""
