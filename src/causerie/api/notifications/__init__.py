"""The notifications app's API."""
