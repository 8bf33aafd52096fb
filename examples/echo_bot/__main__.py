"""``python -m examples.echo_bot --port 9200``, with the bot's secret in ``$ECHO_BOT_SECRET``.

Install it on the server with the same secret, then enable it in a conversation:

    occ talk:bot:install "Echo" "$ECHO_BOT_SECRET" http://127.0.0.1:9200/webhook "Echoes messages"
    occ talk:bot:setup <bot-id> <conversation-token>
"""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from examples.echo_bot.app import BotSettings, create_app


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.echo_bot")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9200)
    parser.add_argument("--record", action="store_true", help="keep the events received, readable at GET /events")
    args = parser.parse_args()
    secret = os.environ.get("ECHO_BOT_SECRET", "")
    if len(secret) < 40:
        print("set ECHO_BOT_SECRET to the bot's secret (40 to 128 characters)", file=sys.stderr)
        return 2
    settings = BotSettings(secret=secret, record=args.record)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
