"""Causerie: a chat server that speaks the Nextcloud Talk API."""

__version__ = "0.1.0"
