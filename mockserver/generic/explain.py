"""``mockserver run --spec FILE --explain``: the mock's model of an API, for its user to read: the
resources found (paths, key, parents), and for every operation what answers it and why, then how
many operations keep records, are answered from the spec below a record, or could not be placed."""

from __future__ import annotations

from collections import Counter

from mockserver.generic import model
from mockserver.generic.auth import kind_of, proves_identity, schemes, token_for
from mockserver.generic.model import OWNER
from mockserver.generic.state import GenericSpec


def summary(spec: GenericSpec) -> dict[str, int]:
    kinds = Counter(p.kind for p in spec.model.operations.values())
    return {
        "operations": len(spec.model.operations),
        "resources": len(spec.model.resources),
        "stateful": sum(n for k, n in kinds.items() if k in model.STATEFUL),
        "actions": kinds[model.ACTION],
        "unplaced": kinds[model.CANNED],
    }


def text(spec: GenericSpec) -> str:
    facts = summary(spec)
    lines = [f"{spec.name}: {spec.path}", ""]
    lines.append(f"Resources ({facts['resources']}):")
    for r in spec.model.resources.values():
        key = (
            f"key {r.id_field} ({r.id_schema.get('type', 'string')})"
            if not r.id_hidden
            else f"key {{{r.param}}} (kept outside the record)"
        )
        parents = "".join(
            ", each the caller's own"
            if p.param == OWNER
            else f", below {{{p.param}}}" + (f" of {p.resource}" if p.resource else "")
            for p in r.parents
        )
        lines.append(f"  {r.name:<28} {r.collection}  {r.item}  {key}{parents}")
    lines += ["", "Operations:"]
    for p in spec.model.operations.values():
        where = f" {p.resource}" if p.resource else ""
        wrapped = f" in {p.envelope}" if p.envelope else ""
        lines.append(f"  {p.method.upper():<7} {p.path:<48} {p.kind}{where}{wrapped} -> {p.status}   ({p.reason})")
    lines += [
        "",
        f"{facts['operations']} operations: {facts['stateful']} keep records, {facts['actions']} answered from the "
        f"spec below a record, {facts['unplaced']} answered from the spec (no resource found).",
    ]
    found = schemes(spec.document)
    if not found:
        lines.append("No security schemes: no credentials needed.")
        return "\n".join(lines)
    kinds = {kind_of(scheme) for scheme in found.values()}
    said = [f"Demo credentials: tokens {token_for(spec.name, 'alice')} and {token_for(spec.name, 'bob')}"]
    if "basic" in kinds:
        said.append("HTTP Basic: alice / alice-password")
    apps = [str(s.get("name")) for s in found.values() if kind_of(s) == "apiKey" and not proves_identity(s)]
    if apps:
        said.append(f"{', '.join(apps)} (naming an app, not a user) take any value")
    lines.append("; ".join(said) + ".")
    return "\n".join(lines)
