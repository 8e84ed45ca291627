"""The document's components: what apispec makes of the schemas, made to say every rule the server enforces."""

from mocknexus.core.models import RESERVED_KEYS
from mocknexus.schemas.fields import INT_MAX, INT_MIN, MAX_DEPTH, IsoDateTime, UserData

REF = "#/components/schemas/"
_USER_DATA = "x-mocknexus-user-data"  # marks a userData field until finish() swaps it for the $ref
_RESERVED = sorted(RESERVED_KEYS)


def _has(key: str) -> dict:
    """`key` is present (for a `not`); the empty property keeps linters from reading `required` as a typo."""
    return {"required": [key], "properties": {key: {}}}


# A userData object (§1.4, §1.7): recursive, so that a nested float, boolean, null or array is invalid by the
# document as it is a 400 by the server. JSON Schema cannot count the recursion: the depth limit is in words.
USER_DATA = {
    "UserData": {
        "type": "object", "additionalProperties": {"$ref": REF + "UserDataValue"},
        "not": {"anyOf": [_has(key) for key in _RESERVED]},
        "description": f"Values are strings, 64-bit integers or objects, nested at most {MAX_DEPTH} objects deep "
                       f"(deeper is a 400). The top level takes none of the reserved Genesys keys (§1.7): "
                       f"{', '.join(_RESERVED)}.",
    },
    "UserDataObject": {"type": "object", "additionalProperties": {"$ref": REF + "UserDataValue"},
                       "description": "A nested userData object; reserved keys are allowed below the top level."},
    "UserDataValue": {"oneOf": [
        {"type": "string"},
        {"type": "integer", "format": "int64", "minimum": INT_MIN, "maximum": INT_MAX},
        {"$ref": REF + "UserDataObject"},
    ]},
}
_NULL_OBJECT = {"type": "object", "nullable": True}
_UPDATE_PARTS = ("changedProperties", "addedProperties", "deletedProperties")
# Rules of a whole body that apispec cannot see (they live in validates_schema), where JSON Schema can say them.
_EXTRA = {"ClockPut": {"minProperties": 1}}


def our_fields(self, field, **kwargs) -> dict:
    """apispec attribute function: RFC 3339 times (what IsoDateTime takes), and userData fields (marked)."""
    if isinstance(field, IsoDateTime):
        return {"type": "string", "format": "date-time", "example": "2026-05-01T10:00:00.000Z"}
    if isinstance(field, UserData):
        return {_USER_DATA: True}
    return {}


def finish(schemas: dict) -> None:
    """Every component, in place: userData refs, nullable shapes the tools read alike, the update body's
    rule, extras, and the fixture shorthands."""
    schemas.update(USER_DATA)
    for name in ("CreateInteractionRequest", "StopInteractionRequest", "UpdateInteractionRequest"):
        schemas[name].pop("additionalProperties", None)  # unknown fields are ignored, with a warning (§1.6)
    for name, schema in schemas.items():
        schema.update(_EXTRA.get(name, {}))
        for prop in schema.get("properties", {}).values():
            _fix_property(prop)
    deleted = schemas["UpdateInteractionRequest"]["properties"]["deletedProperties"]
    deleted["items"]["not"] = {"enum": _RESERVED}
    _update_needs_a_part(schemas["UpdateInteractionRequest"])
    _shorthands(schemas)


def _fix_property(prop: dict) -> None:
    if prop.pop(_USER_DATA, False):
        description = prop.get("description")
        prop.clear()
        prop["$ref"] = REF + "UserData"
        if description:  # a sibling of $ref is ignored by tools: keep it only where a field says more
            prop["description"] = description
        return
    if _NULL_OBJECT in prop.get("anyOf", ()):
        _nullable_ref(prop)
    elif prop.get("nullable") and "type" not in prop:
        _type_the_nullable(prop)
    if prop.get("nullable") and None in prop.get("enum", ()):
        # The values say it all, null included: with `type` and `nullable` beside them, validators want the
        # null twice and generators build the enum three times.
        del prop["type"], prop["nullable"]


def _nullable_ref(prop: dict) -> None:
    """apispec's Nested(allow_none) is `anyOf [any object or null, $ref]`, which checks nothing and which
    generators cannot build the model from: `nullable` + `allOf [$ref]` says the same and checks it."""
    (ref,) = [branch["$ref"] for branch in prop.pop("anyOf") if "$ref" in branch]
    prop.update({"type": "object", "nullable": True, "allOf": [{"$ref": ref}]})


def _type_the_nullable(prop: dict) -> None:
    """`nullable` needs a `type` beside it (OpenAPI 3.0.3): in a oneOf, the first typed branch takes null (one
    only, or null would match twice), and an any-value field drops it (a schema with no type takes null)."""
    del prop["nullable"]
    typed = [branch for branch in prop.get("oneOf", ()) if "type" in branch]
    if typed:
        typed[0]["nullable"] = True


def _update_needs_a_part(update: dict) -> None:
    """At least one of the three parts: said as not(none of them), which generated clients still type as a
    model (an `anyOf` at the top makes them `Any`). A key in two parts is a 400 too: in the description."""
    update["not"] = {"not": {"anyOf": [_has(part) for part in _UPDATE_PARTS]}}
    update["description"] = (
        "At least one of changedProperties, addedProperties, deletedProperties (data alone is a 400); a key may "
        "appear in only one of them. Applied in that order: changed (set), added (set), deleted (removed).")


def _shorthands(schemas: dict) -> None:
    """Fixture services and API keys may be a bare string standing for {"name": ...} / {"key": ...} (§3)."""
    for name, key in (("ServiceFixture", "name"), ("ApiKeyFixture", "key")):
        if name in schemas:
            full = dict(schemas[name])
            schemas[name].clear()
            schemas[name]["oneOf"] = [full["properties"][key], full]
