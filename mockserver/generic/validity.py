"""Whether a value fits a schema of a served-from-spec document, as a client reading the answer
would judge it (OpenAPI 3.0 semantics: ``nullable``, ``writeOnly`` properties absent, formats).

The generic engine asks before it answers with something it did not make itself: a spec's own
example (public specs' examples often break their schemas) and a field a client wrote, which the
record schema may type otherwise than the request body's schema did.
"""

from __future__ import annotations

import functools
from typing import Any


class Validity:
    """Validators for the schemas of one document, made on first use and kept."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.components = document.get("components") or {}
        self._validators: dict[int, tuple[Any, Any]] = {}

    def fits(self, schema: Any, value: Any) -> bool:
        if not isinstance(schema, dict):
            return True
        found = self._validators.get(id(schema))
        if found is None or found[0] is not schema:
            root = {"allOf": [schema], "components": self.components}
            validator, format_checker = _validator()
            found = self._validators[id(schema)] = (schema, validator(root, format_checker=format_checker))
        try:
            return bool(found[1].is_valid(value))
        except Exception:  # a schema the validator cannot read (a dangling $ref): nothing to hold the value to
            return True


@functools.cache
def _validator() -> tuple[Any, Any]:
    """openapi-schema-validator's OpenAPI 3.0 read validator and format checker, imported on first
    use: a hand-built API on the engine (``generic.packaged``) may never need them, and their
    import is a fifth of a cold start."""
    from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

    return OAS30ReadValidator, oas30_format_checker
