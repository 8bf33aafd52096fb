from __future__ import annotations

from causerie.http.ocs import envelope, to_xml


def test_v1_maps_success_to_100_and_errors_to_http_200() -> None:
    assert envelope(1, 200, "") == (
        200,
        {"status": "ok", "statuscode": 100, "message": "OK", "totalitems": "", "itemsperpage": ""},
    )
    status, meta = envelope(1, 404, "")
    assert status == 200 and meta["statuscode"] == 404 and meta["status"] == "failure"
    # Only 100 counts as ok in v1, so a created resource reads as a failure (as in Talk).
    assert envelope(1, 201, "")[1]["status"] == "failure"
    assert envelope(1, 401, "no")[0] == 401 and envelope(1, 401, "no")[1]["statuscode"] == 997


def test_v2_passes_the_status_through() -> None:
    assert envelope(2, 201, "") == (201, {"status": "ok", "statuscode": 201, "message": "OK"})
    assert envelope(2, 403, "nope") == (403, {"status": "failure", "statuscode": 403, "message": "nope"})


def test_xml_rendering_matches_nextcloud() -> None:
    xml = to_xml({"status": "ok"}, {"a": [1, 2], "b": True, "c": False, "d": [], "e": "x<y"})
    assert xml == (
        '<?xml version="1.0"?>\n<ocs>\n <meta>\n  <status>ok</status>\n </meta>\n <data>\n'
        "  <a>\n   <element>1</element>\n   <element>2</element>\n  </a>\n"
        "  <b>1</b>\n  <c></c>\n  <d/>\n  <e>x&lt;y</e>\n </data>\n</ocs>\n"
    )
    assert "<data/>" in to_xml({"status": "failure"}, [])
