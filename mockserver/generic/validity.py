"""Whether a value fits a schema of a served-from-spec document, as a client reading the answer
would judge it (OpenAPI 3.0 semantics: ``nullable``, ``writeOnly`` properties absent, formats).

The generic engine asks before it answers with something it did not make itself: a spec's own
example (public specs' examples often break their schemas) and a field a client wrote, which the
record schema may type otherwise than the request body's schema did.
"""

from __future__ import annotations

from typing import Any

from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker


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
            found = self._validators[id(schema)] = (
                schema,
                OAS30ReadValidator(root, format_checker=oas30_format_checker),
            )
        try:
            return bool(found[1].is_valid(value))
        except Exception:  # a schema the validator cannot read (a dangling $ref): nothing to hold the value to
            return True
