"""Shared test fixtures: an app and its test client, a live server on port 0, and envelope assertions."""

from pathlib import Path

import pytest

from mocknexus.core.config import ServerConfig
from mocknexus.serving.server import MockNexus
from mocknexus.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
BASE = "/nexus/v3/openmedia"
KEY = {"x-api-key": "test-key"}


@pytest.fixture
def config():
    """Override in a module (or build your own) for other settings."""
    return ServerConfig(fixtures=[str(FIXTURES)])


@pytest.fixture
def app(config):
    return create_app(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def live_server():
    """A real waitress server on a port the OS picks, with the repository's fixtures."""
    with MockNexus(fixtures=[str(FIXTURES)], port=0) as server:
        yield server


def assert_error(response, status: int) -> dict:
    """The exact status, a JSON body, and the §1.1 error envelope with the same code; returns the status part."""
    text = response.get_data(as_text=True) if hasattr(response, "get_data") else response.text
    assert response.status_code == status, text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json() if callable(response.json) else response.json
    assert set(body) == {"status"}
    assert body["status"]["code"] == status
    assert isinstance(body["status"]["message"], str) and body["status"]["message"]
    return body["status"]


def assert_ok(response) -> dict:
    """200 with the success envelope; returns `data`."""
    body = response.json() if callable(response.json) else response.json
    assert response.status_code == 200, body
    assert body["status"] == {"code": 0, "message": "OK"}
    return body["data"]
