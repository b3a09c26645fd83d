"""The catalogue: every kind of change ``mockserver diff`` reports, with an id, what it does to an
existing client and to an existing server implementation, and why in one line.

Schemas flow one way: a request body, parameter or header is written by the client and read by the
server, a response the reverse. A constraint that *narrows* what is valid (a removed enum value, a
lower maximum, a new pattern) breaks the writer, whose old values may now be invalid; one that
*widens* it breaks the reader, who may now get values it never handled. So each schema rule comes
twice, ``request-…`` and ``response-…``, classed by that principle. The same holds for an
implementation: whatever a new spec asks a server to accept or do (an operation, a parameter, a
request property) an existing server does not do yet, so it no longer conforms."""

from __future__ import annotations

from mockserver.diff.model import Level, Rule

B: Level = "breaking"
N: Level = "non-breaking"
I: Level = "info"  # noqa: E741

_CATALOGUE: list[Rule] = [
    # The document and its operations.
    Rule("server-url-removed", B, B, "a server URL (host or base path) is gone: clients calling it miss, servers move"),
    Rule("server-url-added", N, N, "another server URL is listed: nobody has to use it"),
    Rule("operation-removed", B, N, "an operation (or its whole path) is gone: clients calling it get 404/405"),
    Rule("operation-added", N, B, "a new operation: clients need not call it, a server must implement it"),
    Rule("operation-deprecated", I, I, "an operation is now deprecated: clients should plan to move off it"),
    Rule(
        "operation-id-changed", I, I, "the operationId changed: generated clients and routers rename, the wire does not"
    ),
    # Security.
    Rule("security-added", B, B, "an operation open to anyone now needs credentials: clients sending none fail"),
    Rule("security-removed", N, B, "an operation needs no credentials now: a server still demanding them rejects"),
    Rule("security-alternative-removed", B, N, "one way to authenticate is gone: clients using it fail"),
    Rule("security-alternative-added", N, B, "a new way to authenticate: a server must accept it"),
    Rule(
        "security-scopes-added", B, B, "a requirement needs more scopes: clients' tokens may lack them, servers check"
    ),
    Rule("security-scopes-removed", N, B, "a requirement needs fewer scopes: a server still checking them rejects"),
    Rule(
        "security-scheme-changed", B, B, "a security scheme's type, location, name or flows changed: credentials move"
    ),
    # Parameters (path, query, header, cookie); path parameters are matched by position.
    Rule("request-parameter-removed", B, N, "an optional parameter is gone: what clients send with it is ignored"),
    Rule(
        "request-required-parameter-removed",
        B,
        B,
        "a required parameter is gone: clients' value is ignored, a server still requiring it rejects new clients",
    ),
    Rule("request-parameter-added-required", B, B, "a new required parameter: existing clients do not send it"),
    Rule("request-parameter-added-optional", N, B, "a new optional parameter: a server must honour it"),
    Rule("request-parameter-became-required", B, N, "a parameter is now required: clients omitting it are rejected"),
    Rule("request-parameter-became-optional", N, B, "a parameter is now optional: a server must cope without it"),
    Rule("request-parameter-location-changed", B, B, "a parameter moved (e.g. query to header): neither side finds it"),
    Rule(
        "request-parameter-serialization-changed", B, B, "a parameter's style or explode changed: its encoding differs"
    ),
    # Request bodies.
    Rule("request-body-added-required", B, B, "an operation now requires a body: existing clients send none"),
    Rule("request-body-added-optional", N, B, "an operation now takes an optional body: a server must read it"),
    Rule("request-body-removed", B, N, "an operation takes no body now: what clients send is ignored or rejected"),
    Rule("request-body-became-required", B, N, "the request body is now required: clients omitting it are rejected"),
    Rule("request-body-became-optional", N, B, "the request body is now optional: a server must cope without it"),
    Rule("request-media-type-removed", B, N, "a request media type is gone: clients sending it get 415"),
    Rule("request-media-type-added", N, B, "a new request media type: a server must parse it"),
    # Request properties (read-only properties are not part of a request).
    Rule(
        "request-property-removed", B, N, "an optional request property is gone: clients' value is ignored or rejected"
    ),
    Rule(
        "request-required-property-removed",
        B,
        B,
        "a required request property is gone: clients' value is ignored, "
        "a server still requiring it rejects new clients",
    ),
    Rule("request-property-added-required", B, B, "a new required request property: existing clients do not send it"),
    Rule("request-property-added-optional", N, B, "a new optional request property: a server must honour it"),
    Rule(
        "request-property-became-required", B, N, "a request property is now required: clients omitting it are rejected"
    ),
    Rule("request-property-became-optional", N, B, "a request property is now optional: a server must cope without it"),
    Rule("request-default-changed", B, B, "a request value's default changed: clients omitting it get other behaviour"),
    # Responses.
    Rule(
        "response-success-status-removed",
        B,
        B,
        "a documented success status is gone: clients expecting it and servers still sending it break",
    ),
    Rule(
        "response-error-status-removed", N, B, "a documented error status is gone: a server still sending it deviates"
    ),
    Rule("response-success-status-added", B, N, "a new success status: clients may get a status they do not handle"),
    Rule("response-error-status-added", N, N, "a new error status: clients handle unknown errors by their class"),
    Rule(
        "response-media-type-removed",
        B,
        B,
        "a response media type is gone: clients asking for it and servers still sending it break",
    ),
    Rule("response-media-type-added", N, B, "a new response media type: clients keep theirs, a server must produce it"),
    Rule("response-header-removed", B, N, "a response header is gone: clients reading it miss it"),
    Rule("response-header-added-required", N, B, "a new required response header: a server must send it"),
    Rule("response-header-added-optional", N, N, "a new optional response header: nobody has to use it"),
    Rule("response-header-became-optional", B, N, "a response header may be absent now: clients relying on it miss it"),
    Rule("response-header-became-required", N, B, "a response header is now required: a server must always send it"),
    # Response properties (write-only properties are not part of a response).
    Rule("response-property-removed", B, N, "a response property is gone: clients reading it miss it"),
    Rule("response-property-added-required", N, B, "a new required response property: a server must send it"),
    Rule("response-property-added-optional", N, N, "a new optional response property: clients ignore unknown ones"),
    Rule(
        "response-property-became-optional",
        B,
        N,
        "a response property may be absent now: clients relying on it miss it",
    ),
    Rule(
        "response-property-became-required", N, B, "a response property is now required: a server must always send it"
    ),
]

# (aspect, direction of the change, what it is) for the schema rules of both flows.
_SCHEMA_ASPECTS: list[tuple[str, str, str]] = [
    ("type-changed", "changed", "the type changed to an unrelated one (e.g. string to integer)"),
    ("type-narrowed", "narrowed", "the type narrowed (number to integer, or a type where there was none)"),
    ("type-widened", "widened", "the type widened (integer to number, or no type any more)"),
    ("nullable-removed", "narrowed", "null is no longer allowed"),
    ("nullable-added", "widened", "null is allowed now"),
    ("enum-narrowed", "narrowed", "enum values removed, or an enum where there was none"),
    ("enum-widened", "widened", "enum values added, or the enum dropped"),
    ("format-changed", "changed", "the format changed to an unrelated one"),
    ("format-narrowed", "narrowed", "a format where there was none, or a narrower one (int64 to int32)"),
    ("format-widened", "widened", "the format dropped, or a wider one (int32 to int64)"),
    ("pattern-changed", "changed", "the pattern changed"),
    ("pattern-narrowed", "narrowed", "a pattern where there was none"),
    ("pattern-widened", "widened", "the pattern dropped"),
    ("range-narrowed", "narrowed", "a minimum raised, a maximum lowered, a bound made exclusive or a multipleOf added"),
    ("range-widened", "widened", "a minimum lowered, a maximum raised, a bound made inclusive or dropped"),
    ("length-narrowed", "narrowed", "a min length/items/properties raised or a max lowered, or one added"),
    ("length-widened", "widened", "a min length/items/properties lowered or a max raised, or one dropped"),
    ("additional-properties-narrowed", "narrowed", "properties not listed are no longer allowed, or constrained"),
    ("additional-properties-widened", "widened", "properties not listed are allowed now, or less constrained"),
    ("variant-removed", "narrowed", "an anyOf/oneOf alternative is gone"),
    ("variant-added", "widened", "a new anyOf/oneOf alternative"),
]

_EFFECT = {
    ("request", "narrowed"): (B, N, "clients may still send values now rejected"),
    ("request", "widened"): (N, B, "servers may receive values they do not handle"),
    ("request", "changed"): (B, B, "clients send what servers no longer take, and servers get what they never took"),
    ("response", "narrowed"): (N, B, "servers may still send values now outside the spec"),
    ("response", "widened"): (B, N, "clients may receive values they do not handle"),
    ("response", "changed"): (B, B, "clients get what they never handled, and servers send what is now invalid"),
}

for _flow in ("request", "response"):
    for _aspect, _direction, _what in _SCHEMA_ASPECTS:
        _client, _server, _why = _EFFECT[_flow, _direction]
        _CATALOGUE.append(Rule(f"{_flow}-{_aspect}", _client, _server, f"in a {_flow}, {_what}: {_why}"))

RULES: dict[str, Rule] = {rule.id: rule for rule in _CATALOGUE}
assert len(RULES) == len(_CATALOGUE), "duplicate rule id"


def is_breaking(rule_id: str, sides: tuple[str, ...]) -> bool:
    """Whether a change of this rule breaks any of these sides (``client``, ``server``)."""
    rule = RULES[rule_id]
    return any(rule.level("client" if side == "client" else "server") == B for side in sides)
