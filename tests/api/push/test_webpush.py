"""Web push as Talk Android uses it with UnifiedPush: the server's VAPID key, registering the
subscription the device made, its activation, and real encrypted pushes reaching a push service
on loopback (over HTTPS, trusted through SSL_CERT_FILE) when a user is mentioned, dismissals
pushed as deletes, subscriptions the service says are gone removed, failed pushes retried."""

from __future__ import annotations

from py_vapid import Vapid02

from tests.support.client import TalkClient, data
from tests.support.notifying import CHAT, NOTIFICATIONS, group_room, jobs_done, send
from tests.support.push_service import PushService, Subscription
from tests.support.server import ServerProcess

WEBPUSH = "apps/notifications/api/v2/webpush"


def device(server: ServerProcess, uid: str) -> TalkClient:
    """A client logged in with an app password, as the apps are after their login flow."""
    output = server.occ("user:add-app-password", uid, "--name", "Talk Android").stdout
    return TalkClient(server.base_url, uid, password=output.strip().splitlines()[-1])


def register(client: TalkClient, subscription: Subscription, **extra: str) -> int:
    body = {"endpoint": subscription.endpoint, "uaPublicKey": subscription.p256dh, "auth": subscription.auth}
    return client.post(WEBPUSH, data={**body, "appTypes": "talk", **extra}).status_code


def subscribe(client: TalkClient, service: PushService, path: str) -> Subscription:
    """Register and activate with the token of the first push, as the app does."""
    subscription = service.subscription(path)
    assert register(client, subscription) == 201
    activation = subscription.decrypt(service.next_push(path).body)
    assert (
        client.post(f"{WEBPUSH}/activate", data={"activationToken": activation["activationToken"]}).status_code == 202
    )
    return subscription


def test_a_mention_reaches_the_device_as_an_encrypted_push(
    push_server: ServerProcess, push_service: PushService
) -> None:
    bob = device(push_server, "bob")
    alice = TalkClient(push_server.base_url, "alice")
    vapid = data(bob.get(f"{WEBPUSH}/vapid"))["vapid"]
    assert len(vapid) == 87 and data(alice.get(f"{WEBPUSH}/vapid"))["vapid"] == vapid

    path = "/push/bob-phone"
    subscription = push_service.subscription(path)
    assert register(bob, subscription) == 201
    first = push_service.next_push(path)
    activation = subscription.decrypt(first.body)
    assert set(activation) == {"activationToken"}
    # Signed with the server's VAPID key for the push service's origin (RFC 8292).
    authorization = first.headers["Authorization"]
    assert authorization.startswith("vapid t=") and authorization.endswith(f"k={vapid}")
    assert Vapid02.verify(authorization)
    assert first.headers["Content-Encoding"] == "aes128gcm" and int(first.headers["TTL"]) > 0
    assert bob.post(f"{WEBPUSH}/activate", data={"activationToken": "not-it"}).status_code == 400
    assert bob.post(f"{WEBPUSH}/activate", data={"activationToken": activation["activationToken"]}).status_code == 202
    assert bob.post(f"{WEBPUSH}/activate", data={"activationToken": activation["activationToken"]}).status_code == 200
    assert register(bob, subscription) == 200  # the same subscription again: nothing new

    room = group_room(alice, "Push room", bob)
    sent = send(alice, room["token"], "@bob did you get this?")
    push = push_service.next_push(path)
    assert push.headers["Urgency"] == "high"
    payload = subscription.decrypt(push.body)
    nid = payload["nid"]
    assert payload == {
        "nid": nid,
        "app": "spreed",
        "subject": "Alice Adams in Push room\n@Bob Brown did you get this?",
        "type": "chat",
        "id": room["token"],
    }
    # What the app asks for next: the full notification.
    assert data(bob.get(f"{NOTIFICATIONS}/{nid}"))["object_id"] == f"{room['token']}/{sent['id']}"

    # Read elsewhere: the device is told to drop it.
    assert bob.post(f"{CHAT}/{room['token']}/read", json={"lastReadMessage": sent["id"]}).status_code == 200
    assert subscription.decrypt(push_service.next_push(path).body) == {"nid": nid, "delete": True}

    # Do not disturb: notifications are kept, but not pushed.
    bob.put("apps/user_status/api/v1/user_status/status", json={"statusType": "dnd"})
    send(alice, room["token"], "@bob quiet please")
    jobs_done(push_server)
    bob.put("apps/user_status/api/v1/user_status/status", json={"statusType": "online"})
    send(alice, room["token"], "@bob loud again")
    assert subscription.decrypt(push_service.next_push(path).body)["subject"].endswith("@Bob Brown loud again")

    assert bob.delete(WEBPUSH).status_code == 202
    assert bob.delete(WEBPUSH).status_code == 200


def test_registrations_the_controller_refuses(push_server: ServerProcess, push_service: PushService) -> None:
    carol = device(push_server, "carol")
    good = push_service.subscription("/push/carol")
    for bad, reason in (
        ({"uaPublicKey": "A" * 87}, "INVALID_P256DH"),
        ({"auth": "short"}, "INVALID_AUTH"),
        ({"endpoint": good.endpoint.replace("https://", "http://")}, "INVALID_ENDPOINT"),
        ({"appTypes": "x" * 257}, "TOO_MANY_APP_TYPES"),
    ):
        refused = carol.post(
            WEBPUSH, data={"endpoint": good.endpoint, "uaPublicKey": good.p256dh, "auth": good.auth, **bad}
        )
        assert (refused.status_code, data(refused)) == (400, {"message": reason})
    # Logged in with the account's password there is no device to keep a subscription for.
    with_password = TalkClient(push_server.base_url, "carol")
    refused = with_password.post(
        WEBPUSH, data={"endpoint": good.endpoint, "uaPublicKey": good.p256dh, "auth": good.auth}
    )
    assert (refused.status_code, data(refused)) == (400, {"message": "INVALID_SESSION_TOKEN"})
    assert TalkClient(push_server.base_url).post(WEBPUSH, data={}).status_code == 401


def test_a_push_service_that_forgot_the_device_removes_the_subscription(
    push_server: ServerProcess, push_service: PushService
) -> None:
    dave = device(push_server, "dave")
    path = "/gone/dave-phone"
    subscribe(dave, push_service, path)
    alice = TalkClient(push_server.base_url, "alice")
    room = group_room(alice, "Gone", dave)
    send(alice, room["token"], "@dave hello?")
    assert push_service.next_push(path).status == 410
    jobs_done(push_server)
    assert push_server.query("SELECT count(*) AS n FROM push_subscriptions WHERE uid = 'dave'")[0]["n"] == 0
    [job] = push_server.query("SELECT state, last_error FROM jobs WHERE kind = 'push.webpush' ORDER BY id DESC LIMIT 1")
    assert job["state"] == "dead" and "gone" in job["last_error"]


def test_a_failed_push_is_tried_again(push_server: ServerProcess, push_service: PushService) -> None:
    admin = device(push_server, "admin")
    path = "/flaky/admin-phone"
    subscription = subscribe(admin, push_service, path)
    alice = TalkClient(push_server.base_url, "alice")
    room = group_room(alice, "Flaky", admin)
    send(alice, room["token"], "@admin are you there?")
    assert push_service.next_push(path).status == 503
    retried = push_service.next_push(path)
    assert retried.status == 201
    assert subscription.decrypt(retried.body)["subject"].endswith("@Administrator are you there?")
