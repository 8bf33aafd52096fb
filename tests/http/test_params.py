from __future__ import annotations

import pytest

from causerie.http.params import ParamError, Params, parse_body, php_int, php_pairs
from causerie.services import client_json


def test_php_arrays_in_query_and_form() -> None:
    assert php_pairs([("a[]", "1"), ("a[]", "2"), ("b[k]", "v"), ("c", "x")]) == {
        "a": ["1", "2"],
        "b": {"k": "v"},
        "c": "x",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("5", 5), ("{5}", 0), ("12abc", 12), ("", 0), ("  -3", -3), (True, 1), (7.9, 7), ([1], 1), ([], 0)],
)
def test_int_coercion_follows_php(raw: object, expected: int) -> None:
    assert php_int(raw) == expected


def test_false_string_is_false_only_for_get_and_form() -> None:
    form = Params({"silent": "false", "x": "False", "z": "0", "e": ""}, form_like=True)
    assert form.boolean("silent") is False
    assert form.boolean("x") is True  # PHP settype: any other non-empty string is true
    assert form.boolean("z") is False and form.boolean("e") is False
    json_body = Params({"silent": "false"}, form_like=False)
    assert json_body.boolean("silent") is True


def test_string_parameter_refuses_arrays() -> None:
    with pytest.raises(ParamError):
        Params({"message": ["a"]}, form_like=True).string("message")


def test_bodies() -> None:
    assert parse_body("application/json", b'{"a": 1}') == {"a": 1}
    assert parse_body("application/x-www-form-urlencoded; charset=UTF-8", b"a=1&b%5B%5D=2") == {"a": "1", "b": ["2"]}
    with pytest.raises(ParamError):
        parse_body("application/json", b"{nope")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9" * 19, 2**63 - 1),
        ("9" * 300, 2**63 - 1),  # read as a double and capped
        ("-" + "9" * 300, -(2**63)),
        ("9" * 400, 0),  # past a double: INF, and (int) INF is 0
        ("7" * 5000, 0),
        ("0" * 5000 + "42", 42),
        (10**30, 2**63 - 1),
        (10**400, 0),
        (float("inf"), 0),
    ],
)
def test_int_coercion_of_numbers_past_64_bits(raw: object, expected: int) -> None:
    assert php_int(raw) == expected


def test_variables_nested_past_64_levels_are_dropped_with_their_earlier_values() -> None:
    kept = php_pairs([("a" + "[x]" * 64, "1")])
    depth = 0
    node = kept["a"]
    while isinstance(node, dict):
        node, depth = node["x"], depth + 1
    assert (depth, node) == (64, "1")
    assert php_pairs([("a", "1"), ("b", "2"), ("a" + "[x]" * 65, "3"), ("c", "4")]) == {"b": "2", "c": "4"}


def test_json_within_php_json_decode_limits() -> None:
    assert client_json.loads("[" * 512 + "]" * 512) is not None
    assert client_json.loads(r'{"a": "\ud83d\ude00", "b": "\\ud800"}') == {"a": "\U0001f600", "b": "\\ud800"}
    assert client_json.loads(b"[" + b"7" * 5000 + b"]") == [float("inf")]
    for text in ("[" * 513 + "]" * 513, "[" * 100_000, r'["\ud800"]', r'{"\uDFFF": 1}', r'["a\udc00b"]'):
        with pytest.raises(ValueError):
            client_json.loads(text)
        with pytest.raises(ValueError):
            client_json.loads(text.encode())
    for body in (b'["\xed\xa0\x80"]', '{"a": 1}'.encode("utf-16")):  # strict UTF-8, as json_decode
        with pytest.raises(ValueError):
            client_json.loads(body)
