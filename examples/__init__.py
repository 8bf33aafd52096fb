"""Runnable examples that work with Causerie."""
