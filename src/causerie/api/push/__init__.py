"""The notifications app's web push API."""
