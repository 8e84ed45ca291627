"""The fast load path gives exactly what schema.load gives, or steps aside (None) so that schema.load reports."""

import pytest
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load

from mocknexus.schemas.fastload import fast_loader
from mocknexus.schemas.vendor import create_request, stop_request, update_request

DEEP = {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {}}}}}}}}}}
BODIES = {
    create_request: [
        {}, {"externalId": "t-1"}, {"externalId": "t-1", "userData": {"Subject": "x", "Priority": 5}},
        {"externalId": "é" * 255, "parentInteractionId": "p", "data": {"k": [1, None]}},
        {"userData": {"Customer": {"Name": "Ada", "Tier": {"Level": 1}}}},
        {"receivedAt": "2026-05-01T10:00:00+02:00", "externalId": "t-2"},
        {"externalId": ""}, {"externalId": "x" * 256}, {"externalId": 5}, {"externalId": None},
        {"parentInteractionId": 1}, {"receivedAt": "yesterday"}, {"userData": []}, {"userData": None},
        {"userData": {"State": "x"}}, {"userData": {"f": 1.5}}, {"userData": {"b": True}}, {"userData": {"n": None}},
        {"userData": {"l": [1]}}, {"userData": {"big": 2**63}}, {"userData": DEEP}, {"data": "x"}, {"data": None},
        {"unknownField": 1},
    ],
    stop_request: [
        {}, {"reasonSystemName": "agent", "reasonDescription": "done", "data": {}}, {"reasonSystemName": 1},
        {"reasonDescription": None}, {"data": []},
    ],
    update_request: [
        {"changedProperties": {"Priority": 3}}, {"addedProperties": {"New": "v"}}, {"deletedProperties": ["Old"]},
        {"changedProperties": {"a": 1}, "addedProperties": {"b": "2"}, "deletedProperties": ["c"], "data": {}},
        {}, {"data": {}}, {"changedProperties": {"a": 1}, "addedProperties": {"a": 2}},
        {"changedProperties": {"a": 1}, "deletedProperties": ["a"]}, {"deletedProperties": ["State"]},
        {"deletedProperties": "a"}, {"deletedProperties": [1]}, {"deletedProperties": None},
        {"changedProperties": {"Queue": "q"}}, {"addedProperties": {"x": 0.5}}, {"changedProperties": []},
    ],
}
CASES = [(schema, body) for schema, bodies in BODIES.items() for body in bodies]


def _full(schema, body):
    try:
        return schema.load(body, unknown=RAISE)
    except ValidationError as error:
        return error


@pytest.mark.parametrize(("schema", "body"), CASES)
def test_fast_load_equals_schema_load_or_steps_aside(schema, body):
    fast, full = fast_loader(schema)(body), _full(schema, body)
    if isinstance(full, ValidationError):
        assert fast is None  # schema.load then raises, with its own messages
    else:
        assert fast == full and list(fast) == list(full)  # same keys, values and order


def test_common_valid_bodies_take_the_fast_path():
    assert fast_loader(create_request)({"externalId": "t", "userData": {"S": "x"}}) == {
        "external_id": "t", "user_data": {"S": "x"}}
    assert fast_loader(update_request)({"changedProperties": {"P": 3}}) == {"changed": {"P": 3}}
    assert fast_loader(stop_request)({}) == {}


def test_loaded_containers_are_new_objects_as_with_marshmallow():
    user_data = {"S": "x"}
    loaded = fast_loader(create_request)({"userData": user_data})
    assert loaded["user_data"] == user_data and loaded["user_data"] is not user_data


def test_schemas_it_cannot_reproduce_always_step_aside():
    class WithHook(Schema):
        name = fields.String()

        @pre_load
        def _strip(self, data, **kwargs):
            return data

    class WithDefault(Schema):
        name = fields.String(load_default="x")

    class WithNested(Schema):
        inner = fields.Nested(WithDefault)

    for schema in (WithHook(), WithDefault(), WithNested()):
        assert fast_loader(schema)({}) is None
