"""Two versions of a spec compared: servers, security schemes, then each operation matched by
method and path template (parameter names ignored), down its parameters, request body, responses
and security. Each change found is a ``Change`` naming its catalogue rule (``rules``)."""

from __future__ import annotations

import re
from typing import Any

from mockserver.diff.document import Document
from mockserver.diff.model import Change, path_key, pointer
from mockserver.diff.schemas import Flow, SchemaComparer

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PATH_PARAM = re.compile(r"\{([^}/]*)\}")
_SCHEME_FIELDS = ("type", "in", "name", "scheme", "bearerFormat", "openIdConnectUrl")
_FLOW_FIELDS = ("authorizationUrl", "tokenUrl", "refreshUrl")


class _Operation:
    def __init__(self, method: str, path: str, item: dict[str, Any], op: dict[str, Any]) -> None:
        self.method, self.path, self.item, self.op = method, path, item, op

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _operations(doc: Document) -> dict[str, _Operation]:
    found: dict[str, _Operation] = {}
    paths = doc.data.get("paths")
    for path, raw_item in (paths if isinstance(paths, dict) else {}).items():
        if str(path).startswith("x-"):
            continue  # an extension of the Paths object
        item = doc.resolve(raw_item)[1]
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            if isinstance(item.get(method), dict):
                found[f"{method.upper()} {path_key(str(path))}"] = _Operation(method, str(path), item, item[method])
    return found


def _dict(node: Any) -> dict[str, Any]:
    return node if isinstance(node, dict) else {}


class Comparer:
    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old, self.new = Document(old), Document(new)
        self.changes: list[Change] = []
        self._operation = ""

    def emit(self, rule: str, location: str, message: str, old: Any = None, new: Any = None) -> None:
        self.changes.append(Change(rule, self._operation, location, message, old, new))

    def run(self) -> list[Change]:
        self._servers()
        self._security_schemes()
        old_ops, new_ops = _operations(self.old), _operations(self.new)
        for key, op in old_ops.items():
            if key not in new_ops:
                self._operation = op.label
                note = " (it was deprecated)" if op.op.get("deprecated") is True else ""
                self.emit("operation-removed", "", f"operation removed{note}")
        for key, op in new_ops.items():
            self._operation = op.label
            if key not in old_ops:
                self.emit("operation-added", "", "operation added")
            else:
                self._compare_operation(old_ops[key], op)
        self._operation = ""
        return self.changes

    # The document.

    def _servers(self) -> None:
        def urls(doc: Document) -> list[str]:
            servers = doc.data.get("servers")
            listed = [_dict(s).get("url") for s in servers] if isinstance(servers, list) else []
            return [str(url).rstrip("/") or "/" for url in listed if url is not None] or ["/"]

        was, now = urls(self.old), urls(self.new)
        for url in was:
            if url not in now:
                self.emit("server-url-removed", "/servers", f"server URL {url} removed", url, None)
        for url in now:
            if url not in was:
                self.emit("server-url-added", "/servers", f"server URL {url} added", None, url)

    def _security_schemes(self) -> None:
        was = _dict(_dict(self.old.data.get("components")).get("securitySchemes"))
        now = _dict(_dict(self.new.data.get("components")).get("securitySchemes"))
        for name in was:
            if name in now:
                old, new = _scheme_identity(self.old, was[name]), _scheme_identity(self.new, now[name])
                if old != new:
                    where = pointer("components", "securitySchemes", name)
                    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
                    self.emit(
                        "security-scheme-changed", where, f"scheme {name} changed: {', '.join(changed)}", old, new
                    )

    # An operation.

    def _compare_operation(self, old: _Operation, new: _Operation) -> None:
        if new.op.get("deprecated") is True and old.op.get("deprecated") is not True:
            self.emit("operation-deprecated", "/deprecated", "operation deprecated")
        if old.op.get("operationId") != new.op.get("operationId"):
            was, now = old.op.get("operationId"), new.op.get("operationId")
            self.emit("operation-id-changed", "/operationId", f"operationId {was} became {now}", was, now)
        self._parameters(old, new)
        self._request_body(old.op.get("requestBody"), new.op.get("requestBody"))
        self._responses(_dict(old.op.get("responses")), _dict(new.op.get("responses")))
        self._security(old.op, new.op)

    def _schemas(self, flow: Flow) -> SchemaComparer:
        return SchemaComparer(self.old, self.new, flow, self.emit)

    def _parameters(self, old: _Operation, new: _Operation) -> None:
        was, now = _parameters(self.old, old), _parameters(self.new, new)
        removed = [key for key in was if key not in now]
        added = [key for key in now if key not in was]
        for key in list(removed):
            moved = next((k for k in added if k[1].lower() == key[1].lower() and k[0] != key[0]), None)
            if moved is not None:
                name = was[key].get("name")
                self.emit(
                    "request-parameter-location-changed",
                    pointer("parameters", key[0], name),
                    f"parameter {name} moved from {key[0]} to {moved[0]}",
                    key[0],
                    moved[0],
                )
                removed.remove(key)
                added.remove(moved)
        for key in removed:
            required = was[key].get("required") is True
            rule = "request-required-parameter-removed" if required else "request-parameter-removed"
            where = pointer("parameters", key[0], was[key].get("name"))
            self.emit(
                rule, where, f"{'required ' if required else ''}{key[0]} parameter {was[key].get('name')} removed"
            )
        for key in added:
            required = now[key].get("required") is True
            rule = "request-parameter-added-required" if required else "request-parameter-added-optional"
            name = now[key].get("name")
            kind = "required" if required else "optional"
            self.emit(rule, pointer("parameters", key[0], name), f"{kind} {key[0]} parameter {name} added")
        for key, old_param in was.items():
            if key not in now:
                continue
            new_param = now[key]
            name = new_param.get("name")
            where = pointer("parameters", key[0], name)
            was_required, now_required = old_param.get("required") is True, new_param.get("required") is True
            if now_required and not was_required:
                self.emit("request-parameter-became-required", where, f"{key[0]} parameter {name} became required")
            elif was_required and not now_required:
                self.emit("request-parameter-became-optional", where, f"{key[0]} parameter {name} became optional")
            old_style, new_style = _serialization(old_param), _serialization(new_param)
            if old_style != new_style:
                self.emit(
                    "request-parameter-serialization-changed",
                    where,
                    f"{key[0]} parameter {name}: style/explode {old_style} became {new_style}",
                    list(old_style),
                    list(new_style),
                )
            old_schema, _ = _parameter_schema(old_param)
            new_schema, new_at = _parameter_schema(new_param)
            self._schemas("request").compare(old_schema, new_schema, where + new_at)

    def _request_body(self, old_raw: Any, new_raw: Any) -> None:
        old, new = _dict(self.old.resolve(old_raw)[1]), _dict(self.new.resolve(new_raw)[1])
        where = "/requestBody"
        if old_raw is None and new_raw is None:
            return
        if old_raw is None:
            required = new.get("required") is True
            rule = "request-body-added-required" if required else "request-body-added-optional"
            self.emit(rule, where, f"{'required' if required else 'optional'} request body added")
            return
        if new_raw is None:
            self.emit("request-body-removed", where, "request body removed")
            return
        if new.get("required") is True and old.get("required") is not True:
            self.emit("request-body-became-required", where + "/required", "request body became required")
        elif old.get("required") is True and new.get("required") is not True:
            self.emit("request-body-became-optional", where + "/required", "request body became optional")
        self._content(_dict(old.get("content")), _dict(new.get("content")), where + "/content", "request")

    def _content(self, old: dict[str, Any], new: dict[str, Any], where: str, flow: Flow) -> None:
        was = {str(k).lower(): v for k, v in old.items()}
        now = {str(k).lower(): v for k, v in new.items()}
        for media in was:
            if media not in now:
                self.emit(f"{flow}-media-type-removed", where + pointer(media), f"{flow} media type {media} removed")
        for media in now:
            if media not in was:
                self.emit(f"{flow}-media-type-added", where + pointer(media), f"{flow} media type {media} added")
        for media, old_media in was.items():
            if media in now:
                old_schema = _dict(old_media).get("schema")
                new_schema = _dict(now[media]).get("schema")
                if old_schema is not None or new_schema is not None:
                    self._schemas(flow).compare(old_schema or {}, new_schema or {}, where + pointer(media, "schema"))

    def _responses(self, old: dict[Any, Any], new: dict[Any, Any]) -> None:
        was = {str(k).upper(): v for k, v in old.items() if not str(k).startswith("x-")}
        now = {str(k).upper(): v for k, v in new.items() if not str(k).startswith("x-")}
        for status in was:
            if status not in now:
                kind = "success" if _success(status) else "error"
                where = pointer("responses", status.lower() if status == "DEFAULT" else status)
                self.emit(f"response-{kind}-status-removed", where, f"{kind} response {status.lower()} removed")
        for status in now:
            if status not in was:
                kind = "success" if _success(status) else "error"
                where = pointer("responses", status.lower() if status == "DEFAULT" else status)
                self.emit(f"response-{kind}-status-added", where, f"{kind} response {status.lower()} added")
        for status, old_raw in was.items():
            if status not in now:
                continue
            where = pointer("responses", status.lower() if status == "DEFAULT" else status)
            old_response = _dict(self.old.resolve(old_raw)[1])
            new_response = _dict(self.new.resolve(now[status])[1])
            self._headers(_dict(old_response.get("headers")), _dict(new_response.get("headers")), where)
            old_content, new_content = _dict(old_response.get("content")), _dict(new_response.get("content"))
            self._content(old_content, new_content, where + "/content", "response")

    def _headers(self, old: dict[str, Any], new: dict[str, Any], where: str) -> None:
        was = {str(k).lower(): _dict(self.old.resolve(v)[1]) for k, v in old.items()}
        now = {str(k).lower(): _dict(self.new.resolve(v)[1]) for k, v in new.items()}
        for name, header in was.items():
            at = where + pointer("headers", name)
            if name not in now:
                self.emit("response-header-removed", at, f"response header {name} removed")
                continue
            was_required, now_required = header.get("required") is True, now[name].get("required") is True
            if was_required and not now_required:
                self.emit("response-header-became-optional", at, f"response header {name} became optional")
            elif now_required and not was_required:
                self.emit("response-header-became-required", at, f"response header {name} became required")
            old_schema, _ = _parameter_schema(header)
            new_schema, new_at = _parameter_schema(now[name])
            self._schemas("response").compare(old_schema, new_schema, at + new_at)
        for name, header in now.items():
            if name not in was:
                required = header.get("required") is True
                rule = "response-header-added-required" if required else "response-header-added-optional"
                kind = "required" if required else "optional"
                self.emit(rule, where + pointer("headers", name), f"{kind} response header {name} added")

    def _security(self, old_op: dict[str, Any], new_op: dict[str, Any]) -> None:
        was = _requirements(old_op.get("security", self.old.data.get("security")))
        now = _requirements(new_op.get("security", self.new.data.get("security")))
        if was == now:
            return
        where = "/security"
        was_open, now_open = (not was or frozenset() in was), (not now or frozenset() in now)
        if was_open and not now_open:
            self.emit("security-added", where, "credentials now required", None, _shown(now))
        elif now_open and not was_open:
            self.emit("security-removed", where, "no credentials required now", _shown(was), None)
        old_alts = {frozenset(dict(alt)): dict(alt) for alt in was if alt}
        new_alts = {frozenset(dict(alt)): dict(alt) for alt in now if alt}
        if not old_alts or not new_alts:
            return  # credentials where there were none, or none any more: said above
        for schemes, scopes in old_alts.items():
            label = " + ".join(sorted(schemes))
            if schemes not in new_alts:
                self.emit("security-alternative-removed", where, f"security alternative {label} removed")
                continue
            for scheme in sorted(schemes):
                more = sorted(new_alts[schemes][scheme] - scopes[scheme])
                fewer = sorted(scopes[scheme] - new_alts[schemes][scheme])
                if more:
                    self.emit("security-scopes-added", where, f"{scheme} needs scopes {', '.join(more)}", None, more)
                if fewer:
                    self.emit("security-scopes-removed", where, f"{scheme} no longer needs {', '.join(fewer)}", fewer)
        for schemes in new_alts:
            if schemes not in old_alts:
                label = " + ".join(sorted(schemes))
                self.emit("security-alternative-added", where, f"security alternative {label} added")


def _parameters(doc: Document, operation: _Operation) -> dict[tuple[str, str], dict[str, Any]]:
    """Path-level parameters overridden by the operation's, keyed by location and name; a path
    parameter by its position in the template (``/a/{id}`` and ``/a/{x}`` take the same), a
    header case-insensitively."""
    names = _PATH_PARAM.findall(operation.path)
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*(operation.item.get("parameters") or []), *(operation.op.get("parameters") or [])]:
        param = dict(_dict(doc.resolve(raw)[1]))  # a copy: a path parameter is always required
        where, name = str(param.get("in")), str(param.get("name"))
        if where == "path":
            param["required"] = True
        if where == "path" and name in names:
            name = f"{{{names.index(name)}}}"
        elif where == "header":
            name = name.lower()
        merged[(where, name)] = param
    return merged


def _parameter_schema(param: dict[str, Any]) -> tuple[Any, str]:
    """A parameter's or header's schema and where it is: ``schema``, or its one ``content`` entry's."""
    if "schema" in param:
        return param["schema"], "/schema"
    for media, entry in _dict(param.get("content")).items():
        return _dict(entry).get("schema", {}), pointer("content", media, "schema")
    return {}, "/schema"


def _serialization(param: dict[str, Any]) -> tuple[str, bool]:
    default = "form" if param.get("in") in ("query", "cookie") else "simple"
    style = str(param.get("style", default))
    return style, bool(param.get("explode", style == "form"))


def _scheme_identity(doc: Document, raw: Any) -> dict[str, Any]:
    scheme = _dict(doc.resolve(raw)[1])
    identity = {key: scheme[key] for key in _SCHEME_FIELDS if key in scheme}
    if isinstance(identity.get("scheme"), str):
        identity["scheme"] = identity["scheme"].lower()  # "Bearer" and "bearer" are one HTTP scheme
    for flow, settings in _dict(scheme.get("flows")).items():
        identity[f"flows.{flow}"] = {key: _dict(settings).get(key) for key in _FLOW_FIELDS if key in _dict(settings)}
    return identity


def _requirements(security: Any) -> frozenset[frozenset[tuple[str, frozenset[str]]]]:
    """Security as a set of alternatives, each a set of (scheme, scopes)."""
    if not isinstance(security, list):
        return frozenset()
    return frozenset(
        frozenset((str(name), frozenset(map(str, scopes or ()))) for name, scopes in _dict(alt).items())
        for alt in security
    )


def _shown(requirements: frozenset[frozenset[tuple[str, frozenset[str]]]]) -> list[list[str]]:
    return sorted(sorted(name for name, _ in alt) for alt in requirements)


def _success(status: str) -> bool:
    return status[:1] in "123" and status != "DEFAULT"


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new`` (two parsed OpenAPI 3.0 documents), in document order."""
    return Comparer(old, new).run()
