"""plainload.py loads a plainly valid fixture document exactly as the schemas of fixtures.py load it, and
steps aside (None) for anything else, so that the schemas load it or report its problems."""

import copy
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from marshmallow import RAISE, ValidationError

from mocknexus.schemas import plainload, reader
from mocknexus.schemas.fixtures import InteractionFixture, fixture_document

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
BASE = {"openMediaService": "s"}
DEEP = {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {}}}}}}}}}
ITEMS = [
    {}, BASE, {**BASE, "id": "i-1", "externalId": "e-1", "userData": {"Subject": "x", "Priority": 5}},
    {**BASE, "state": "stopped", "stopReason": {"systemName": "agent", "description": None},
     "stoppedAt": "2026-05-01T10:00:00Z"},
    {**BASE, "stopReason": None, "receivedAt": "2026-05-01T12:00:00+02:00", "submittedAt": None},
    {**BASE, "externalId": None, "parentInteractionId": None, "mediaType": "chat", "selfUri": "/x"},
    {**BASE, "userData": {"C": {"N": "Ada", "T": {"L": 1}}}}, {**BASE, "userData": DEEP},
    {**BASE, "id": "ext_x"}, {**BASE, "id": "a/b"}, {**BASE, "id": ""}, {**BASE, "id": 5}, {**BASE, "id": None},
    {**BASE, "externalId": ""}, {**BASE, "externalId": "x" * 256}, {**BASE, "state": "routing"},
    {**BASE, "state": None}, {"openMediaService": None}, {"openMediaService": 1}, {**BASE, "receivedAt": "noon"},
    {**BASE, "receivedAt": 5}, {**BASE, "receivedAt": []}, {**BASE, "stoppedAt": {}}, {**BASE, "id": []},
    {**BASE, "stopReason": {"systemName": []}}, {**BASE, "userData": {"State": "x"}}, {**BASE, "userData": {"f": 1.5}},
    {**BASE, "userData": {"b": True}}, {**BASE, "userData": {"big": 2**63}}, {**BASE, "userData": {**DEEP, "z": {}}},
    {**BASE, "userData": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {}}}}}}}}}}},
    {**BASE, "userData": []}, {**BASE, "userData": None}, {**BASE, "stopReason": "x"}, {**BASE, "unknown": 1},
    "s", [], None,
]
ITEMS += [
    {**BASE, "stopReason": {}}, {**BASE, "stopReason": {"description": "d"}}, {**BASE, "stopReason": {"other": 1}},
    {**BASE, "state": "stopped", "stoppedBy": "workflow", "agent": "a-1", "submittedAt": "2026-05-01t10:00:00z"},
    {**BASE, "stoppedBy": "nobody"}, {**BASE, "agent": ""}, {**BASE, "agent": None}, {**BASE, "selfUri": None},
    {**BASE, "receivedAt": "2026-05-01T10:00:00"}, {**BASE, "receivedAt": "9999-12-31T23:00:00-05:00"},
    {**BASE, "id": "x" * 255}, {**BASE, "id": "x" * 256}, {**BASE, "userData": {"a": -(2**63)}},
]
DOCS = [
    {}, {"interactions": []}, {"webhooks": []},
    {"services": ["s", {"name": "t", "mediaType": "chat", "interactionType": "Outbound", "interactionSubtype": "X"}]},
    {"services": [""]}, {"services": ["x" * 256]}, {"services": [{"mediaType": "chat"}]}, {"services": [3]},
    {"services": [{"name": "s", "mediaType": None}]}, {"services": None}, {"services": "s"},
    {"services": [{"name": "s", "colour": "red"}]},
    {"apiKeys": ["k", {"key": "k2", "enabled": False, "expiresAt": "2027-01-01T00:00:00+01:00", "services": ["s"]}]},
    {"apiKeys": [{"key": "k", "expiresAt": None, "services": None}]}, {"apiKeys": [{"key": "k", "services": []}]},
    {"apiKeys": [""]}, {"apiKeys": [" k"]}, {"apiKeys": ["k\x01"]}, {"apiKeys": [{"key": "k", "enabled": 1}]},
    {"apiKeys": [{"key": "k", "enabled": None}]}, {"apiKeys": [{"key": "k", "expiresAt": "soon"}]},
    {"apiKeys": [{"key": "k", "services": "s"}]}, {"apiKeys": [{"key": "k", "services": [1]}]},
    {"apiKeys": [{"enabled": True}]}, {"apiKeys": [5]}, {"apiKeys": [{"key": "k", "colour": "red"}]},
    {"apiKeys": None}, {"servces": []},
]
# Valid, but left to the schemas: lifecycles and webhooks are few and have many rules.
SCHEMAS_ONLY = [{"services": [{"name": "s", "lifecycle": []}]}, {"webhooks": [{"url": "http://127.0.0.1:9/hook"}]}]


def _schema_load(schema, value):
    try:
        return schema.load(value, unknown=RAISE)
    except ValidationError as error:
        return error


@pytest.mark.parametrize("item", ITEMS)
def test_an_interaction_loads_as_the_schema_loads_it_or_steps_aside(item):
    plain, full = plainload.interactions([copy.deepcopy(item)]), _schema_load(InteractionFixture(), item)
    if isinstance(full, ValidationError):
        assert plain is None  # the schema then reports it
    else:
        assert plain == [full]  # every valid one takes the plain path


@pytest.mark.parametrize("doc", DOCS + SCHEMAS_ONLY)
def test_the_rest_of_a_document_loads_as_the_schema_loads_it_or_steps_aside(doc):
    rest = {key: value for key, value in doc.items() if key != "interactions"}
    plain, full = plainload.rest(doc), _schema_load(fixture_document, rest)
    if isinstance(full, ValidationError) or doc in SCHEMAS_ONLY:
        assert plain is None
    else:
        assert {**plain, "interactions": []} == full


def test_a_list_steps_aside_whole_when_one_item_is_not_plain():
    assert plainload.interactions([BASE, {**BASE, "userData": {"f": 1.5}}, BASE]) is None
    assert plainload.interactions({"0": BASE}) is None and plainload.interactions(None) is None
    assert plainload.interactions([]) == []


def test_interactions_are_loaded_in_place_their_values_kept_and_times_parsed_once():
    user_data = {"S": "x", "C": {"N": "Ada"}}
    items = [{**BASE, "userData": user_data, "receivedAt": "2026-05-01T10:00:00Z"},
             {**BASE, "receivedAt": "2026-05-01T10:00:00Z"}]
    first, second = plainload.interactions(items)
    assert first is items[0] and first["userData"] is user_data  # the reader's own decoded document
    assert first["receivedAt"] is second["receivedAt"]
    assert second["userData"] == {} and second["userData"] is not first["userData"]


def test_a_bad_interaction_after_good_ones_is_the_one_problem_reported(tmp_path):
    """The plain path loads in place and gives up at the bad one: the schemas read the file again, so the good
    ones before it (their times parsed by then) are reported as nothing."""
    good = {**BASE, "receivedAt": "2026-05-01T10:00:00Z", "stopReason": None}
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({"services": ["s"], "interactions": [good, good, {**BASE, "state": "done"}, good]}))
    with pytest.raises(reader.FixtureError) as caught:
        reader.load_fixtures([path], NOW)
    assert caught.value.lines() == [f"{path}: $.interactions[2].state: Must be one of: queued, routing, handling, "
                                    "stopped."]


def test_serving_the_sample_fixtures_needs_no_marshmallow_or_apispec():
    code = ("import sys; from mocknexus.web.app import create_app; from mocknexus.core.config import ServerConfig; "
            "create_app(ServerConfig(fixtures=['fixtures'])); "
            "print(sorted(m for m in ('marshmallow', 'apispec') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
