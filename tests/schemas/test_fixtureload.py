"""Fixture documents load fast (200,000 interactions in the benchmark) and exactly as the schema loads them
(plainload.py case by case: tests/schemas/test_plainload.py)."""

import copy
import gc
import json

import pytest

from mocknexus.core.clock import Clock
from mocknexus.core.collector import paused
from mocknexus.core.models import Interaction, Service
from mocknexus.schemas import reader
from mocknexus.schemas.fields import user_data_problems
from mocknexus.schemas.fixtures import InteractionFixture, fixture_document
from mocknexus.schemas.plainload import user_data_ok

BASE = {"openMediaService": "s"}
DEEP = {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {}}}}}}}}}


@pytest.mark.parametrize("value", [
    {}, {"a": "x", "b": 1}, DEEP, {"State": "x"}, {"a": 1.5}, {"a": True}, {"a": None}, {"a": [1]},
    {"a": 2**63}, {"a": -(2**63)}, {"a": {"State": "nested is fine"}}, {**DEEP, "z": {"State": 1}},
    {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {}}}}}}}}}},
])
def test_user_data_ok_says_what_user_data_problems_says(value):
    assert user_data_ok(value) == (user_data_problems(value) == [])


def test_a_document_is_loaded_as_the_schema_loads_it(tmp_path, monkeypatch):
    doc = {"services": ["s", {"name": "t", "mediaType": "chat"}], "apiKeys": ["k"],
           "interactions": [{**BASE, "id": f"i-{n}", "userData": {"N": n}} for n in range(50)]}
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    calls = []
    monkeypatch.setattr(InteractionFixture, "load", lambda self, *a, **k: calls.append(1) or {})
    loaded = reader.load_document(path)
    assert calls == []  # no interaction went through Schema.load
    monkeypatch.undo()
    assert loaded == fixture_document.load(doc)


def test_a_bad_interaction_among_many_is_reported_with_its_path(tmp_path):
    doc = {"services": ["s"], "interactions": [BASE] * 10 + [{**BASE, "userData": {"f": 1.5}}]}
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(reader.FixtureError) as caught:
        reader.load_fixtures([path], Clock().now())
    assert caught.value.lines() == [
        f"{path}: $.interactions[10].userData: 'f' is a number; values must be strings, integers or objects."]


def test_loading_pauses_the_cyclic_collector(tmp_path, monkeypatch):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({"services": ["s"], "interactions": [BASE]}))
    seen = []
    real = reader.build_set
    monkeypatch.setattr(reader, "build_set", lambda *a: seen.append(gc.isenabled()) or real(*a))
    assert gc.isenabled()
    reader.load_fixtures([path], Clock().now())
    assert seen == [False] and gc.isenabled()


def test_pauses_nest_and_restore_the_collectors_state():
    assert gc.isenabled()
    with paused():
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_interaction_copy_is_what_copy_copy_gives():
    original = Interaction("i", Service("s"), "e", None, Clock().now(), Clock().now(), {"a": 1}, "stopped",
                           Clock().now(), {"systemName": "x"})
    original.to_json()  # fills the cached times
    twin, reference = original.copy(), copy.copy(original)
    assert twin is not original
    for name in Interaction.__slots__:
        assert getattr(twin, name) is getattr(reference, name), name
