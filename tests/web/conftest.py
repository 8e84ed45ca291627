"""Fixtures for the tests of tests/web that run against a module's own live `server`."""

import uuid

import pytest


@pytest.fixture
def ns(server):
    """The root URL of a fresh namespace on the module's `server` fixture."""
    return f"{server.root}/__ns/t-{uuid.uuid4().hex[:10]}"
