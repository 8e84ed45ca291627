"""The marshmallow schemas at the edge: request bodies, userData rules, times, and the out-schemas that
document what the API writes (kept equal to what it really writes)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from marshmallow import ValidationError

from mocknexus.core.models import RESERVED_KEYS, Interaction, Service, iso
from mocknexus.schemas.fields import MAX_DEPTH, IsoDateTime, json_kind, user_data_problems
from mocknexus.schemas.fixtures import problems
from mocknexus.schemas.vendor import (
    ErrorEnvelope,
    InteractionEnvelope,
    InteractionOut,
    create_request,
    stop_request,
    update_request,
)

T = datetime(2026, 5, 1, 10, 0, 0, 120000, tzinfo=UTC)
CONTRACT_RESERVED = """InteractionId, ParentId, ExternalId, MediaType, Type, Subtype, State, StagingArea,
SubmittedBy, TenantId, ReceivedAt, SubmittedAt, DeliveredAt, PlacedInQueueAt, WorkbinAgentId, WorkbinAgentGroupId,
WorkbinPlaceId, WorkbinPlaceGroupId, Queue, InteractionType, InteractionSubtype, InteractionState, IsLocked,
IsOnline, MovedToQueueAt, AbandonedAt"""


def interaction(**kwargs) -> Interaction:
    return Interaction(id="i-1", service=Service("s"), external_id="e", parent_id=None, received_at=T,
                       submitted_at=T, **kwargs)


def test_reserved_keys_are_the_contracts_list():
    assert RESERVED_KEYS == {k.strip() for k in CONTRACT_RESERVED.split(",")}


def test_the_request_schemas_know_the_contracts_field_names():
    assert create_request.data_keys == {"externalId", "parentInteractionId", "receivedAt", "userData", "data"}
    assert stop_request.data_keys == {"reasonSystemName", "reasonDescription", "data"}
    assert update_request.data_keys == {"changedProperties", "addedProperties", "deletedProperties", "data"}


def test_create_request_loads_to_store_arguments():
    loaded = create_request.load({"externalId": "e", "receivedAt": "2026-05-01T12:00:00.120+02:00",
                                  "userData": {"a": 1}, "data": {"x": [1.5]}})
    assert loaded == {"external_id": "e", "received_at": T, "user_data": {"a": 1}, "data": {"x": [1.5]}}


def test_update_request_needs_one_part_and_no_overlap():
    assert update_request.load({"deletedProperties": []}) == {"deleted": []}
    with pytest.raises(ValidationError, match="at least one"):
        update_request.load({"data": {}})
    with pytest.raises(ValidationError) as caught:
        update_request.load({"changedProperties": {"a": "1"}, "deletedProperties": ["a", "a"]})
    assert caught.value.messages == {"_schema": ["'a' appears in more than one of changed/added/deleted properties."]}


def test_the_out_schema_matches_what_the_api_writes():
    for shown in (interaction(), interaction(state="stopped", stopped_at=T, stop_reason={"systemName": None,
                                                                                          "description": "d"})):
        out = shown.to_json()
        assert InteractionOut().validate(out) == {}
        assert set(out) - {"stoppedAt", "stopReason", "stoppedBy"} == {
            name for name, f in InteractionOut().fields.items() if f.required}
        assert InteractionEnvelope().validate({"status": {"code": 0, "message": "OK"}, "data": out}) == {}
    assert ErrorEnvelope().validate({"status": {"code": 400, "message": "m", "details": {"f": ["p"]}}}) == {}


def test_self_uri_carries_the_prefix():
    assert interaction().to_json("/__ns/a")["selfUri"] == "/__ns/a/nexus/v3/openmedia/s/interactions/i-1"


@pytest.mark.parametrize("moment, text", [
    (T, "2026-05-01T10:00:00.120Z"),
    (datetime(2026, 5, 1, 12, 0, 0, 999999, tzinfo=timezone(timedelta(hours=2))), "2026-05-01T10:00:00.999Z"),
    (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00.000Z"),
    (None, None),
])
def test_iso_writes_utc_with_milliseconds(moment, text):
    assert iso(moment) == text


@pytest.mark.parametrize("value", ["", "tomorrow", "2026-13-01", "2026-05-01T25:00:00", 5, ["2026-05-01"]])
def test_iso_date_time_rejects(value):
    with pytest.raises(ValidationError, match="ISO-8601"):
        IsoDateTime().deserialize(value)


def test_user_data_problems():
    assert user_data_problems({"a": "x", "b": -1, "c": {"State": {"d": "e"}}}) == []
    assert user_data_problems({"State": 1, "x": [], "y": {"z": True}}) == [
        "'State' is a reserved key (a Genesys system property).",
        "'x' is an array; values must be strings, integers or objects.",
        "'z' is a boolean; values must be strings, integers or objects.",
    ]
    deep = "leaf"
    for _ in range(MAX_DEPTH + 1):
        deep = {"k": deep}
    assert user_data_problems(deep) == []  # userData itself plus MAX_DEPTH objects below it
    assert user_data_problems({"top": deep}) == [f"'k' nests objects deeper than {MAX_DEPTH} levels."]


@pytest.mark.parametrize("value, kind", [
    (None, "null"), (True, "a boolean"), (1, "an integer"), (1.5, "a number"), ("s", "a string"),
    ([], "an array"), ({}, "an object"),
])
def test_json_kind(value, kind):
    assert json_kind(value) == kind


def test_problems_flatten_to_json_paths():
    error = ValidationError({"interactions": {0: {"id": ["bad"], "_schema": ["whole"]}}, "_schema": ["top"]})
    assert problems(error) == [("$.interactions[0].id", "bad"), ("$.interactions[0]", "whole"), ("$", "top")]
