"""InteractionStore without Flask: create/get/stop/update rules, externalId bookkeeping, ids, bulk load."""

import random
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from mocknexus.core.clock import Clock
from mocknexus.core.config import WorldSettings
from mocknexus.core.errors import BadRequest, Conflict, NotFound
from mocknexus.core.ids import IdFactory, uuid4_text
from mocknexus.core.models import Interaction, Service
from mocknexus.state.store import InteractionStore

T0 = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
TASKS = Service("crm-tasks", media_type="workitem")
CHAT = Service("web-chat", media_type="chat")


def make_store(interactions=(), **settings) -> InteractionStore:
    clock = Clock(source=lambda: T0)
    return InteractionStore({s.name: s for s in (TASKS, CHAT)}, WorldSettings(**settings), clock,
                            IdFactory(seed=7), interactions)


@pytest.fixture
def store():
    return make_store()


def test_create_fills_the_interaction_from_service_and_clock(store):
    created = store.create_interaction("crm-tasks", "ticket-1", user_data={"Subject": "x"})
    assert created.state == "queued" and created.live
    assert created.service is TASKS and created.external_id == "ticket-1" and created.parent_id is None
    assert created.received_at == T0 and created.submitted_at == T0
    assert created.user_data == {"Subject": "x"}
    assert store.get_interaction("crm-tasks", interaction_id=created.id) is created
    assert store.get_interaction("crm-tasks", external_id="ticket-1") is created


def test_create_keeps_the_clients_received_at(store):
    earlier = T0 - timedelta(hours=3)
    assert store.create_interaction("crm-tasks", received_at=earlier).received_at == earlier


def test_create_without_user_data_gives_an_empty_object(store):
    assert store.create_interaction("crm-tasks").user_data == {}


def test_unknown_service_is_not_found(store):
    with pytest.raises(NotFound, match="'nope'"):
        store.create_interaction("nope")
    with pytest.raises(NotFound):
        store.get_interaction("nope", interaction_id="x")


def test_live_duplicate_external_id_conflicts_per_service(store):
    first = store.create_interaction("crm-tasks", "dup")
    with pytest.raises(Conflict, match=first.id):
        store.create_interaction("crm-tasks", "dup")
    # The same externalId in another service is another interaction.
    assert store.create_interaction("web-chat", "dup").service is CHAT


def test_stop_frees_the_external_id_and_hides_the_interaction(store):
    first = store.create_interaction("crm-tasks", "again")
    stopped = store.stop_interaction("crm-tasks", external_id="again", reason_system_name="agent")
    assert stopped.state == "stopped" and stopped.stopped_at == T0
    assert stopped.stop_reason == {"systemName": "agent", "description": None}
    for call in (lambda: store.get_interaction("crm-tasks", interaction_id=first.id),
                 lambda: store.stop_interaction("crm-tasks", external_id="again"),
                 lambda: store.update_interaction("crm-tasks", interaction_id=first.id, changed={"a": "b"})):
        with pytest.raises(NotFound):
            call()
    second = store.create_interaction("crm-tasks", "again")
    assert second.id != first.id
    assert store.get_interaction("crm-tasks", external_id="again") is second


def test_retain_stopped_keeps_it_readable_and_conflicts_on_writes():
    store = make_store(retain_stopped=True)
    created = store.create_interaction("crm-tasks", "kept")
    store.stop_interaction("crm-tasks", interaction_id=created.id)
    assert store.get_interaction("crm-tasks", external_id="kept").state == "stopped"
    with pytest.raises(Conflict):
        store.stop_interaction("crm-tasks", interaction_id=created.id)
    with pytest.raises(Conflict):
        store.update_interaction("crm-tasks", external_id="kept", added={"a": "b"})


def test_retain_stopped_get_by_external_id_prefers_the_live_then_the_newest():
    store = make_store(retain_stopped=True)
    old = store.create_interaction("crm-tasks", "ext")
    store.stop_interaction("crm-tasks", interaction_id=old.id)
    new = store.create_interaction("crm-tasks", "ext")
    assert store.get_interaction("crm-tasks", external_id="ext") is new
    store.stop_interaction("crm-tasks", interaction_id=new.id)
    assert store.get_interaction("crm-tasks", external_id="ext") is new


def test_an_id_of_another_service_is_not_found(store):
    created = store.create_interaction("crm-tasks")
    with pytest.raises(NotFound):
        store.get_interaction("web-chat", interaction_id=created.id)
    with pytest.raises(NotFound):
        store.stop_interaction("web-chat", interaction_id=created.id)


def test_parent_must_be_a_live_interaction_of_the_same_service(store):
    parent = store.create_interaction("crm-tasks")
    child = store.create_interaction("crm-tasks", parent_id=parent.id)
    assert child.parent_id == parent.id
    other = store.create_interaction("web-chat")
    for bad in ("missing", other.id):
        with pytest.raises(NotFound, match="Parent"):
            store.create_interaction("crm-tasks", parent_id=bad)
    store.stop_interaction("crm-tasks", interaction_id=parent.id)
    with pytest.raises(NotFound, match="Parent"):
        store.create_interaction("crm-tasks", parent_id=parent.id)


def test_update_applies_changed_then_added_then_deleted(store):
    created = store.create_interaction("crm-tasks", user_data={"a": "1", "b": "2", "gone": "x"})
    before = created.user_data
    updated = store.update_interaction("crm-tasks", interaction_id=created.id, changed={"a": "A", "new": "n"},
                                       added={"b": "B", "c": 3}, deleted=["gone", "never-there"])
    assert updated.user_data == {"a": "A", "b": "B", "new": "n", "c": 3}
    # A new dict: what was handed out before is never mutated (serialised outside the lock).
    assert before == {"a": "1", "b": "2", "gone": "x"}


def test_seeded_ids_repeat_and_genesys_style_has_its_shape():
    first, again = make_store(), make_store()
    ids = [first.create_interaction("crm-tasks").id for _ in range(3)]
    assert [again.create_interaction("crm-tasks").id for _ in range(3)] == ids
    assert len(set(ids)) == 3
    store = make_store(id_style="genesys")
    ids = {store.create_interaction("crm-tasks").id for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 16 and i.isalnum() and i.upper() == i for i in ids)


def _fixture(id_, ext=None, state="queued", service=TASKS):
    return Interaction(id=id_, service=service, external_id=ext, parent_id=None, received_at=T0,
                       submitted_at=T0, state=state)


def test_load_is_all_or_nothing(store):
    with pytest.raises(BadRequest, match="twice"):
        store.load([_fixture("a"), _fixture("a")])
    with pytest.raises(BadRequest, match="externalId"):
        store.load([_fixture("b", "e"), _fixture("c", "e")])
    assert len(store) == 0
    store.load([_fixture("d", "e"), _fixture("f", "e", state="stopped")])
    assert store.get_interaction("crm-tasks", external_id="e").id == "d"
    assert store.live_count() == 1 and len(store.all()) == 2


def test_initial_interactions_are_indexed():
    store = make_store([_fixture("x1", "t-1"), _fixture("x2", "t-2", state="stopped")])
    assert store.get_interaction("crm-tasks", external_id="t-1").id == "x1"
    with pytest.raises(NotFound):
        store.get_interaction("crm-tasks", external_id="t-2")
    assert store.create_interaction("crm-tasks", "t-2").external_id == "t-2"


def test_concurrent_creates_with_one_external_id_give_one_winner(store):
    results, barrier = [], threading.Barrier(16)

    def create():
        barrier.wait()
        try:
            results.append(store.create_interaction("crm-tasks", "race").id)
        except Conflict:
            results.append(None)

    threads = [threading.Thread(target=create) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(results) == 16 and sum(r is not None for r in results) == 1


def test_unseeded_ids_are_random_rfc_uuid4s():
    """ids.uuid4_text sets the version and variant bits by hand: uuid.UUID must read them back as such."""
    ids = IdFactory()
    made = [ids.new("uuid") for _ in range(2000)]
    assert len(set(made)) == len(made)
    for text in made:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)
    # every variant nibble (8, 9, a, b) and every hex digit occur: nothing is fixed but the version and variant bits
    assert {text[19] for text in made} == set("89ab")
    assert set("".join(text[:8] for text in made)) == set("0123456789abcdef")


def test_uuid4_text_is_what_uuid_writes_so_seeded_sequences_are_unchanged():
    for bits in [0, 2**128 - 1, *(random.Random(3).getrandbits(128) for _ in range(2000))]:
        assert uuid4_text(bits) == str(uuid.UUID(int=bits, version=4))
