"""The package's layers (README "For contributors"): every module's imports, read with ast (nothing is run),
point only down the list core < state < schemas < web < serving < edges, and each layer keeps off the
libraries it must not touch."""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mocknexus"
LAYERS = ("core", "state", "schemas", "web", "serving")  # then the edges: modules at the top of the package
# Third-party libraries each layer may import (the standard library is always allowed).
ALLOWED = {
    "core": set(),
    "state": {"re2"},  # patterns.py: client regexes in linear time
    "schemas": {"marshmallow"},
    "web": {"flask", "werkzeug", "marshmallow", "apispec"},
    "serving": {"flask", "werkzeug", "marshmallow", "apispec", "waitress"},
    "edges": {"flask", "werkzeug", "marshmallow", "apispec", "waitress", "requests", "pytest"},
}
ONLY_IN = {"pytest": {"mocknexus.pytest_plugin"}}  # libraries that one module alone may import


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else "edges"


def imports_of(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, at any depth (imports inside functions too)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from mocknexus.web import api` imports the module mocknexus.web.api
            names = [f"{base}.{alias.name}" for alias in node.names] if base.startswith("mocknexus") else [base]
            out.extend((node.lineno, name) for name in names)
    return out


def ours(name: str, known: dict) -> str | None:
    """The mocknexus module an import name refers to (a module, or a name inside one), else None."""
    while name.startswith("mocknexus"):
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


ORDER = (*LAYERS, "edges")
MODULES = modules()


def violations(module: str, path: Path, known: dict) -> list[str]:
    """What is wrong with one module's imports, a line each."""
    layer = layer_of(module)
    wrong = []
    for line, name in imports_of(module, path):
        target, top = ours(name, known), name.split(".")[0]
        if target == "mocknexus":  # the package itself (__version__): importing any module of ours runs it anyway
            if layer == "core":
                wrong.append(f"line {line}: core imports the package root; core imports nothing of ours outside core")
        elif target is not None:
            if ORDER.index(layer_of(target)) > ORDER.index(layer):
                wrong.append(f"line {line}: {layer} imports {target}, of the layer {layer_of(target)} above it")
        elif top != "mocknexus" and top not in sys.stdlib_module_names:
            if top not in ALLOWED[layer] or module not in ONLY_IN.get(top, {module}):
                wrong.append(f"line {line}: {layer} imports {top}, which {module} must not")
    return wrong


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_the_layers(module):
    wrong = violations(module, MODULES[module], MODULES)
    assert not wrong, f"{module}:\n" + "\n".join(wrong)


def test_the_vendor_and_admin_blueprints_never_import_each_other():
    for module in MODULES:
        names = {ours(n, MODULES) for _, n in imports_of(module, MODULES[module])}
        if module == "mocknexus.web.api":
            assert not {n for n in names if n and n.startswith("mocknexus.web.admin")}
        if module.startswith("mocknexus.web.admin"):
            assert "mocknexus.web.api" not in names, module


def test_every_module_says_what_it_is():
    """A one-line module docstring (a sub-package's says what the layer holds and may import)."""
    for module, path in MODULES.items():
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc, f"{module} has no docstring"


def test_the_checker_sees_each_kind_of_wrong_import(tmp_path):
    """The rule fails when broken: state importing Flask and serving, core importing state, web importing pytest."""
    known = {**MODULES}
    cases = {
        "mocknexus.state.bad": ("import flask\nfrom mocknexus.serving import server\n", 2),
        "mocknexus.core.bad": ("from mocknexus.state.store import InteractionStore\nfrom mocknexus import x\n", 2),
        "mocknexus.web.bad": ("import pytest\nfrom mocknexus.state import world\nimport json\n", 1),
        "mocknexus.bad": ("import pytest\n", 1),  # an edge, but only the plugin imports pytest
    }
    for module, (source, expected) in cases.items():
        path = tmp_path / (module.replace(".", "_") + ".py")
        path.write_text(f'"""x"""\n{source}')
        known[module] = path
        assert len(violations(module, path, known)) == expected, (module, violations(module, path, known))
