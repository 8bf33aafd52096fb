"""A reference external call service for Causerie (and Nextcloud Talk). See README.md."""
