"""Mention parsing: which ``@…`` forms count, and how they become rich-object placeholders."""

from __future__ import annotations

import asyncio

from causerie.services.chat.mentions import Lookups, MentionRoom, candidates, parse, substitute

ROOM = MentionRoom(id=1, token="abcd2345", call_type="group", display_name="Team room", icon_url="http://x/avatar")
GUEST = "a" * 40


def test_candidates_cover_talk_syntax_longest_first() -> None:
    found = candidates(f'hi @alice and @"bob smith", @"group/team" @"guest/{GUEST}" @all @alice')
    assert found == [
        ("guest", f"guest/{GUEST}"),
        ("group", "team"),
        ("user", "bob smith"),
        ("user", "alice"),
        ("user", "all"),
    ]


def test_no_mention_inside_words_or_emails() -> None:
    assert candidates("mail me at me@example.com") == []
    assert candidates("é@alice") == []


def test_substitute_numbers_per_type_and_keeps_unknown_users() -> None:
    lookups = Lookups(users={"alice": "Alice Adams", "bob": "Bob Brown"}, groups={"team": "The Team"})
    parsed = substitute('@alice @bob @nobody @"group/team"', ROOM, lookups, can_mention_all=True)
    # Longest first, as Talk numbers them.
    assert parsed.message == "{mention-user1} {mention-user2} @nobody {mention-group1}"
    assert parsed.parameters["mention-user2"] == {"type": "user", "id": "bob", "name": "Bob Brown", "mention-id": "bob"}
    assert parsed.parameters["mention-group1"] == {
        "type": "user-group",
        "id": "team",
        "name": "The Team",
        "mention-id": "group/team",
    }
    assert parsed.users == {"alice", "bob"} and parsed.groups == {"team"}


def test_all_needs_permission_and_becomes_a_call_mention() -> None:
    assert substitute("@all hi", ROOM, Lookups(), can_mention_all=False).message == "@all hi"
    parsed = substitute("@all hi", ROOM, Lookups(), can_mention_all=True)
    assert parsed.message == "{mention-call1} hi"
    assert parsed.everyone
    assert parsed.parameters["mention-call1"]["id"] == ROOM.token
    assert parsed.parameters["mention-call1"]["call-type"] == "group"


def test_guest_mentions_and_double_slash_escape() -> None:
    parsed = substitute(f'//cmd @"guest/{GUEST}"', ROOM, Lookups(guests={GUEST: "Gina"}), can_mention_all=False)
    assert parsed.message == "/cmd {mention-guest1}"
    assert parsed.parameters["mention-guest1"]["name"] == "Gina"
    assert parsed.guests == {GUEST}


def test_a_message_without_mentions_reads_nothing_and_keeps_the_escape() -> None:
    # No "@": parse() must not touch the connection, and answers as substitute() would.
    for text in ("//help", "plain words", "a // b"):
        parsed = asyncio.run(parse(None, ROOM, text, can_mention_all=True))  # type: ignore[arg-type]
        expected = substitute(text, ROOM, Lookups(), can_mention_all=True)
        assert (parsed.message, parsed.parameters) == (expected.message, expected.parameters)
    assert asyncio.run(parse(None, ROOM, "//help", can_mention_all=True)).message == "/help"  # type: ignore[arg-type]
