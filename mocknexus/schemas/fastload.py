"""A fast path for Schema.load on valid request bodies: the schema's own fields, without the schema machinery.

marshmallow's Schema.load spends most of its time around the fields (error store, hook dispatch, unknown
handling), not in them: ~4x the cost of the field calls alone on our bodies. For a schema with no pre/post
load hooks, no field validators, no nested, required, defaulted or renamed fields and no `partial`,
load(body) is: each present field's `deserialize` (in field order), then the schema validators.
`fast_loader` does just that; on any ValidationError it returns None and the caller runs schema.load,
which then builds the error exactly as before. The fields (types, validators, messages) stay the single source of truth.
"""

import functools

from marshmallow import RAISE, ValidationError, fields, validate
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.utils import missing

from mocknexus.schemas.fields import IsoDateTime, UserData, user_data_ok


def _covered(schema) -> bool:
    """True when load() is exactly: deserialize each present field, then run the schema validators."""
    hooks = schema._hooks
    if schema.many or hooks[PRE_LOAD] or hooks[POST_LOAD] or hooks[VALIDATES]:
        return False
    if any(many or kwargs.get("pass_original") for _, many, kwargs in hooks[VALIDATES_SCHEMA]):
        return False
    return schema.partial is None and not any(
        field.required or field.load_default is not missing or isinstance(field, fields.Nested | fields.Pluck)
        or field.attribute is not None or "." in name
        for name, field in schema.load_fields.items()
    )


def fast_loader(schema):
    """body -> schema.load(body, unknown=RAISE), or None: then call schema.load (an error, or not covered)."""
    if not _covered(schema):
        return lambda body: None
    by_key = {field.data_key or name: (name, field) for name, field in schema.load_fields.items()}
    order = list(by_key)  # marshmallow fills the result in field order
    validators = [getattr(schema, name) for name, _, _ in schema._hooks[VALIDATES_SCHEMA]]

    def load(body: dict):
        if any(key not in by_key for key in body):
            return None  # unknown fields: marshmallow's RAISE reports them
        out = {}
        try:
            for key in order:
                if key in body:
                    name, field = by_key[key]
                    out[name] = field.deserialize(body[key], key, body)
            for validator in validators:
                validator(out, partial=None, many=False, unknown=RAISE)
        except ValidationError:
            return None
        return out

    return load


def fast_item_loader(schema):
    """item -> schema.load(item, unknown=RAISE) (equal, keys perhaps in another order), or None: then call
    schema.load. For the many small objects of one big document (200,000 fixture interactions), where
    schema.load was most of the start-up.

    Covers a schema with no hooks and no schema validators (else it always steps aside), by what
    Schema.load does per field: a missing one gives its load_default (a required one: step aside), None
    gives None where the field allows it, and a present value what its `deserialize` gives (`_converter`)."""
    hooks = schema._hooks
    if schema.many or schema.partial is not None or any(hooks[h] for h in (PRE_LOAD, POST_LOAD, VALIDATES,
                                                                           VALIDATES_SCHEMA)):
        return lambda item: None
    if any(field.attribute is not None or "." in name for name, field in schema.load_fields.items()):
        return lambda item: None
    by_key = {field.data_key or name: (name, _converter(field)) for name, field in schema.load_fields.items()}
    required = frozenset(name for name, field in schema.load_fields.items() if field.required)
    defaults = [(name, field.load_default) for name, field in schema.load_fields.items()
                if not field.required and field.load_default is not missing]

    def load(item: dict):
        if type(item) is not dict:
            return None
        out = {}
        for key, value in item.items():
            known = by_key.get(key)
            if known is None:
                return None  # an unknown field: marshmallow's RAISE reports it
            value = known[1](value)
            if value is _DOUBT:
                return None
            out[known[0]] = value
        if not required.issubset(out):
            return None
        for name, default in defaults:
            if name not in out:
                out[name] = default() if callable(default) else default
        return out

    return load


_DOUBT = object()  # a converter's answer when the value may be invalid: schema.load then decides and reports


def _converter(field):
    """value -> what field.deserialize(value) gives, or _DOUBT where it would raise (or might)."""
    allow_none = field.allow_none
    checks = [_check(v) for v in field.validators]
    if type(field) is fields.String and None not in checks:
        valid = checks[0] if len(checks) == 1 else lambda value: all(check(value) for check in checks)

        def string(value):  # String._deserialize gives a str back as it is; then the validators
            if type(value) is str and (not checks or valid(value)):
                return value
            return None if value is None and allow_none else _DOUBT

        return string
    if type(field) is UserData and not checks:

        def user_data(value):  # fields.Dict without key or value fields: a shallow copy
            if type(value) is dict and user_data_ok(value):
                return dict(value)
            return None if value is None and allow_none else _DOUBT

        return user_data
    deserialize = field.deserialize
    # Datetimes are immutable: the same string, the same one (a cache for strings only: they hash).
    cached = functools.lru_cache(maxsize=4096)(deserialize) if type(field) is IsoDateTime and not checks else None

    def general(value):
        try:
            return cached(value) if cached and type(value) is str else deserialize(value)
        except ValidationError:
            return _DOUBT

    return general


def _check(validator):
    """A validator as a predicate, for the validators of fixture interactions; None for any other."""
    if type(validator) is validate.Length and validator.equal is None:
        low, high = validator.min, validator.max
        return lambda value: (low is None or len(value) >= low) and (high is None or len(value) <= high)
    if type(validator) is validate.Regexp:
        return lambda value, match=validator.regex.match: match(value) is not None
    if type(validator) is validate.OneOf:
        return lambda value, choices=validator.choices: value in choices
    return None
