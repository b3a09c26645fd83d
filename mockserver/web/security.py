"""Optional credentials that are still checked: Connexion's security middleware, one rule stricter.

An operation that also serves callers without credentials lists ``{}`` among its security
alternatives. Connexion tries the alternatives in order and stops at the first that yields an
identity, and ``{}`` always does: a wrong token sent to such an operation is silently served as if
none had been sent. Here, unless the API documents that reading
(:attr:`~mockserver.engine.registry.ApiDefinition.invalid_credentials_as_anonymous`), ``{}`` counts only
when no alternative was even attempted: a credential that is sent and refused is refused (401, or
403 from a check that says so), as on an operation that requires one. A credential that an
alternative does not recognise as its own (``Basic …`` where a bearer token is expected) is not an
attempt, as in Connexion.

:mod:`mockserver.web.fastpath` applies the same rule (``_credentials``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from connexion.middleware.security import SecurityAPI, SecurityMiddleware
from connexion.operations import AbstractOperation
from connexion.security import NO_VALUE, SecurityHandlerFactory
from connexion.spec import Specification


class CheckedOptionalCredentials(SecurityHandlerFactory):
    """Connexion's security handlers, with ``{}`` taken only when no credential was sent."""

    @classmethod
    def verify_security(cls, auth_funcs: list[Callable[..., Any]]) -> Callable[..., Any]:
        if SecurityHandlerFactory.verify_none not in auth_funcs:
            connexions: Callable[..., Any] = super().verify_security(auth_funcs)
            return connexions
        checks = [func for func in auth_funcs if func is not SecurityHandlerFactory.verify_none]

        async def verify_fn(request: Any) -> None:
            errors: list[Exception] = []
            for func in checks:
                try:
                    token_info = func(request)
                    while asyncio.iscoroutine(token_info):
                        token_info = await token_info
                except Exception as err:  # Connexion's own catch: each check raises its problem
                    errors.append(err)
                    continue
                if token_info is not NO_VALUE:
                    request.context.update(
                        {"user": token_info.get("sub", token_info.get("uid")), "token_info": token_info}
                    )
                    return
            if errors:
                cls._raise_most_specific(errors)
            request.context.update({"user": None, "token_info": {}})

        return verify_fn


class _SecurityAPI(SecurityAPI):
    security_handler_factory: SecurityHandlerFactory

    def __init__(self, *args: Any, invalid_credentials_as_anonymous: bool = False, **kwargs: Any) -> None:
        self._factory = SecurityHandlerFactory if invalid_credentials_as_anonymous else CheckedOptionalCredentials
        super().__init__(*args, **kwargs)

    def make_operation(self, operation: AbstractOperation | Specification) -> Any:
        factory = self.security_handler_factory
        if type(factory) is not self._factory:
            self.security_handler_factory = self._factory(factory.security_handlers)
        return super().make_operation(operation)


class CheckedSecurityMiddleware(SecurityMiddleware):
    api_cls = _SecurityAPI


def checking_optional_credentials(middlewares: list[Any]) -> list[Any]:
    """Connexion's middleware stack with :class:`CheckedSecurityMiddleware` in place of its own."""
    return [CheckedSecurityMiddleware if m is SecurityMiddleware else m for m in middlewares]
