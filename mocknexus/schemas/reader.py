"""The fixture reader: files and folders → validated documents → one FixtureSet; errors name file, path, problem."""

import json
import re
from datetime import datetime
from pathlib import Path

from marshmallow import ValidationError

from mocknexus.core.collector import paused
from mocknexus.schemas.fastload import fast_item_loader
from mocknexus.schemas.fixtures import InteractionFixture, fixture_document, problems
from mocknexus.state.fixtureset import FixtureError, FixtureSet, build_set

# A \uD800-\uDFFF escape: only through one can a decoded document hold a lone surrogate (UTF-8 text cannot).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_interaction = fast_item_loader(InteractionFixture())


def expand_paths(paths) -> list[Path]:
    """Files as given; a folder gives its *.json files in name order (none at all is a mistake, said so)."""
    out = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
            if not found:
                raise FixtureError([(str(path), "$", "a folder with no *.json files")])
            out.extend(found)
        else:
            out.append(path)
    return out


def read_document(path: Path):
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise FixtureError([(str(path), "$", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError([(str(path), "$", f"cannot read: {exc}")]) from None
    try:
        doc = json.loads(text)
        if _SURROGATE_ESCAPE.search(text):  # a lone \ud800 escape would break every answer
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
        return doc
    except UnicodeEncodeError:
        what = "a lone UTF-16 surrogate escape (\\ud800-\\udfff): not a character"
        raise FixtureError([(str(path), "$", what)]) from None
    except json.JSONDecodeError as exc:
        where = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise FixtureError([(str(path), "$", where)]) from None
    except RecursionError:
        raise FixtureError([(str(path), "$", "JSON nested too deeply")]) from None


def validate_document(raw, where: str = "") -> dict:
    """One fixture document, checked in itself (not yet against other files)."""
    if not isinstance(raw, dict):
        raise FixtureError([(where, "$", "a fixture document must be a JSON object")])
    try:
        items = raw.get("interactions")
        if type(items) is list and items:  # the big part: the fast path, item by item (fastload.py)
            loaded = [_interaction(item) for item in items]
            if None not in loaded:
                doc = fixture_document.load({k: v for k, v in raw.items() if k != "interactions"})
                doc["interactions"] = loaded
                return doc
        return fixture_document.load(raw)  # and any problem is reported from here, with its JSON path
    except ValidationError as exc:
        raise FixtureError([(where, path, what) for path, what in problems(exc)]) from None


def load_fixtures(paths, now: datetime, new_id=None) -> FixtureSet:
    """Read files and folders; every problem of every file is collected before raising. `new_id()`: the id
    of an interaction that has none (build_interactions)."""
    with paused():  # millions of new objects, none in a cycle (collector.py)
        return _load(paths, now, new_id)


def _load(paths, now: datetime, new_id) -> FixtureSet:
    errors, docs = [], []
    for given in paths:
        try:
            for path in expand_paths([given]):
                try:
                    docs.append((str(path), validate_document(read_document(path), str(path))))
                except FixtureError as exc:
                    errors.extend(exc.items)
        except FixtureError as exc:  # an empty folder
            errors.extend(exc.items)
    if errors:
        raise FixtureError(errors)
    return build_set(docs, now, new_id)
