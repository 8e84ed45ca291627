"""marshmallow schemas at the edges: vendor requests, interactions out, fixture documents, admin bodies."""
