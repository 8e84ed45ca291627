"""A fast path for Schema.load on valid request bodies: the schema's own fields, without the schema machinery.

marshmallow's Schema.load spends most of its time around the fields (error store, hook dispatch, unknown
handling), not in them: ~4x the cost of the field calls alone on our bodies. For a schema with no pre/post
load hooks, no field validators, no nested, required, defaulted or renamed fields and no `partial`,
load(body) is: each present field's `deserialize` (in field order), then the schema validators.
`fast_loader` does just that; on any ValidationError it returns None and the caller runs schema.load,
which then builds the error exactly as before. The fields (types, validators, messages) stay the single source of truth.
"""

from marshmallow import RAISE, ValidationError, fields
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.utils import missing


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
