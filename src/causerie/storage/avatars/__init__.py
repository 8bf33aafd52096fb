"""SQL for uploaded avatars."""
