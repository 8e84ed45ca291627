"""Runs README's Testcontainers snippets (Python, and Node where node is here) against IMAGE: each must start
it, wait on health and load the fixture file it copies in. `make image-test` runs it last; `python3
image/testcontainers.py IMAGE`. Java's is not run: its library comes from Maven Central, which may be out of reach."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mocknexus" / "image-test"
# A check appended to each snippet, where `root` is the server's root: health, and a create on the copied service.
CHECKS = {
    "python": """
    import urllib.request
    print(urllib.request.urlopen(root + "/__admin/health").read().decode())
    created = urllib.request.Request(root + "/nexus/v3/openmedia/copied-in/interactions", data=b"{}",
                                     headers={"x-api-key": "any", "Content-Type": "application/json"})
    print(urllib.request.urlopen(created).status)
""",
    "js": """
  console.log(await (await fetch(root + "/__admin/health")).text());
  const created = await fetch(root + "/nexus/v3/openmedia/copied-in/interactions",
                              {method: "POST", headers: {"x-api-key": "any"}, body: "{}"});
  console.log(created.status);
  await nexus.stop();
""",
}


def snippet(lang: str) -> str:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## In CI\n", 1)[1].split("\n## ", 1)[0]
    [text] = [t for lg, t in re.findall(r"^```(\w+)\n(.*?)^```$", section, re.M | re.S) if lg == lang]
    return text


def program(lang: str, image: str) -> tuple[str, str]:
    """(file name, source): the snippet on IMAGE with the checks; Node's top-level await wrapped in a function."""
    text = snippet(lang).replace('"mocknexus:latest"', json.dumps(image)) + CHECKS[lang]
    if lang == "python":
        return "snippet.py", text
    first, rest = text.split("\n", 1)
    wrapped = f"{first}\n(async () => {{\n{rest}}})()"
    return "snippet.js", wrapped + ".catch((e) => { console.error(e); process.exit(1); });\n"


def installed(lang: str) -> tuple[list[str], dict]:
    """The command that runs a snippet and its environment, with testcontainers installed once into the cache."""
    if lang == "python":
        venv = CACHE / "venv"
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "testcontainers>=4.12"], check=True)
        return [str(venv / "bin" / "python")], {}
    node = CACHE / "node"
    if not (node / "node_modules" / "testcontainers").exists():
        node.mkdir(parents=True, exist_ok=True)  # testcontainers 12 needs node 22: 11 runs on both
        subprocess.run(["npm", "install", "--silent", "--prefix", str(node), "testcontainers@11"], check=True)
    return ["node"], {"NODE_PATH": str(node / "node_modules")}


def api_socket(engine: str, work: Path) -> tuple[dict, subprocess.Popen | None]:
    """DOCKER_HOST for the libraries: docker's own, or podman's Docker-compatible API served for this run."""
    if engine != "podman":
        return {}, None
    sock = work / "podman.sock"
    service = subprocess.Popen(["podman", "system", "service", "--time=0", f"unix://{sock}"],
                               stderr=subprocess.DEVNULL)
    for _ in range(100):
        if sock.exists():
            break
        time.sleep(0.1)
    return {"DOCKER_HOST": f"unix://{sock}"}, service


def run(lang: str, image: str, env: dict, work: Path) -> None:
    command, extra = installed(lang)
    folder = work / lang
    copied = folder / ("tests/nexus.json" if lang == "python" else "test/nexus.json")
    copied.parent.mkdir(parents=True)
    copied.write_text('{"services": ["copied-in"]}')
    name, source = program(lang, image)
    (folder / name).write_text(source)
    started = time.monotonic()
    result = subprocess.run([*command, name], cwd=folder, env=os.environ | env | extra, capture_output=True,
                            text=True, timeout=180)
    lines = result.stdout.split()
    if result.returncode != 0 or '"interactions":' not in result.stdout or lines[-1] != "200":
        sys.exit(f"image-test: FAIL: the {lang} Testcontainers snippet: {result.stdout}{result.stderr[-2000:]}")
    health = json.loads(result.stdout.splitlines()[0])
    assert health["interactions"] == 0, "the samples were loaded too"  # only the copied file's service
    print(f"image-test: ok: the {lang} Testcontainers snippet: healthy, its fixture loaded "
          f"({time.monotonic() - started:.1f} s)")


def main(image: str, engine: str) -> None:
    work = Path(tempfile.mkdtemp())
    # No Ryuk (its image comes from a registry); the host is this machine, whatever the library guesses.
    env = {"TESTCONTAINERS_RYUK_DISABLED": "true", "TESTCONTAINERS_HOST_OVERRIDE": "127.0.0.1",
           "TESTCONTAINERS_CONNECTION_MODE": "docker_host"}
    socket_env, service = api_socket(engine, work)
    try:
        for lang in ["python", "js"] if shutil.which("npm") else ["python"]:
            run(lang, image, env | socket_env, work)
    finally:
        if service is not None:
            service.terminate()
            service.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], os.environ.get("ENGINE", "docker"))
