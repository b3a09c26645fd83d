"""Connexion's parsing of path and query parameters, made total: what it cannot cast is a 400 from
request validation, never a 500.

- A ``deepObject`` parameter nested deeper than its schema: Connexion 3.3 casts its leaves along
  the schema's ``properties`` and ``type`` and fails with a ``KeyError`` where a client nests
  deeper (``filter[amount][x]=1`` for ``amount: {type: number}``) or a property names no type.
  Here a value it cannot cast stays as sent, for validation to judge (found by Schemathesis on
  Apideck's CRM, ``tests/generic``).
- A parameter whose schema has no ``type`` (``anyOf: [integer, string]``, DigitalOcean's SSH key
  ids): Connexion reads ``schema["type"]`` to tell arrays apart, and again to cast the handler's
  argument, and fails with a ``KeyError``. Here such a schema is no array, and its value stays as
  sent (validation has judged it by then).
"""

from __future__ import annotations

import functools
from typing import Any

from connexion import uri_parsing, utils
from connexion.decorators import parameter

_coerce = utils.coerce_type
_cast_argument = parameter._get_val_from_param


def coerce_type(param: Any, value: Any, parameter_type: str, parameter_name: Any = None) -> Any:
    try:
        return _coerce(param, value, parameter_type, parameter_name)
    except KeyError:
        return value


def _param_schemas(self: Any) -> dict[str, Any]:
    """Connexion's, with a schema of no type said to have none (``"type": None``), as it reads it."""
    schemas = {name: defn.get("schema", {}) for name, defn in self.param_defns.items()}
    return {name: {**s, "type": None} if s and "type" not in s else s for name, s in schemas.items()}


def _get_val_from_param(value: Any, definition: dict[str, Any]) -> Any:
    schema = definition.get("schema", definition)
    if isinstance(schema, dict) and "type" not in schema:
        return value
    return _cast_argument(value, definition)


uri_parsing.coerce_type = coerce_type
parameter._get_val_from_param = _get_val_from_param
# Worked out once per parser (its definitions never change), where Connexion's property builds the
# mapping again on each of its reads: a few per parameter of every request.
_schemas = functools.cached_property(_param_schemas)
_schemas.__set_name__(uri_parsing.OpenAPIURIParser, "param_schemas")
uri_parsing.OpenAPIURIParser.param_schemas = _schemas
