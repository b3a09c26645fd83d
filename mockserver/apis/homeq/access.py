"""Who is calling HomeQ, and what they may do: login, token checks and rights.

Landlord employees log in with a username and password (plus a TOTP code or a device token when
their account requires one) and get a signed JWT; the token's user must still exist. Rights come
from the employee's right profile; each operation's ``x-required-rights`` (and ``x-field-rights``,
``x-value-rights``, ``x-rights-exception``) in the spec say what it needs, so the rules cannot drift
from the contract. Where the docs name no right, the spec holds the mock's inference, marked
``x-inferred-rights``; it is enforced like a named one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import time
from typing import Any

from mockserver.engine.clock import Clock
from mockserver.engine.problems import Conflict, Forbidden, PreconditionFailed, Unauthorized
from mockserver.engine.store import Store
from mockserver.engine.viewcache import Reads, ViewCache

from . import tokens
from .rules import right_problem_fields, spec, subtree, value_rights

#: How long a token from the login lasts.
TOKEN_LIFETIME = dt.timedelta(hours=24)
#: The expiry of the long-lived demo tokens published for tools (1 January 2100).
LONG_LIVED_EXP = 4102444800
NOT_LANDLORD = "The token needs to be a landlord token"
NO_TOKEN = "Please provide a token"
UNKNOWN_USER = "User specified in the token was not found"
COMPANY_CHANGED = "You need to reissue the token as your company id changed."
WRONG_LOGIN = "Please provide correct username and password"
#: What a caller is made of: the employee's row, the right profiles, the offices.
CALLER_READS = Reads(row="employees", tables=("right_profiles", "offices"))


@dataclasses.dataclass(frozen=True)
class Caller:
    """An authenticated landlord employee (or API user) or consumer."""

    kind: str
    id: int
    company: int | None = None
    rights: frozenset[str] = frozenset()
    root_office: int | None = None
    selected_office: int | None = None
    #: The root office and every office below it: what the caller can see.
    offices: frozenset[int] = frozenset()

    @property
    def landlord(self) -> bool:
        return self.kind == "landlord"

    def manages(self, record: dict[str, Any] | None) -> bool:
        """Whether ``record`` (an estate, apartment or project) is the caller's company's and sits at
        or below their root office: anything else answers as if it did not exist."""
        return record is not None and record["company"] == self.company and record["office"] in self.offices


@dataclasses.dataclass(frozen=True)
class OperationRights:
    required: tuple[str, ...] = ()
    fields: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    #: body field -> its value -> the rights needed to send that value (a file reference's entity type).
    values: dict[str, dict[str, list[str]]] = dataclasses.field(default_factory=dict)
    self_exception: bool = False


@functools.cache
def operation_rights() -> dict[str, OperationRights]:
    """Every operation's rights, from the spec's ``x-required-rights`` and friends."""
    found: dict[str, OperationRights] = {}
    for item in spec()["paths"].values():
        for method, operation in item.items():
            if method == "parameters":
                continue
            found[operation["operationId"]] = OperationRights(
                tuple(operation.get("x-required-rights", ())),
                dict(operation.get("x-field-rights", {})),
                dict(operation.get("x-value-rights", {})),
                operation.get("x-rights-exception") == "self",
            )
    return found


class Access:
    def __init__(self, store: Store, clock: Clock, secret: bytes) -> None:
        self.store = store
        self.clock = clock
        self.secret = secret
        #: Callers (immutable) by employee.
        self._callers: ViewCache[Caller] = ViewCache(store, clock, CALLER_READS, size=256)

    def _now(self) -> int:
        return int(self.clock.now().timestamp())

    # -- tokens ----------------------------------------------------------------------------------
    def issue(self, kind: str, user_id: int, company: int | None, exp: int | None = None) -> str:
        now = self._now()
        payload = {
            "type": kind,
            "user_id": user_id,
            "company_id": company,
            "iat": now,
            "exp": exp if exp is not None else now + int(TOKEN_LIFETIME.total_seconds()),
        }
        return tokens.encode(payload, self.secret)

    def long_lived(self, kind: str, user_id: int, company: int | None) -> str:
        """A token for tools (contract runs, curl examples): the same for as long as the signing secret
        (the life of the state, or for good with ``JWT_SECRET``); it expires in 2100."""
        payload = {"type": kind, "user_id": user_id, "company_id": company, "iat": 1700000000, "exp": LONG_LIVED_EXP}
        return tokens.encode(payload, self.secret)

    def _payload(self, token: str) -> dict[str, Any]:
        try:
            return tokens.decode(token, self.secret, self._now())
        except tokens.TokenError as error:
            raise Unauthorized(str(error), code="Unauthorized") from None

    def caller_from_token(self, token: str) -> Caller:
        """The caller a raw token (no prefix) proves; 401 with HomeQ's reason otherwise."""
        if not token:
            raise Unauthorized(NO_TOKEN, code="Unauthorized")
        payload = self._payload(token)
        user_id = payload.get("user_id")
        # Every request asks this: the rows are read, not copied (the caller holds none of them).
        with self.store.lock:
            if payload.get("type") == "consumer":
                consumer = self.store.consumers.peek(user_id)
                if consumer is None:
                    raise Unauthorized(UNKNOWN_USER, code="Unauthorized")
                return Caller("consumer", consumer["id"])
            employee = self.store.employees.peek(user_id)
            if employee is None:
                raise Unauthorized(UNKNOWN_USER, code="Unauthorized")
            if employee["company"] != payload.get("company_id"):
                raise Unauthorized(COMPANY_CHANGED, code="Unauthorized")
            return self.landlord_caller(employee)

    def landlord_caller(self, employee: dict[str, Any]) -> Caller:
        employee_id = employee["id"]
        with self.store.lock:
            return self._callers.get(employee_id, lambda: self._landlord_caller(employee_id))

    def _landlord_caller(self, employee_id: int) -> Caller:
        with self.store.lock:
            employee = self.store.employees.peek(employee_id)
            assert employee is not None
            profile = self.store.right_profiles.peek(employee["right_profile"]) if employee["right_profile"] else None
            offices = self.store.offices.peek_find(company=employee["company"])
            return Caller(
                "landlord",
                employee["id"],
                employee["company"],
                frozenset(profile["rights"]) if profile else frozenset(),
                employee["root_office"],
                employee["selected_office"],
                frozenset(subtree(offices, employee["root_office"])),
            )

    def check_header(self, value: str) -> dict[str, Any]:
        """Connexion's API-key check: ``JWT <token>`` -> the token info handed to handlers."""
        prefix, _, token = value.strip().partition(" ")
        if prefix != "JWT" or not token.strip():
            raise Unauthorized("The Authorization header must be 'JWT <token>'.", code="Unauthorized")
        caller = self.caller_from_token(token.strip())
        return {"sub": caller.id, "caller": caller}

    # -- login -----------------------------------------------------------------------------------
    def login(self, body: dict[str, Any]) -> dict[str, Any]:
        """The employee a login body proves, after every documented check; raises the documented errors."""
        username, password = body["username"], body["password"]
        if not username.strip():
            raise PreconditionFailed("Please provide a username.", code="UsernameMissing")
        if not password:
            raise PreconditionFailed("Please provide a password.", code="PasswordMissing")
        with self.store.lock:
            employee = self.store.employees.find_one(username=username)
            if employee is None or employee["password"] != password:
                raise Forbidden(WRONG_LOGIN, code="PermissionDenied")
            if employee.get("two_factor_secret"):
                code = body.get("two_factor_token")
                if not code:
                    raise PreconditionFailed(
                        "You require a two_factor_token in order to log in.", code="MissingTotpToken"
                    )
                if not tokens.totp_matches(employee["two_factor_secret"], code, time.time()):
                    raise PreconditionFailed(
                        "The two factor token that you provided is not correct.", code="InvalidTotpToken"
                    )
            if employee.get("requires_device"):
                self._check_device(employee, body)
            if employee["right_profile"] is None:
                raise Conflict("The user has no right profile associated.", code="MissingRightProfile")
            return employee

    def _check_device(self, employee: dict[str, Any], body: dict[str, Any]) -> None:
        device = body.get("device_token")
        if not device:
            raise PreconditionFailed(
                "You need to provide a device token in order to log in.", code="MissingDeviceToken"
            )
        if device in employee["device_tokens"]:
            return
        checkin = body.get("checkin_token")
        if not checkin:
            raise PreconditionFailed(
                "To register device token you need to provide checkin token.", code="MissingCheckinToken"
            )
        if checkin_personal_number(checkin) != employee["personal_number"]:
            raise PreconditionFailed(
                "The checkin token does not contain the right personal number.", code="MissmatchPersonalNumber"
            )
        self.store.employees.change(employee["id"], {"device_tokens": [*employee["device_tokens"], device]})

    # -- rights ----------------------------------------------------------------------------------
    def authorize(
        self,
        token_info: dict[str, Any] | None,
        operation_id: str,
        body: dict[str, Any] | None = None,
        *,
        target_employee: int | None = None,
        consumers: bool = False,
    ) -> Caller:
        """The caller of a protected operation, if they hold what the operation needs (else 403)."""
        caller = optional_caller(token_info)
        if caller is None:  # pragma: no cover - Connexion's security has already answered 401
            raise Unauthorized(NO_TOKEN, code="Unauthorized")
        if not caller.landlord:
            if consumers:
                return caller
            raise Forbidden(NOT_LANDLORD, code="PermissionDenied")
        rights = operation_rights().get(operation_id, OperationRights())
        exempt = rights.self_exception and target_employee == caller.id
        sent = body or {}
        needed = [*rights.required, *value_rights(sent, rights.values)]
        missing = [r for r in needed if r not in caller.rights]
        if missing and not exempt:
            raise Forbidden(f"You do not have the right {missing[0]}.", code="PermissionDenied")
        fields = right_problem_fields(sent, rights.fields, caller.rights)
        if fields:
            raise Forbidden(f"You do not have the rights to change {', '.join(fields)}.", code="PermissionDenied")
        return caller


def optional_caller(token_info: dict[str, Any] | None) -> Caller | None:
    """The caller of an operation whose credentials are optional (``None``: anonymous)."""
    caller = (token_info or {}).get("caller")
    return caller if isinstance(caller, Caller) else None


def checkin_personal_number(checkin_token: str) -> str:
    """The personal number a checkin token carries: the mock's checkin tokens are ``checkin:<number>``."""
    prefix, _, number = checkin_token.partition(":")
    return number.strip() if prefix == "checkin" else ""
