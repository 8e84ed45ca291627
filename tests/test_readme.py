"""README.md's examples work as written: every ```sh block whose first line starts with `curl` runs with bash,
in order, against a server with fixtures/ loaded (as `make run` starts it), reset at every ## and ### heading."""

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from mocknexus.schemas.reader import load_fixtures
from mocknexus.serving.server import MockNexus
from tests.conftest import FIXTURES, ROOT

README = ROOT / "README.md"
MAKE_RUN_ROOT = "http://127.0.0.1:8080"


def sections(text: str) -> list[tuple[str, list[str]]]:
    """(heading, [runnable blocks]) for every ##/### section, in order; headings inside fences do not count."""
    out, fence, block = [("(top)", [])], None, []
    for line in text.splitlines():
        if fence is None and line.startswith("```"):
            fence, block = line[3:].strip(), []
        elif fence is not None and line.startswith("```"):
            if fence == "sh" and block and block[0].startswith("curl"):
                out[-1][1].append("\n".join(block))
            fence = None
        elif fence is not None:
            block.append(line)
        elif re.match(r"#{2,3} ", line):
            out.append((line.lstrip("#").strip(), []))
    return [(name, blocks) for name, blocks in out if blocks]


def json_documents(text: str) -> list:
    """One or more JSON documents, one after another (whitespace between); raises if anything else is there."""
    decoder, docs, at = json.JSONDecoder(), [], 0
    while (at := len(text) - len(text[at:].lstrip())) < len(text):
        doc, at = decoder.raw_decode(text, at)
        docs.append(doc)
    return docs


SECTIONS = sections(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def server():
    with MockNexus(fixtures=[str(FIXTURES)], port=0) as nexus:
        yield nexus


def reset(root: str) -> None:
    """Back to the fixtures, and every namespace dropped (the route may not exist: then 404/405 is fine)."""
    assert requests.post(f"{root}/__admin/reset", timeout=10).status_code == 200
    listed = requests.get(f"{root}/__admin/namespaces", timeout=10)
    names = [n["name"] for n in listed.json()["namespaces"]] if listed.status_code == 200 else []
    for name in names:
        if name != "default":
            assert requests.delete(f"{root}/__admin/namespaces/{name}", timeout=10).status_code in (200, 404, 405)


@pytest.mark.parametrize("name, blocks", SECTIONS, ids=[re.sub(r"\W+", "-", n).strip("-") for n, _ in SECTIONS])
def test_readme_section_runs(server, name, blocks):
    reset(server.root)
    errors = server.app.extensions["mocknexus.errors"]
    errors.clear()
    for block in blocks:
        script = block.replace(MAKE_RUN_ROOT, server.root)
        result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0, f"{block}\n-> exit {result.returncode}\n{result.stderr}"
        docs = json_documents(result.stdout)
        for doc in docs:
            status = doc.get("status") if isinstance(doc, dict) else None
            code = status.get("code") if isinstance(status, dict) else None
            assert not (isinstance(code, int) and code >= 500), f"{block}\n-> {doc}"
        assert errors == [], f"{block}\n-> the server failed: {errors!r}"


def test_the_walk_through_covers_all_seven_operations():
    blocks = "\n".join(dict(SECTIONS)["The API by curl"])
    ops = {
        "createInteraction": r"-X POST .*\n?.*/interactions['\"]?$",
        "getInteractionByExternalId": r"^curl -s (-H \S+ \S+ )+\S+/interactions/ext_[^/\s]+$",
        "getInteraction": r"^curl -s (-H \S+ \S+ )+\S+/interactions/(?!ext_)[^/\s]+$",
        "stopInteractionByExternalId": r"/interactions/ext_[^/\s]+/stop",
        "stopInteraction": r"/interactions/(?!ext_)[^/\s]+/stop",
        "updateInteractionByExternalId": r"/interactions/ext_[^/\s]+/update",
        "updateInteraction": r"/interactions/(?!ext_)[^/\s]+/update",
    }
    missing = [op for op, rx in ops.items() if not re.search(rx, blocks, re.MULTILINE)]
    assert missing == []


def test_the_fixture_example_is_a_valid_fixture(tmp_path):
    text = README.read_text(encoding="utf-8")
    section = text.split("## Fixture format", 1)[1]
    example = section.split("```json\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.json"
    path.write_text(example, encoding="utf-8")
    fixtures = load_fixtures([str(path)], datetime.now(UTC))
    assert fixtures.services and fixtures.api_keys and fixtures.interactions


def test_the_quick_start_commands_are_in_the_makefile():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.MULTILINE) and re.search(r"^test:", makefile, re.MULTILINE)
    assert "--fixtures fixtures/" in makefile and Path(ROOT / ".ci" / "run").read_text().rstrip().endswith("make test")


def _anchor(heading: str) -> str:
    """GitHub's id for a heading: lower case, punctuation dropped, spaces as '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_readme_links_point_at_headings_and_no_section_numbers_are_cited():
    """README and /openapi.json once cited §1.1, §2.1-2.5 (the contract's numbers): no README heading had them."""
    text = README.read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    headings = {_anchor(line.lstrip("#")) for line in prose.splitlines() if re.match(r"#{1,4} ", line)}
    links = re.findall(r"\]\(#([^)]+)\)", prose)
    assert links and [link for link in links if link not in headings] == []
    assert "§" not in text
    from mocknexus.web.app import create_app
    from mocknexus.web.openapi import document

    assert "§" not in json.dumps(document(create_app()), ensure_ascii=False)


def test_the_unittest_example_runs_as_it_is(tmp_path):
    """The README's unittest snippet, copied alone into a project with fixtures in tests/nexus-fixtures."""
    text = README.read_text(encoding="utf-8")
    [snippet] = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "import unittest" in b]
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "nexus-fixtures").symlink_to(FIXTURES, target_is_directory=True)
    (tmp_path / "test_snippet.py").write_text(snippet)
    result = subprocess.run([sys.executable, "-m", "unittest", "-v", "test_snippet"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "Ran 1 test" in result.stderr, result.stderr
