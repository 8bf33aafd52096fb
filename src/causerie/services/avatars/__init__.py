"""Avatars: users' and guests' pictures (generated or uploaded) and conversations' pictures."""
