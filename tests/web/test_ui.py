"""§7 GET /__admin/ui as HTTP: the page and its files, their headers, and what opening it does not do."""

import configparser
import fnmatch
import re

import pytest

from mocknexus.core.config import ServerConfig
from mocknexus.web.app import create_app
from tests.conftest import FIXTURES, ROOT, assert_error

FILES = {"ui.css": "text/css", "main.js": "text/javascript", "api.js": "text/javascript"}


def page(client, path="/__admin/ui", **kwargs):
    response = client.get(path, **kwargs)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return response


def test_the_page_names_its_files_the_root_and_the_namespace(client):
    html = page(client).get_data(as_text=True)
    assert 'src="/__admin/ui/main.js"' in html and 'href="/__admin/ui/ui.css"' in html
    assert 'data-root="" data-namespace="default" data-token="none"' in html
    html = page(client, "/__ns/team-a/__admin/ui").get_data(as_text=True)
    assert 'src="/__ns/team-a/__admin/ui/main.js"' in html
    assert 'data-root="" data-namespace="team-a"' in html
    assert "{{" not in html


def test_nothing_may_come_from_another_host_nor_run_inline(client):
    for path in ["/__admin/ui", *(f"/__admin/ui/{name}" for name in FILES)]:
        headers = client.get(path).headers
        policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
        assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'"
        assert policy["connect-src"] == "'self'" and policy["style-src"] == "'self'"
        assert headers["X-Content-Type-Options"] == "nosniff"
    html = page(client).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline script"
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "nothing from another host"


@pytest.mark.parametrize("name, kind", FILES.items())
def test_each_file_is_served_with_its_type_and_an_etag(client, name, kind):
    response = client.get(f"/__admin/ui/{name}")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(kind)
    again = client.get(f"/__admin/ui/{name}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


@pytest.mark.parametrize("name", ["nope.js", "index.html", "..%2Fapp.py", "__init__.py"])
def test_a_file_it_does_not_have_is_a_404_envelope(client, name):
    assert_error(client.get(f"/__admin/ui/{name}"), 404)


def test_opening_the_page_makes_no_namespace(client):
    page(client, "/__ns/never-made/__admin/ui")
    client.get("/__ns/never-made/__admin/ui/main.js")
    names = [n["name"] for n in client.get("/__admin/namespaces").json["namespaces"]]
    assert names == ["default"]


def test_with_an_admin_token_the_page_opens_without_it_and_holds_no_data():
    client = create_app(ServerConfig(fixtures=[str(FIXTURES)], admin_token="s3cret")).test_client()
    html = page(client).get_data(as_text=True)
    assert 'data-token="needed"' in html
    assert "ticket-42" not in html and "crm-tasks" not in html  # fixture data stays behind the token
    assert client.get("/__admin/ui/main.js").status_code == 200
    assert_error(client.get("/__admin/interactions"), 401)


def test_the_page_is_not_part_of_the_api_document(client):
    paths = client.get("/openapi.json").json["paths"]
    assert not [path for path in paths if path.startswith("/__admin/ui")]


def test_a_wheel_carries_every_file_of_the_page():
    """setup.cfg's package data names them (an editable install would find them anyway, a wheel would not)."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    patterns = config["options.package_data"]["mocknexus.web.ui"].split()
    folder = ROOT / "mocknexus" / "web" / "ui"
    files = {p.relative_to(folder) for p in (folder / "assets").rglob("*") if p.is_file()}
    assert files and all(any(fnmatch.fnmatch(str(f), pattern) for pattern in patterns) for f in files)
