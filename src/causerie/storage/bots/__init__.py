"""SQL of bots: installed bots and the conversations they are enabled in."""
