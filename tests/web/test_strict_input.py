"""Contract §9 through a real server: strict JSON in and out, 64 levels, the journal's 64 KiB, 20 warnings,
ext_ bytes that are not UTF-8, fault header values, seeded ids. Each answer is the envelope, and the server
(the journal, other namespaces) keeps serving."""

import json

import pytest
import requests

from mocknexus.serving.server import MockNexus
from tests.conftest import FIXTURES

BASE = "/nexus/v3/openmedia/crm-tasks/interactions"
KEY = {"x-api-key": "k"}
WRONG = {"x-api-key": "wrong"}


def strict(text: str):
    """json.loads as a reader that knows only RFC 8259 (JS, Go, jq): no NaN or Infinity."""
    def refuse(name):
        raise ValueError(f"not JSON: {name}")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def server():
    with MockNexus(fixtures=[str(FIXTURES)], port=0, api_keys=["k"]) as nexus:
        yield nexus
        assert not nexus.errors, nexus.errors



def envelope(response, status: int) -> str:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    body = strict(response.text)
    assert set(body) == {"status"} and body["status"]["code"] == status
    return body["status"]["message"]


def post(url: str, text: str | bytes, headers=KEY):
    return requests.post(url, data=text, headers={**headers, "Content-Type": "application/json"}, timeout=30)


def journal(ns: str) -> list:
    response = requests.get(f"{ns}/__admin/requests", timeout=30)
    assert response.status_code == 200, response.text[:300]
    return strict(response.text)["requests"]  # every answer is strict JSON


def nested(levels: int) -> str:
    """A create body whose arrays and objects nest `levels` deep, the body itself being the first."""
    return '{"data": {"x": ' + "[" * (levels - 2) + "1" + "]" * (levels - 2) + "}}"


NOT_STRICT = ['{"data": {"x": NaN}}', '{"data": {"x": Infinity}}', '{"data": {"x": -Infinity}}',
              '{"data": {"x": 1e999}}', '{"data": {"x": -1e400}}', '{"data": {"x": 1' + "0" * 309 + "}}"]


@pytest.mark.parametrize("text", NOT_STRICT)
def test_nan_infinity_and_numbers_beyond_a_double_are_a_400_and_never_written_back(ns, text):
    assert "strict JSON" in envelope(post(ns + BASE, text), 400)
    assert envelope(post(ns + BASE, text, WRONG), 401)  # the key first, as ever
    records = journal(ns)
    assert [r["status"] for r in records] == [400, 401]
    assert records[0]["body"] == records[1]["body"] == text  # kept as the text it was, not as a NaN


@pytest.mark.parametrize("path, text", [
    ("/__admin/faults", '{"action": {"status": 503, "body": {"x": NaN}}}'),
    ("/__admin/faults", '{"action": {"status": 503, "body": {"x": 1e999}}}'),
    ("/__admin/clock/advance", '{"seconds": Infinity}'),
    ("/__admin/requests/wait", '{"match": {}, "timeoutMs": 1e999}'),
    ("/__admin/interactions", '{"interactions": [{"openMediaService": "crm-tasks", "userData": {"n": NaN}}]}'),
])
def test_admin_bodies_are_strict_json_too(ns, path, text):
    assert "strict JSON" in envelope(post(ns + path, text), 400)
    assert strict(requests.get(ns + "/__admin/faults", timeout=10).text) == {"faults": []}


def test_64_levels_are_fine_65_are_a_400_after_the_key_check(ns):
    assert post(ns + BASE, nested(64)).status_code == 200
    assert "deeper than 64 levels" in envelope(post(ns + BASE, nested(65)), 400)
    assert envelope(post(ns + BASE, nested(65), WRONG), 401)


def test_a_deep_body_with_a_wrong_key_does_not_poison_the_journal(ns):
    """~975 levels parse but could not be written back: journaled parsed, every later read was a 500."""
    requests.get(ns + "/__admin/health", timeout=10)  # made first: a refused request makes no namespace
    for levels in (100, 975):
        envelope(post(ns + BASE, nested(levels), WRONG), 401)
    records = journal(ns)
    assert [r["status"] for r in records] == [401, 401]
    assert records[1]["body"] == nested(975)  # the text, which renders fine
    wait = requests.post(ns + "/__admin/requests/wait", json={"match": {"status": 401}, "count": 2}, timeout=10)
    assert wait.status_code == 200 and len(wait.json()["requests"]) == 2


def test_the_journal_keeps_64_kib_of_a_body_then_only_its_head(ns):
    fits = json.dumps({"data": {"s": "a" * (64 * 1024 - 30)}})
    long = json.dumps({"data": {"s": "é" * 100_000}})
    assert len(fits.encode()) <= 64 * 1024 < len(long.encode())
    for text, headers in ((fits, KEY), (long, KEY), (long, WRONG), ("x" * 1000 * 1024, WRONG)):
        post(ns + BASE, text.encode(), headers)
    kept = [r["body"] for r in journal(ns)]
    assert kept[0] == json.loads(fits)
    head = long.encode()[:1024].decode("utf-8", "replace")
    assert kept[1] == kept[2] == {"truncated": True, "bytes": len(long.encode()), "head": head}
    assert kept[3] == {"truncated": True, "bytes": 1000 * 1024, "head": "x" * 1024}


def test_at_most_20_warning_headers_the_last_says_how_many_more(ns):
    body = {f"unknown{n}": n for n in range(100)}
    response = requests.post(ns + BASE, json=body, headers=KEY, timeout=10)  # requests reads it: < 100 headers
    assert response.status_code == 200
    warnings = [v for k, v in response.raw.headers.items() if k.lower() == "x-mocknexus-warning"]
    assert len(warnings) == 20
    assert warnings[:19] == [f"unknown field 'unknown{n}' ignored" for n in range(19)]
    assert warnings[19] == "81 more warnings like these"
    assert journal(ns)[0]["warnings"] == warnings


def test_a_70000_character_field_name_gives_a_bounded_warning(ns):
    response = requests.post(ns + BASE, json={"a" * 70_000: 1}, headers=KEY, timeout=10)
    assert response.status_code == 200
    warning = response.headers["X-Mocknexus-Warning"]
    assert len(warning) == 300 and warning.startswith("unknown field 'aaa") and warning.endswith("...")


def test_ext_bytes_that_are_not_utf8_are_a_400_while_the_real_u_fffd_is_found(ns):
    created = requests.post(ns + BASE, json={"externalId": "\ufffd"}, headers=KEY, timeout=10).json()["data"]
    found = requests.get(ns + BASE + "/ext_%EF%BF%BD", headers=KEY, timeout=10)
    assert found.status_code == 200 and found.json()["data"]["id"] == created["id"]
    for raw in ("%FF", "%FE", "a%C3", "%EF%BF%BD%FF"):
        for suffix, method in (("", "GET"), ("/stop", "POST"), ("/update", "POST")):
            response = requests.request(method, f"{ns}{BASE}/ext_{raw}{suffix}", headers=KEY, timeout=10)
            assert "not UTF-8" in envelope(response, 400)
    assert requests.get(ns + BASE + "/ext_%EF%BF%BD", headers=KEY, timeout=10).status_code == 200  # not stopped


@pytest.mark.parametrize("value", ["a\x01b", "a\x7f", "a\x00", "a\x1b[31m"])
def test_fault_header_values_with_control_characters_are_a_400(ns, value):
    rule = {"action": {"status": 503, "headers": {"X-Why": value}}}
    response = requests.post(ns + "/__admin/faults", json=rule, timeout=10)
    assert response.status_code == 400 and "control characters" in response.json()["status"]["details"][
        "action.headers"][0]
    tab = requests.post(ns + "/__admin/faults", json={"action": {"status": 503, "headers": {"X-Why": "a\tb"}}},
                        timeout=10)
    assert tab.status_code == 200  # a tab is a legal field-value character


@pytest.mark.parametrize("ident", ["..", ".", "x?y", "%41", "a#b", "a b", "a\r\nb"])
def test_seeded_ids_that_a_self_uri_cannot_address_are_a_400(ns, ident):
    doc = {"interactions": [{"openMediaService": "crm-tasks", "id": ident}]}
    for method, path in (("POST", "/__admin/interactions"), ("PUT", "/__admin/state")):
        response = requests.request(method, ns + path, json=doc, timeout=10)
        assert response.status_code == 400, response.text
        assert "selfUri" in response.json()["status"]["details"]["interactions[0].id"][0]
    ids = [i["id"] for i in requests.get(ns + "/__admin/interactions", timeout=10).json()["interactions"]]
    assert ids and ident not in ids  # the fixtures' interactions, and nothing seeded
