"""Installed from a wheel into a fresh venv (README "Install"), away from the repository, mocknexus serves the
samples the wheel carries, and registers its command and pytest plugin."""

import shutil
import subprocess
import sys
import sysconfig
import zipfile

import pytest
import requests

from tests.conftest import BASE, FIXTURES, KEY, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Built from a copy of what packaging reads (as the Dockerfile does): setuptools leaves build/ in the tree it
    builds, and a module deleted since would still be in build/lib, and so in the wheel."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source)
    shutil.copytree(ROOT / "mocknexus", source / "mocknexus", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
                   check=True, capture_output=True, timeout=300)
    [built] = out.glob("mocknexus-*.whl")
    return built


def test_the_wheel_carries_the_samples_its_entry_points_and_no_tests(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        entry_points = archive.read(entry_points).decode()
    assert {n.rsplit("/", 1)[1] for n in names if n.startswith("mocknexus/samples/")} == {
        p.name for p in FIXTURES.glob("*.json")}
    assert not [n for n in names if n.startswith(("tests/", "bench/", "fixtures/"))]
    assert "mocknexus = mocknexus.cli:main" in entry_points and "mocknexus = mocknexus.pytest_plugin" in entry_points


def test_installed_into_a_fresh_venv_it_serves_the_samples_from_anywhere(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet",
                    str(wheel)], check=True, capture_output=True, timeout=300)
    # Flask, waitress and the rest from this run's environment rather than a download (seconds saved); the
    # mocknexus imported is the wheel's: a path added by a .pth file does not run that folder's own .pth files,
    # so this environment's editable install stays out.
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"])
    where = subprocess.run([str(python), "-c", "import mocknexus; print(mocknexus.__file__)"], check=True,
                           capture_output=True, text=True, cwd=tmp_path).stdout
    assert where.startswith(str(venv))

    server = subprocess.Popen([str(venv / "bin" / "mocknexus"), "serve", "--port", "0", "--sample"], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert line.startswith("mocknexus listening on http://127.0.0.1:"), server.stderr.read()
        root = line.split()[-1]
        answer = requests.get(f"{root}{BASE}/crm-tasks/interactions/ext_ticket-42", headers=KEY, timeout=10)
        assert answer.status_code == 200 and answer.json()["data"]["externalId"] == "ticket-42"
    finally:
        server.terminate()
        assert server.wait(timeout=10) == 0
