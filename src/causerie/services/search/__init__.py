"""Search: Nextcloud's unified search providers for Talk's messages."""
