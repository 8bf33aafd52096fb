"""An echo and command bot for Talk's bot API (webhooks in, signed replies out)."""
