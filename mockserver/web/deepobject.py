"""A ``deepObject`` query parameter nested deeper than its schema: a 400, not Connexion's 500.

Connexion 3.3 casts a ``deepObject`` parameter's leaves along its schema's ``properties`` and
``type`` and fails with a ``KeyError`` (a 500) where a client nests deeper than the schema goes
(``filter[amount][x]=1`` for ``amount: {type: number}``) or a property schema names no type.
Here a value it cannot cast stays as sent, and request validation then refuses it (400) or takes
it, as for any other parameter. Found by Schemathesis on Apideck's CRM (``tests/generic``).
"""

from __future__ import annotations

from typing import Any

from connexion import uri_parsing, utils

_coerce = utils.coerce_type


def coerce_type(param: Any, value: Any, parameter_type: str, parameter_name: Any = None) -> Any:
    try:
        return _coerce(param, value, parameter_type, parameter_name)
    except KeyError:
        return value


uri_parsing.coerce_type = coerce_type
