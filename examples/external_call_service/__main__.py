"""``python -m examples.external_call_service [serve] …`` and ``… create-room …``.

Secrets are read from the environment (ECS_AUTH_PASSWORD, ECS_SHARED_SECRET) so that they do not
show up in process listings; the flags exist for quick local tries.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

import httpx
import uvicorn

from examples.external_call_service.app import ServiceSettings, create_app, log

COMMANDS = ("serve", "create-room")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m examples.external_call_service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service (the default command)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=9100)
    serve.add_argument("--public-url", help="how browsers reach this service (default http://HOST:PORT)")
    serve.add_argument(
        "--talk-url",
        default=os.environ.get("ECS_TALK_URL", "http://127.0.0.1:8080"),
        help="the Causerie the meeting page posts its messages to (postMessage target origin)",
    )
    serve.add_argument("--iframe-field", default="iframeUrl", help="JSON field holding the meeting page URL")
    serve.add_argument("--user", default="", help="Basic-auth user Talk must send (empty: no auth)")
    serve.add_argument(
        "--password",
        default=os.environ.get("ECS_AUTH_PASSWORD", ""),
        help="Basic-auth password Talk must send (default: $ECS_AUTH_PASSWORD)",
    )
    serve.add_argument("--slow-seconds", type=float, default=30.0, help="how long slow-… meetings wait")
    serve.add_argument("--record", action="store_true", help="keep Talk's requests, readable at GET /requests")

    create = commands.add_parser("create-room", help="create a conversation in Causerie with the shared secret")
    create.add_argument("--talk-url", default=os.environ.get("ECS_TALK_URL", "http://127.0.0.1:8080"))
    create.add_argument("--secret", default=os.environ.get("ECS_SHARED_SECRET", ""), help="default: $ECS_SHARED_SECRET")
    create.add_argument("--owner", required=True, help="user id of the conversation's owner")
    create.add_argument("--name", required=True, help="conversation name")
    create.add_argument("--meeting-id", required=True, help="the meeting on this service (the objectId)")
    create.add_argument("--type", type=int, default=3, choices=(2, 3), help="2 group, 3 public (default)")
    return parser


def serve(args: argparse.Namespace) -> int:
    if args.user and not args.password:
        print("--user needs a password: set ECS_AUTH_PASSWORD (or --password)", file=sys.stderr)
        return 2
    settings = ServiceSettings(
        public_url=args.public_url or f"http://{args.host}:{args.port}",
        talk_url=args.talk_url,
        iframe_field=args.iframe_field,
        auth_user=args.user,
        auth_password=args.password,
        slow_seconds=args.slow_seconds,
        record=args.record,
    )
    # One line per request Talk makes, with the answer given and why.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    log.info("serving on %s for Talk at %s", settings.public_url, settings.talk_url)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=2)
    return 0


def create_room(args: argparse.Namespace) -> int:
    if not args.secret:
        print("the shared secret is missing: set ECS_SHARED_SECRET (or --secret)", file=sys.stderr)
        return 2
    response = httpx.post(
        f"{args.talk_url.rstrip('/')}/ocs/v2.php/apps/spreed/api/v4/room",
        headers={
            "x-nextcloud-talk-external-service": args.secret,
            "OCS-APIRequest": "true",
            "Accept": "application/json",
        },
        json={
            "roomType": args.type,
            "roomName": args.name,
            "objectType": "external_call",
            "objectId": args.meeting_id,
            "owner": args.owner,
        },
        timeout=30,
    )
    try:
        ocs = response.json()["ocs"]
    except (ValueError, KeyError, TypeError):
        print(f"unexpected answer {response.status_code}: {response.text[:500]}", file=sys.stderr)
        return 1
    if response.status_code != 201:
        print(
            f"could not create the conversation: HTTP {response.status_code} {json.dumps(ocs['data'])}", file=sys.stderr
        )
        return 1
    token = ocs["data"]["token"]
    print(json.dumps({"token": token, "url": f"{args.talk_url.rstrip('/')}/call/{token}"}))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv.insert(0, "serve")
    args = _parser().parse_args(argv)
    return serve(args) if args.command == "serve" else create_room(args)


if __name__ == "__main__":
    sys.exit(main())
