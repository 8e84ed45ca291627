"""The fixture reader: files and folders → validated documents → one FixtureSet; errors name file, path, problem."""

import json
import mmap
import os
import re
from datetime import datetime
from pathlib import Path

from mocknexus.core.collector import paused
from mocknexus.schemas import plainload
from mocknexus.state.fixtureset import FixtureError, FixtureSet, build_set

# A \uD800-\uDFFF escape: only through one can a decoded document hold a lone surrogate (UTF-8 text cannot).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


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
        text = _text(path)
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


def _text(path: Path) -> str:
    """The file as UTF-8 text. A big one is mapped, not read: its bytes are not copied once more before they
    are decoded (45 ms of the start with 200,000 fixture interactions, a 68 MB file)."""
    with open(path, "rb") as file:
        if os.fstat(file.fileno()).st_size < _MAP_FROM:  # small, empty, or no regular file (a pipe): read
            return file.read().decode("utf-8")
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return str(data, "utf-8")


_MAP_FROM = 1 << 20  # bytes


def load_document(path: Path) -> dict:
    """One fixture file, read and checked in itself (not yet against other files)."""
    where, raw = str(path), read_document(path)
    if not isinstance(raw, dict):
        raise FixtureError([(where, "$", "a fixture document must be a JSON object")])
    interactions = plainload.interactions(raw.get("interactions", []))  # the big part, without marshmallow
    if interactions is None:
        # The schemas, which report every problem with its JSON path, read the file again: the plain path
        # loads interactions in place, and may have loaded some before it met one it left to them.
        return _schema_load(read_document(path), where)
    doc = plainload.rest(raw) or _schema_load({k: v for k, v in raw.items() if k != "interactions"}, where)
    doc["interactions"] = interactions
    return doc


def _schema_load(raw: dict, where: str) -> dict:
    # Imported here: marshmallow is a sixth of `serve`'s start-up, and plainly valid documents need none of it.
    from marshmallow import ValidationError

    from mocknexus.schemas.fixtures import fixture_document, problems

    try:
        return fixture_document.load(raw)
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
                    docs.append((str(path), load_document(path)))
                except FixtureError as exc:
                    errors.extend(exc.items)
        except FixtureError as exc:  # an empty folder
            errors.extend(exc.items)
    if errors:
        raise FixtureError(errors)
    return build_set(docs, now, new_id)
