"""Bots: webhook endpoints installed by an administrator and enabled per conversation by moderators."""
