"""Talk's BotController."""
