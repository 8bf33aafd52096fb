"""Nextcloud's unified search endpoints, for Talk's providers."""
