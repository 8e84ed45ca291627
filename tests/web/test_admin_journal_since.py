"""§2.2 `since=ID` on GET /__admin/requests: only the records after that id, with the other filters and limit."""

import pytest

from mocknexus.state.journal import Journal
from tests.conftest import BASE, KEY, assert_error

CREATE = f"{BASE}/crm-tasks/interactions"


def ids(client, query):
    response = client.get(f"/__admin/requests?{query}")
    assert response.status_code == 200, response.json
    return [entry["id"] for entry in response.json["requests"]]


def test_since_gives_only_the_records_after_that_id_with_the_filters_and_limit(client):
    for n in range(5):
        client.post(CREATE, json={"externalId": f"s{n % 3}"}, headers=KEY)  # 200 200 200 409 409
    assert ids(client, "since=0") == [1, 2, 3, 4, 5]
    assert ids(client, "since=2") == [3, 4, 5]
    assert ids(client, "since=5") == [] and ids(client, f"since={10 ** 30}") == []
    assert ids(client, "since=1&status=409") == [4, 5]
    assert ids(client, "since=1&limit=2") == [4, 5]


def test_since_follows_the_journal_past_its_bound():
    journal = Journal(size=3)
    for n in range(10):
        journal.add({"operation": None, "method": "GET", "path": f"/{n}", "status": 404, "service": None})
    assert [r["id"] for r in journal.find(since=8)] == [9, 10]
    assert [r["id"] for r in journal.find(since=2)] == [8, 9, 10]  # the older ones are gone
    assert [r["id"] for r in journal.find({"path": "/9$"}, since=8)] == [10]


@pytest.mark.parametrize("query", ["since=-1", "since=abc", "since=1.5", "since="])
def test_a_bad_since_is_a_400_naming_it(client, query):
    assert "since" in assert_error(client.get(f"/__admin/requests?{query}"), 400)["details"]
