"""Talk's notifications, as the notifications app serves them: created from chat and calls, listed, dismissed."""
