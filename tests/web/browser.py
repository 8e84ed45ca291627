"""For the dashboard's browser tests: Debian's headless Chromium under Playwright, every request watched."""

import json
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
MISSING = None if Path(CHROMIUM).exists() else (
    "browser tests NOT RUN: no Chromium here (apt-get install -y chromium; .ci/run installs it)")
# This machine's closed network makes Chromium's own background connections fail noisily otherwise.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def admin(server, path, method="GET", **kwargs):
    """An admin API answer (200 expected), to compare the page with."""
    response = requests.request(method, f"{server.root}/__admin{path}", timeout=10, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def vendor(server, method, path, **kwargs):
    """A vendor request, as a client would make it."""
    return requests.request(method, f"{server.root}{path}", headers={"x-api-key": "ui-test"}, timeout=10, **kwargs)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


class Watched:
    """A page in its own context: requests to any host but the server's are blocked and recorded, and
    console errors and uncaught exceptions are kept, for `assert_clean`."""

    def __init__(self, browser, root: str, **context):
        self.root = root
        self.host = urlsplit(root).netloc
        self.context = browser.new_context(accept_downloads=True, **context)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.requests, self.blocked, self.errors = [], [], []
        self.allowed_errors = []  # substrings of console errors a test expects (a refused token's 401)
        self.sent = []  # (time.monotonic(), url) of each request, as the page made it
        self.page.on("request", lambda r: (self.requests.append(r), self.sent.append((time.monotonic(), r.url))))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.dialogs = []  # every alert/confirm the page opened (each is accepted)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.accept()))

    def _route(self, route):
        if urlsplit(route.request.url).netloc == self.host:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, path="/__admin/ui"):
        self.page.goto(self.root + path)
        return self.page

    def rows(self, table: str) -> list[list[str]]:
        """The cells' text of every row shown by the table `data-table=table`."""
        return self.page.eval_on_selector_all(f'[data-table="{table}"] tbody tr',
                                              "rows => rows.map(r => [...r.cells].map(c => c.textContent))")

    def details(self):
        """The JSON in the side panel, once shown."""
        self.page.wait_for_selector("#details:not([hidden])")
        return json.loads(self.page.text_content("#details-body"))

    def shot(self, folder: Path, name: str) -> None:
        path = folder / f"{name}.png"
        self.page.screenshot(path=path)
        assert path.stat().st_size > 1000

    def assert_clean(self) -> None:
        """No console error (but those the test allowed), no request that left the server's host."""
        errors = [e for e in self.errors if not any(allowed in e for allowed in self.allowed_errors)]
        assert errors == [], errors
        assert self.blocked == [], self.blocked
        assert all(urlsplit(r.url).netloc == self.host for r in self.requests if not r.url.startswith("data:"))

    def close(self) -> None:
        self.context.close()


def skip_without_chromium() -> None:
    """At the top of a browser test module: without Chromium, one loud line (pytest -ra shows it), no run."""
    if MISSING:
        pytest.skip(MISSING, allow_module_level=True)
