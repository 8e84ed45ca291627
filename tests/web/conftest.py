"""Fixtures of tests/web: the dashboard's browser (one Chromium per session), its server and watched pages; a fresh
namespace on a module's own live `server`."""

import uuid

import pytest

from mocknexus.serving.server import MockNexus
from tests.conftest import FIXTURES
from tests.web.browser import Watched, launch


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright  # only where the browser is

    with sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


@pytest.fixture
def ui_server():
    with MockNexus(fixtures=[str(FIXTURES)], port=0) as nexus:
        yield nexus


@pytest.fixture
def dashboard(browser, ui_server):
    """The dashboard of `server` in a fresh browser context; at the end, no console error, nothing off-host."""
    opened = []

    def open_one(root=None, path="/__admin/ui", **context):
        watch = Watched(browser, root or ui_server.root, **context)
        opened.append(watch)
        watch.open(path)
        return watch

    yield open_one
    for watch in opened:
        try:
            watch.assert_clean()
        finally:
            watch.close()


@pytest.fixture
def ns(server):
    """The root URL of a fresh namespace on the module's `server` fixture."""
    return f"{server.root}/__ns/t-{uuid.uuid4().hex[:10]}"
