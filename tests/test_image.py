"""The Dockerfile says what contract §8 asks of the image, and image/*.sh pick the engine and hand pip's settings
to the build stage only; `make image-test` runs the image itself (too slow for make test: about a minute)."""

import json
import os
import re
import shlex
import subprocess

import pytest

from mocknexus import environment
from mocknexus.cli import build_parser
from tests.conftest import ROOT


def stages(text: str) -> list[list[tuple[str, str]]]:
    """The Dockerfile as stages of (INSTRUCTION, arguments), continuation lines joined, comments dropped; the
    instructions before the first FROM are stage 0."""
    out, logical = [[]], ""
    for line in text.splitlines():
        if not logical and (not line.strip() or line.lstrip().startswith("#")):
            continue
        logical += line.rstrip("\\").strip() + " " if line.endswith("\\") else line.strip()
        if line.endswith("\\"):
            continue
        word, _, rest = logical.partition(" ")
        if word.upper() == "FROM":
            out.append([])
        out[-1].append((word.upper(), rest.strip()))
        logical = ""
    return out


STAGES = stages((ROOT / "Dockerfile").read_text(encoding="utf-8"))
FINAL = STAGES[-1]


def args_of(stage, instruction: str) -> list[str]:
    return [rest for word, rest in stage if word == instruction]


def env_of(stage) -> dict:
    env = {}
    for rest in args_of(stage, "ENV"):
        env.update(dict(item.split("=", 1) for item in shlex.split(rest)))
    return env


def serve_variables() -> set[str]:
    """The MOCKNEXUS_* variable of every serve flag (contract §8)."""
    return {environment.variable(action) for action in environment.flags(build_parser().commands["serve"])}


def test_the_base_is_python_3_11_slim_unless_base_says_otherwise():
    assert args_of(STAGES[0], "ARG") == ["BASE=python:3.11-slim"]
    assert [rest.split()[0] for rest in args_of(sum(STAGES, []), "FROM")] == ["${BASE}"] * (len(STAGES) - 1)


def test_the_final_stage_serves_on_every_interface_port_8080_with_the_samples_in_fixtures():
    env = env_of(FINAL)
    assert {k: env[k] for k in ("MOCKNEXUS_HOST", "MOCKNEXUS_PORT", "MOCKNEXUS_FIXTURES")} == {
        "MOCKNEXUS_HOST": "0.0.0.0", "MOCKNEXUS_PORT": "8080", "MOCKNEXUS_FIXTURES": "/fixtures"}
    assert {k for k in env if k.startswith("MOCKNEXUS_")} <= serve_variables()
    assert args_of(FINAL, "EXPOSE") == [env["MOCKNEXUS_PORT"]]
    assert "COPY fixtures/ /fixtures/" in [f"{w} {r}" for w, r in FINAL]


def test_it_runs_mocknexus_serve_as_pid_1_as_a_user_who_is_not_root():
    assert [json.loads(rest) for rest in args_of(FINAL, "ENTRYPOINT")] == [["mocknexus", "serve"]]  # exec form
    [user] = args_of(FINAL, "USER")
    assert user.split(":")[0] not in ("root", "0", "")


def test_its_healthcheck_is_mocknexus_health():
    [check] = args_of(FINAL, "HEALTHCHECK")
    assert json.loads(check.split(" CMD ", 1)[1]) == ["mocknexus", "health"]


def test_the_package_is_installed_without_test_extras_and_the_final_stage_keeps_no_pip_setting():
    [run] = [rest for rest in args_of(STAGES[1], "RUN") if "pip install" in rest]
    assert re.search(r"pip install .* /src( |$)", run) and "[" not in run.split("pip install", 1)[1]
    final = json.dumps(FINAL)
    assert "PIP_" not in final and "secret" not in final
    copied = [rest for rest in args_of(FINAL, "COPY") if "--from" in rest]
    assert copied == ["--from=build /opt/mocknexus /opt/mocknexus"]  # the venv alone


def fake_engine(tmp_path, name: str, info_ok: bool):
    """An engine on PATH that records its arguments; `info` answers as a running or absent engine would."""
    log = tmp_path / f"{name}.log"
    script = tmp_path / "bin" / name
    script.parent.mkdir(exist_ok=True)
    script.write_text(f'#!/bin/sh\n[ "$1" = info ] && exit {0 if info_ok else 1}\necho "$@" >> {log}\n')
    script.chmod(0o755)
    return log


def run_script(tmp_path, script: str, env: dict, system: bool = True) -> subprocess.CompletedProcess:
    """bash -c SCRIPT with the fake engines first on PATH (and, unless system is False, the system's tools)."""
    path = f"{tmp_path / 'bin'}:/usr/bin:/bin" if system else str(tmp_path / "bin")
    base = {"PATH": path, "HOME": str(tmp_path), "PIP_CONFIG_FILE": os.devnull}
    return subprocess.run(["/bin/bash", "-c", script], cwd=ROOT, env=base | env, capture_output=True, text=True,
                          timeout=60)


def test_a_docker_cli_without_its_engine_is_passed_over_for_podman_which_builds_in_docker_format(tmp_path):
    fake_engine(tmp_path, "docker", info_ok=False)
    fake_engine(tmp_path, "podman", info_ok=True)
    result = run_script(tmp_path, 'source image/engine.sh && echo "$ENGINE ${BUILD_FORMAT[*]}"', {})
    assert result.stdout.strip() == "podman --format docker", result.stderr
    fake_engine(tmp_path, "docker", info_ok=True)
    result = run_script(tmp_path, 'source image/engine.sh && echo "$ENGINE ${BUILD_FORMAT[*]}"', {})
    assert result.stdout.strip() == "docker", result.stderr


def test_no_engine_at_all_is_one_line_and_a_failure(tmp_path):
    (tmp_path / "bin").mkdir()
    result = run_script(tmp_path, "source image/engine.sh", {}, system=False)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "podman" in result.stderr


@pytest.mark.parametrize("index, passed", [("https://pypi.example/simple", True), ("file:///opt/pypi/simple", False)])
def test_make_image_hands_pip_the_ca_bundle_as_a_secret_and_only_web_indexes(tmp_path, index, passed):
    log = fake_engine(tmp_path, "docker", info_ok=True)
    cert = tmp_path / "ca.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    result = run_script(tmp_path, "image/build.sh", {"PIP_CERT": str(cert), "PIP_INDEX_URL": index,
                                                      "BASE": "localhost/base:1", "IMAGE": "mn:test"})
    assert result.returncode == 0, result.stderr
    argv = log.read_text().split()
    assert argv[:1] == ["build"] and argv[-1] == "."
    assert f"id=pip-cert,src={cert}" in argv and "BASE=localhost/base:1" in argv and "mn:test" in argv
    assert (f"PIP_INDEX_URL={index}" in argv) is passed
