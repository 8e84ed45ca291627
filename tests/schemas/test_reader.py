"""Fixture files (§3): shapes and shorthands, merging in name order, generated ids, and errors that name
the file, the JSON path and the problem."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mocknexus.core.config import ServerConfig
from mocknexus.schemas.reader import load_fixtures
from mocknexus.state.fixtureset import FixtureError
from mocknexus.web.app import create_app
from tests.conftest import BASE, FIXTURES, KEY, assert_ok

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def write(folder, name, doc) -> str:
    path = folder / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(path)


def problems(paths) -> list[str]:
    with pytest.raises(FixtureError) as caught:
        load_fixtures(paths, NOW)
    return caught.value.lines()


def test_the_shipped_fixtures_load(tmp_path):
    fixtures = load_fixtures([str(FIXTURES)], NOW)
    assert {"crm-tasks", "web-chat", "whatsapp", "email-in"} <= set(fixtures.services)
    assert fixtures.services["crm-tasks"].media_type == "workitem"
    assert fixtures.services["email-in"].media_type == "openmedia"  # a bare name takes the defaults
    assert len(fixtures.interactions) >= 2 and fixtures.api_keys == {}


def test_every_shape_and_shorthand(tmp_path):
    doc = {
        "services": ["bare", {"name": "full", "mediaType": "email", "interactionType": "Outbound",
                              "interactionSubtype": "OutboundNew"}],
        "apiKeys": ["k1", {"key": "k2", "enabled": False, "expiresAt": "2027-01-01T00:00:00+01:00",
                           "services": ["full"]}],
        "interactions": [
            {"openMediaService": "bare"},
            {"id": "given-id", "externalId": "e-1", "parentInteractionId": None, "openMediaService": "full",
             "state": "stopped", "receivedAt": "2026-04-01T10:00:00+02:00", "submittedAt": "2026-04-01T08:00:01Z",
             "stoppedAt": "2026-04-01T09:00:00Z", "stopReason": {"systemName": "bot"},
             "userData": {"a": {"b": 1}}, "mediaType": "ignored", "selfUri": "/ignored"},
        ],
    }
    fixtures = load_fixtures([write(tmp_path, "all.json", doc)], NOW)
    assert fixtures.services["full"].to_json() == doc["services"][1]
    assert fixtures.api_keys["k1"].enabled and fixtures.api_keys["k1"].services is None
    assert fixtures.api_keys["k2"].to_json() == {"key": "k2", "enabled": False,
                                                 "expiresAt": "2026-12-31T23:00:00.000Z", "services": ["full"]}
    generated, given = fixtures.interactions
    assert re.fullmatch(r"[0-9a-f-]{36}", generated.id) and generated.received_at == NOW
    assert generated.state == "queued" and generated.user_data == {} and generated.external_id is None
    out = given.to_json()
    assert out["receivedAt"] == "2026-04-01T08:00:00.000Z" and out["submittedAt"] == "2026-04-01T08:00:01.000Z"
    assert out["mediaType"] == "email" and out["selfUri"] == "/nexus/v3/openmedia/full/interactions/given-id"
    assert out["state"] == "stopped" and out["stopReason"] == {"systemName": "bot", "description": None}


def test_an_empty_document_is_fine(tmp_path):
    fixtures = load_fixtures([write(tmp_path, "empty.json", {})], NOW)
    assert (fixtures.services, fixtures.api_keys, fixtures.interactions) == ({}, {}, ())


def test_a_folder_loads_its_json_files_in_name_order(tmp_path):
    write(tmp_path, "20-later.json", {"services": [{"name": "s", "mediaType": "second"}],
                                      "interactions": [{"id": "i2", "openMediaService": "s"}]})
    write(tmp_path, "10-first.json", {"services": [{"name": "s", "mediaType": "first"}],
                                      "interactions": [{"id": "i1", "openMediaService": "s"}]})
    write(tmp_path, "notes.txt", "not a fixture")
    fixtures = load_fixtures([str(tmp_path)], NOW)
    assert fixtures.services["s"].media_type == "second"  # later files win
    assert [i.id for i in fixtures.interactions] == ["i1", "i2"]


def test_several_paths_merge_in_the_order_given(tmp_path):
    a = write(tmp_path, "a.json", {"services": [{"name": "s", "mediaType": "from-a"}]})
    b = write(tmp_path, "b.json", {"services": [{"name": "s", "mediaType": "from-b"}],
                                   "interactions": [{"openMediaService": "s"}]})
    assert load_fixtures([b, a], NOW).services["s"].media_type == "from-a"
    # A file may use a service that another file declares.
    assert len(load_fixtures([b, a], NOW).interactions) == 1


def test_generated_ids_are_made_once_and_shared_by_every_namespace(tmp_path):
    path = write(tmp_path, "one.json", {"services": ["s"], "interactions": [{"externalId": "x",
                                                                             "openMediaService": "s"}]})
    app = create_app(ServerConfig(fixtures=[path]))
    client = app.test_client()
    default = assert_ok(client.get(f"{BASE}/s/interactions/ext_x", headers=KEY))
    other = assert_ok(client.get(f"/__ns/elsewhere{BASE}/s/interactions/ext_x", headers=KEY))
    assert default["id"] == other["id"]
    assert client.post("/__admin/reset").status_code == 200
    assert assert_ok(client.get(f"{BASE}/s/interactions/ext_x", headers=KEY))["id"] == default["id"]


BAD_IDS = ["ext_1", "..", ".", "x?y", "%41", "a#b", "a b", "a\x01b"]  # no selfUri could address them
BAD_ID = ("Must be 1-255 characters, not start with 'ext_', not be '.' or '..', and have no '/', '?', '#', '%', "
          "space or control character: its selfUri must address it.")
KEY_SPACES = "Has spaces or tabs around it, which HTTP strips from a header: no request could send this key."


@pytest.mark.parametrize("doc, expected", [
    ("{broken", "$: not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
    ("[]", "$: a fixture document must be a JSON object"),
    ({"servces": []}, "$.servces: Unknown field."),
    ({"services": [3]}, "$.services[0]: Must be a name string or an object."),
    ({"services": [{"name": ""}]}, "$.services[0].name: Length must be between 1 and 255."),
    ({"apiKeys": [{"key": "k", "enabled": "yes please"}]}, "$.apiKeys[0].enabled: Not a valid boolean."),
    ({"apiKeys": [{"key": "k", "expiresAt": "soon"}]},
     "$.apiKeys[0].expiresAt: Not an ISO-8601 date-time with an offset (RFC 3339), such as 2026-05-01T10:00:00Z."),
    ({"apiKeys": [{"key": "k", "services": ["nope"]}]}, "$.apiKeys[0].services: names no service: 'nope'"),
    ({"interactions": [{}]}, "$.interactions[0].openMediaService: Missing data for required field."),
    ({"interactions": [{"openMediaService": "nope"}]}, "$.interactions[0].openMediaService: names no service: 'nope'"),
    ({"services": ["s"], "interactions": [{"openMediaService": "s", "state": "done"}]},
     "$.interactions[0].state: Must be one of: queued, routing, handling, stopped."),
    *[({"services": ["s"], "interactions": [{"openMediaService": "s", "id": ident}]},
       f"$.interactions[0].id: {BAD_ID}") for ident in BAD_IDS],
    ({"apiKeys": [" k"]}, f"$.apiKeys[0].key: {KEY_SPACES}"),
    ({"apiKeys": [{"key": "k\t"}]}, f"$.apiKeys[0].key: {KEY_SPACES}"),
    ({"apiKeys": ["k\r\nX: y"]}, "$.apiKeys[0].key: Has a control character, which no header can carry."),
    ({"services": ["s"], "interactions": [{"openMediaService": "s", "userData": {"State": "x"}}]},
     "$.interactions[0].userData: 'State' is a reserved key (a Genesys system property)."),
    ({"services": ["s"], "interactions": [{"openMediaService": "s", "userData": {"a": 0.5}}]},
     "$.interactions[0].userData: 'a' is a number; values must be strings, integers or objects."),
    ({"services": ["s"], "interactions": [{"openMediaService": "s", "id": "d"}, {"openMediaService": "s", "id": "d"}]},
     "$.interactions[1].id: id 'd' is used twice"),
    ({"services": ["s"], "interactions": [{"openMediaService": "s", "externalId": "e"},
                                          {"openMediaService": "s", "externalId": "e"}]},
     "$.interactions[1].externalId: two live interactions of 's' have externalId 'e'"),
])
def test_a_bad_file_names_file_path_and_problem(tmp_path, doc, expected):
    path = write(tmp_path, "bad.json", doc)
    assert problems([path]) == [f"{path}: {expected}"]


def test_stopped_duplicates_are_fine(tmp_path):
    doc = {"services": ["s"], "interactions": [{"openMediaService": "s", "externalId": "e", "state": "stopped"},
                                               {"openMediaService": "s", "externalId": "e"}]}
    assert len(load_fixtures([write(tmp_path, "ok.json", doc)], NOW).interactions) == 2


def test_every_problem_of_every_file_is_reported(tmp_path):
    write(tmp_path, "a.json", "{")
    write(tmp_path, "b.json", {"services": [{"name": "s", "colour": "red"}]})
    missing = str(tmp_path / "missing.json")
    (tmp_path / "empty").mkdir()
    lines = problems([str(tmp_path), missing, str(tmp_path / "empty")])
    assert lines[0].startswith(f"{tmp_path / 'a.json'}: $: not valid JSON")
    assert lines[1:] == [f"{tmp_path / 'b.json'}: $.services[0].colour: Unknown field.",
                         f"{missing}: $: no such file", f"{tmp_path / 'empty'}: $: a folder with no *.json files"]


def test_a_cross_file_problem_names_the_file_it_is_in(tmp_path):
    a = write(tmp_path, "a.json", {"services": ["s"], "interactions": [{"id": "same", "openMediaService": "s"}]})
    b = write(tmp_path, "b.json", {"interactions": [{"id": "same", "openMediaService": "s"}]})
    assert problems([a, b]) == [f"{b}: $.interactions[0].id: id 'same' is used twice"]


def test_not_utf8_and_too_deep(tmp_path):
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff{}")
    deep = write(tmp_path, "deep.json", "[" * 100_000)
    first, second = problems([str(binary), deep])
    assert first.startswith(f"{binary}: $: cannot read") and "decode" in first
    assert second == f"{deep}: $: JSON nested too deeply"


def test_a_lone_surrogate_escape_is_refused(tmp_path):
    path = write(tmp_path, "s.json", '{"services": ["s"], "interactions": [{"openMediaService": "s", '
                                     '"userData": {"a": "\\udc00"}}]}')
    assert problems([path]) == [f"{path}: $: a lone UTF-16 surrogate escape (\\ud800-\\udfff): not a character"]


def test_create_app_refuses_bad_fixtures(tmp_path):
    path = write(tmp_path, "bad.json", {"interactions": [{"openMediaService": "nope"}]})
    with pytest.raises(FixtureError, match="names no service"):
        create_app(ServerConfig(fixtures=[path]))


def test_a_big_file_is_read_as_a_small_one(tmp_path):
    """Files from 1 MiB up are mapped rather than read (reader._text): the same documents, the same problems."""
    items = [{"openMediaService": "s", "externalId": f"e-{n}", "userData": {"Pad": "x" * 100}} for n in range(8000)]
    path = write(tmp_path, "big.json", {"services": ["s"], "interactions": items})
    assert Path(path).stat().st_size > 1 << 20
    assert [i.external_id for i in load_fixtures([path], NOW).interactions] == [f"e-{n}" for n in range(8000)]
    small = tmp_path / "small.json"
    small.write_bytes(b"\xff{}")
    big = tmp_path / "big-binary.json"
    big.write_bytes(b"\xff" + b" " * (1 << 20))
    (small_line,), (big_line,) = problems([str(small)]), problems([str(big)])
    assert big_line.removeprefix(str(big)) == small_line.removeprefix(str(small))
    assert "cannot read: 'utf-8' codec can't decode byte 0xff in position 0" in big_line
