"""SQL of user statuses."""
