"""Conversation pictures (Talk's AvatarController)."""
