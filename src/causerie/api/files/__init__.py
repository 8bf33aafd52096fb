"""Nextcloud's files_sharing OCS API, as Talk's clients use it to share a file into a chat."""
