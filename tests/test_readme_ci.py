"""README's "In CI" recipes hold: the YAML parses and names the image's real port, variables and health command;
their shell steps and the process recipe run against a real server; the Testcontainers snippets say the same."""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from mocknexus.serving.server import MockNexus
from tests.conftest import FIXTURES, ROOT
from tests.test_image import FINAL, args_of, env_of, serve_variables

SECTION = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## In CI\n", 1)[1].split("\n## ", 1)[0]
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```$", SECTION, re.MULTILINE | re.DOTALL)
RECIPES = {text.splitlines()[0].lstrip("# "): yaml.safe_load(text) for lang, text in BLOCKS if lang == "yaml"}
IMAGE_PORT = int(args_of(FINAL, "EXPOSE")[0])
IMAGE_FIXTURES = env_of(FINAL)["MOCKNEXUS_FIXTURES"]
[HEALTHCHECK] = args_of(FINAL, "HEALTHCHECK")
HEALTH_COMMAND = " ".join(json.loads(HEALTHCHECK.split(" CMD ", 1)[1]))


def block(lang: str, containing: str) -> str:
    [text] = [text for lang_, text in BLOCKS if lang_ == lang and containing in text]
    return text


def run(script: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """bash -e, with this interpreter's scripts (mocknexus) first on PATH, as an installed package puts them; in a
    session of its own, ended after, so a recipe that fails before its `kill` leaves no server behind."""
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    shell = subprocess.Popen(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = shell.communicate(timeout=timeout)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(shell.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(shell.args, shell.returncode, out, err)


@pytest.fixture
def server():
    with MockNexus(fixtures=[str(FIXTURES)], port=0) as nexus:
        yield nexus


def test_every_variable_the_section_names_is_a_serve_flags_variable():
    named = set(re.findall(r"\bMOCKNEXUS_[A-Z_]+\b", SECTION))
    assert named and named <= serve_variables()


def test_github_actions_runs_the_image_on_its_port_with_the_health_command_as_its_health_check():
    service = RECIPES[".github/workflows/integration.yml"]["jobs"]["integration"]["services"]["mocknexus"]
    assert [int(p.split(":")[-1]) for p in service["ports"]] == [IMAGE_PORT]
    assert f'--health-cmd "{HEALTH_COMMAND}"' in service["options"]
    assert set(service["env"]) <= serve_variables()


def test_github_actions_seeds_the_state_from_the_checkout(server, tmp_path):
    job = RECIPES[".github/workflows/integration.yml"]["jobs"]["integration"]
    [seed] = [step["run"] for step in job["steps"] if "/__admin/state" in step.get("run", "")]
    state = requests.get(f"{server.root}/__admin/state", timeout=10).json()
    state["services"].append({"name": "seeded-from-the-checkout"})
    [path] = re.findall(r"--data @(\S+)", seed)
    (tmp_path / path).parent.mkdir(parents=True)
    (tmp_path / path).write_text(json.dumps(state))
    result = run(seed.replace(f"http://localhost:{IMAGE_PORT}", server.root), tmp_path)
    assert result.returncode == 0, result.stderr
    names = [s["name"] for s in requests.get(f"{server.root}/__admin/state", timeout=10).json()["services"]]
    assert "seeded-from-the-checkout" in names


def test_docker_compose_starts_the_tests_once_mocknexus_is_healthy_with_fixtures_mounted_on_the_images_folder():
    services = RECIPES["docker-compose.yml"]["services"]
    assert services["tests"]["depends_on"]["mocknexus"] == {"condition": "service_healthy"}
    assert HEALTH_COMMAND == "mocknexus health"  # the image's HEALTHCHECK, which service_healthy waits for
    assert [v.split(":")[1] for v in services["mocknexus"]["volumes"]] == [IMAGE_FIXTURES]
    assert set(services["mocknexus"]["environment"]) <= serve_variables()
    assert f"mocknexus:{IMAGE_PORT}" in services["tests"]["environment"]["NEXUS_URL"]


def test_gitlab_waits_for_health_itself_before_the_tests(server, tmp_path):
    job = RECIPES[".gitlab-ci.yml"]["integration"]
    [service] = job["services"]
    assert set(service["variables"]) <= serve_variables() and service["alias"] == "mocknexus"
    wait = job["script"][0]
    assert "/__admin/health" in wait
    result = run(wait.replace(f"http://mocknexus:{IMAGE_PORT}", server.root), tmp_path)
    assert result.returncode == 0 and '"status": "ok"' in result.stdout, result.stderr


def test_the_process_recipe_starts_on_a_free_port_reads_the_url_and_stops_with_exit_status_0(tmp_path):
    recipe = block("sh", "mocknexus serve --port 0")
    result = run(recipe, tmp_path)
    assert result.returncode == 0, result.stderr + (tmp_path / "mocknexus.log").read_text()
    assert json.loads(result.stdout)["status"] == "ok"
    assert re.match(r"mocknexus listening on http://127\.0\.0\.1:\d+\n", (tmp_path / "mocknexus.log").read_text())


@pytest.mark.parametrize("lang", ["python", "java", "js"])
def test_each_testcontainers_snippet_exposes_the_port_waits_on_health_and_copies_fixtures_in(lang):
    snippet = block(lang, "/__admin/health")
    assert str(IMAGE_PORT) in snippet and '"/__admin/health"' in snippet
    # Every other path in the container is the one file: copied there, and named by MOCKNEXUS_FIXTURES (so the
    # samples stay out).
    paths = set(re.findall(r'"(/[^"]+)"', snippet)) - {"/__admin/health"}
    assert len(paths) == 1 and paths.pop().startswith(IMAGE_FIXTURES + "/") and "MOCKNEXUS_FIXTURES" in snippet
    if lang == "python":
        compile(snippet, "README.md", "exec")
