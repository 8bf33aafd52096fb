"""Nextcloud's user_status app API."""
