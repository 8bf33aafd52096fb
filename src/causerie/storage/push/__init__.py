"""SQL of web push subscriptions."""
