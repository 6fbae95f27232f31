"""Walk two versions of a spec side by side and list what changed on the wire (unclassified).

Compared: operations (method + path template; path-parameter names do not matter for identity),
their parameters (path-level ones merged in), request bodies and responses per status code and
media type, schema properties nested at any depth, type, format, nullability and enum values,
security schemes and requirements, and servers. Not compared (documentation, not the wire):
``info``, descriptions, summaries, examples, titles, tags, ``operationId``, ``x-`` extensions,
components nothing references, and the order of anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._model import Area, Change, Kind
from ._resolve import Node, Resolver, Shape, enum_key

__all__ = ["compare_documents", "operation_key"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE = re.compile(r"\{[^}/]*\}")
_MAX_DEPTH = 64  # deeper schemas are not descended further (no real spec nests this deep)
_SCHEME_NOISE = frozenset({"description"})


def operation_key(method: str, path: str) -> tuple[str, str]:
    """The identity of an operation: upper-case method and the path with parameters blanked.

    Example::

        operation_key("delete", "/orders/{id}") == ("DELETE", "/orders/{}")
    """
    return method.upper(), _TEMPLATE.sub("{}", path)


def _pointer(*tokens: str) -> str:
    return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens)


def _dotted(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


class _Op:
    def __init__(self, method: str, path: str, item: Mapping[str, Any], op: Mapping[str, Any]):
        self.method, self.path, self.item, self.op = method, path, item, op
        self.label = f"{method.upper()} {path}"
        self.pointer = _pointer("paths", path, method)


def compare_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every wire-level difference between two OpenAPI documents, classified as harmless.

    Example::

        changes = compare_documents(load_spec(old_path), load_spec(new_path))
    """
    return _Comparer(old, new).run()


class _Comparer:
    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        self.old, self.new = Resolver(old), Resolver(new)
        self.changes: list[Change] = []

    def add(self, kind: Kind, location: str, old: Any, new: Any, **where: Any) -> None:
        self.changes.append(Change(kind=kind, location=location, old=old, new=new, **where))

    def run(self) -> list[Change]:
        old, new = self.old.document, self.new.document
        self._servers(old.get("servers"), new.get("servers"), "/servers", None)
        self._security_schemes()
        if _requirements(old.get("security")) != _requirements(new.get("security")):
            self.add(
                Kind.SECURITY_REQUIREMENT, "/security", old.get("security"), new.get("security")
            )
        self._operations()
        return self.changes

    # -- spec-wide -----------------------------------------------------------------------------

    def _servers(self, old: Any, new: Any, location: str, op: str | None) -> None:
        old_urls, new_urls = _server_urls(old), _server_urls(new)
        for url in sorted(old_urls - new_urls):
            self.add(Kind.SERVER_REMOVED, location, url, None, operation=op)
        for url in sorted(new_urls - old_urls):
            self.add(Kind.SERVER_ADDED, location, None, url, operation=op)

    def _security_schemes(self) -> None:
        old, new = self._schemes(self.old), self._schemes(self.new)
        for name in sorted(old.keys() | new.keys()):
            location = _pointer("components", "securitySchemes", name)
            if name not in new:
                self.add(Kind.SECURITY_SCHEME_REMOVED, location, old[name], None)
            elif name not in old:
                self.add(Kind.SECURITY_SCHEME_ADDED, location, None, new[name])
            elif old[name] != new[name]:
                self.add(Kind.SECURITY_SCHEME_CHANGED, location, old[name], new[name])

    @staticmethod
    def _schemes(resolver: Resolver) -> dict[str, Any]:
        raw = (resolver.document.get("components") or {}).get("securitySchemes") or {}
        out: dict[str, Any] = {}
        for name, node in raw.items():
            scheme, _, _, _ = resolver.deref(node, frozenset())
            if isinstance(scheme, Mapping):
                out[str(name)] = _strip(scheme, _SCHEME_NOISE)
        return out

    # -- operations ----------------------------------------------------------------------------

    def _operations(self) -> None:
        old, new = _operations(self.old), _operations(self.new)
        for key in sorted(old.keys() | new.keys(), key=lambda k: (k[1], k[0])):
            if key not in new:
                o = old[key]
                self.add(Kind.OPERATION_REMOVED, o.pointer, o.label, None, operation=o.label)
            elif key not in old:
                n = new[key]
                self.add(Kind.OPERATION_ADDED, n.pointer, None, n.label, operation=n.label)
            else:
                self._operation(old[key], new[key])

    def _operation(self, o: _Op, n: _Op) -> None:
        where = {"operation": n.label}
        if bool(o.op.get("deprecated")) != bool(n.op.get("deprecated")):
            self.add(
                Kind.OPERATION_DEPRECATED,
                n.pointer,
                bool(o.op.get("deprecated")),
                bool(n.op.get("deprecated")),
                **where,
            )
        self._parameters(o, n)
        self._request_body(o, n)
        self._responses(o, n)
        if "security" in o.op or "security" in n.op:
            old_sec = o.op.get("security", self.old.document.get("security"))
            new_sec = n.op.get("security", self.new.document.get("security"))
            if _requirements(old_sec) != _requirements(new_sec):
                self.add(
                    Kind.SECURITY_REQUIREMENT, n.pointer + "/security", old_sec, new_sec, **where
                )
        old_servers = o.op.get("servers") or o.item.get("servers")
        new_servers = n.op.get("servers") or n.item.get("servers")
        if old_servers or new_servers:
            self._servers(old_servers, new_servers, n.pointer + "/servers", n.label)

    def _parameters(self, o: _Op, n: _Op) -> None:
        old, new = _parameters(self.old, o), _parameters(self.new, n)
        moved: list[tuple[tuple[str, str], tuple[str, str]]] = []
        new_by_name = {name: (name, place) for name, place in new if (name, place) not in old}
        for key in sorted(old.keys() - new.keys()):
            if key[0] in new_by_name:
                moved.append((key, new_by_name.pop(key[0])))
        moved_old = {a for a, _ in moved}
        moved_new = {b for _, b in moved}
        base = n.pointer + "/parameters"
        where = {"operation": n.label, "area": Area.PARAMETER}
        for key in sorted(old.keys() - new.keys() - moved_old):
            self.add(
                Kind.PARAMETER_REMOVED,
                _pointer_join(base, key[0]),
                self._param_summary(self.old, old[key]),
                None,
                subject=key[0],
                **where,
            )
        for key in sorted(new.keys() - old.keys() - moved_new):
            self.add(
                Kind.PARAMETER_ADDED,
                _pointer_join(base, key[0]),
                None,
                self._param_summary(self.new, new[key]),
                subject=key[0],
                **where,
            )
        pairs = [(k, k) for k in sorted(old.keys() & new.keys())] + moved
        for old_key, new_key in pairs:
            name = new_key[0]
            location = _pointer_join(base, name)
            (op_, old_seen), (np_, new_seen) = old[old_key], new[new_key]
            if old_key[1] != new_key[1]:
                self.add(
                    Kind.PARAMETER_LOCATION,
                    location + "/in",
                    old_key[1],
                    new_key[1],
                    subject=name,
                    **where,
                )
            if bool(op_.get("required")) != bool(np_.get("required")):
                self.add(
                    Kind.PARAMETER_REQUIRED,
                    location + "/required",
                    bool(op_.get("required")),
                    bool(np_.get("required")),
                    subject=name,
                    **where,
                )
            if bool(op_.get("deprecated")) != bool(np_.get("deprecated")):
                self.add(
                    Kind.PARAMETER_DEPRECATED,
                    location + "/deprecated",
                    bool(op_.get("deprecated")),
                    bool(np_.get("deprecated")),
                    subject=name,
                    **where,
                )
            self._schema(
                (_param_schema(op_), old_seen),
                (_param_schema(np_), new_seen),
                location + "/schema",
                name,
                where,
                0,
            )

    def _param_summary(self, resolver: Resolver, node: Node) -> dict[str, Any]:
        param, seen = node
        return {
            "in": param.get("in"),
            "required": bool(param.get("required")),
            "schema": resolver.flatten(_param_schema(param), seen).summary(),
        }

    def _request_body(self, o: _Op, n: _Op) -> None:
        old, old_seen, _, _ = self.old.deref(o.op.get("requestBody"), frozenset())
        new, new_seen, _, _ = self.new.deref(n.op.get("requestBody"), frozenset())
        location = n.pointer + "/requestBody"
        where = {"operation": n.label, "area": Area.REQUEST}
        if not isinstance(old, Mapping) and not isinstance(new, Mapping):
            return
        if not isinstance(new, Mapping):
            self.add(Kind.REQUEST_BODY_REMOVED, location, _body_summary(old), None, **where)
            return
        if not isinstance(old, Mapping):
            self.add(Kind.REQUEST_BODY_ADDED, location, None, _body_summary(new), **where)
            return
        if bool(old.get("required")) != bool(new.get("required")):
            self.add(
                Kind.REQUEST_BODY_REQUIRED,
                location + "/required",
                bool(old.get("required")),
                bool(new.get("required")),
                **where,
            )
        self._content(old, old_seen, new, new_seen, location, where)

    def _responses(self, o: _Op, n: _Op) -> None:
        old = {str(k): v for k, v in (o.op.get("responses") or {}).items()}
        new = {str(k): v for k, v in (n.op.get("responses") or {}).items()}
        base = n.pointer + "/responses"
        for status in sorted(old.keys() | new.keys()):
            where = {"operation": n.label, "area": Area.RESPONSE}
            location = _pointer_join(base, status)
            if status not in new:
                self.add(Kind.RESPONSE_REMOVED, location, status, None, subject=status, **where)
                continue
            if status not in old:
                self.add(Kind.RESPONSE_ADDED, location, None, status, subject=status, **where)
                continue
            old_r, old_seen, _, _ = self.old.deref(old[status], frozenset())
            new_r, new_seen, _, _ = self.new.deref(new[status], frozenset())
            if isinstance(old_r, Mapping) and isinstance(new_r, Mapping):
                self._content(old_r, old_seen, new_r, new_seen, location, where)

    def _content(
        self,
        old: Mapping[str, Any],
        old_seen: frozenset[str],
        new: Mapping[str, Any],
        new_seen: frozenset[str],
        location: str,
        where: dict[str, Any],
    ) -> None:
        old_c, new_c = old.get("content") or {}, new.get("content") or {}
        for media in sorted(old_c.keys() | new_c.keys()):
            at = _pointer_join(location + "/content", media)
            if media not in new_c:
                self.add(Kind.MEDIA_TYPE_REMOVED, at, media, None, **where)
            elif media not in old_c:
                self.add(Kind.MEDIA_TYPE_ADDED, at, None, media, **where)
            else:
                old_schema = (old_c[media] or {}).get("schema")
                new_schema = (new_c[media] or {}).get("schema")
                self._schema(
                    (old_schema, old_seen), (new_schema, new_seen), at + "/schema", "", where, 0
                )

    # -- schemas -------------------------------------------------------------------------------

    def _schema(
        self,
        old_node: Node,
        new_node: Node,
        location: str,
        subject: str,
        where: dict[str, Any],
        depth: int,
    ) -> None:
        old, new = self.old.flatten(*old_node), self.new.flatten(*new_node)
        at = {"subject": subject, **where}
        if old.dangling != new.dangling:
            self.add(Kind.UNRESOLVED_REF, location, old.summary(), new.summary(), **at)
            return
        if old.dangling is not None:
            return
        if old.types != new.types:
            self.add(Kind.TYPE, location + "/type", _types(old), _types(new), **at)
        if old.format != new.format:
            self.add(Kind.FORMAT, location + "/format", old.format, new.format, **at)
        if old.nullable != new.nullable:
            self.add(Kind.NULLABLE, location + "/nullable", old.nullable, new.nullable, **at)
        if old.deprecated != new.deprecated:
            self.add(
                Kind.PROPERTY_DEPRECATED,
                location + "/deprecated",
                old.deprecated,
                new.deprecated,
                **at,
            )
        self._enum(old, new, location + "/enum", at)
        if old.cyclic or new.cyclic or depth >= _MAX_DEPTH:
            return  # a schema met again on its own path: compared above, not descended
        self._properties(old, new, location, subject, where, depth)
        if old.items is not None or new.items is not None:
            self._schema(
                old.items or (None, frozenset()),
                new.items or (None, frozenset()),
                location + "/items",
                subject,
                where,
                depth + 1,
            )

    def _enum(self, old: Shape, new: Shape, location: str, at: dict[str, Any]) -> None:
        if old.enum is None and new.enum is None:
            return
        if old.enum is None or new.enum is None:
            self.add(
                Kind.ENUM_CONSTRAINT,
                location,
                None if old.enum is None else list(old.enum),
                None if new.enum is None else list(new.enum),
                **at,
            )
            return
        old_keys = {enum_key(v): v for v in old.enum}
        new_keys = {enum_key(v): v for v in new.enum}
        for key, value in old_keys.items():
            if key not in new_keys:
                self.add(Kind.ENUM_VALUE_REMOVED, location, value, None, **at)
        for key, value in new_keys.items():
            if key not in old_keys:
                self.add(Kind.ENUM_VALUE_ADDED, location, None, value, **at)

    def _properties(
        self, old: Shape, new: Shape, location: str, subject: str, where: dict[str, Any], depth: int
    ) -> None:
        for name in sorted(old.properties.keys() | new.properties.keys()):
            at = location + _pointer("properties", name)
            child = _dotted(subject, name)
            if name not in new.properties:
                summary = self.old.flatten(*old.properties[name]).summary()
                summary["required"] = name in old.required
                self.add(Kind.PROPERTY_REMOVED, at, summary, None, subject=child, **where)
            elif name not in old.properties:
                summary = self.new.flatten(*new.properties[name]).summary()
                summary["required"] = name in new.required
                self.add(Kind.PROPERTY_ADDED, at, None, summary, subject=child, **where)
            else:
                if (name in old.required) != (name in new.required):
                    self.add(
                        Kind.PROPERTY_REQUIRED,
                        at + "/required",
                        name in old.required,
                        name in new.required,
                        subject=child,
                        **where,
                    )
                self._schema(
                    old.properties[name], new.properties[name], at, child, where, depth + 1
                )


def _pointer_join(base: str, token: str) -> str:
    return base + _pointer(token)


def _types(shape: Shape) -> str | list[str] | None:
    ordered = sorted(shape.types)
    if not ordered:
        return None
    return ordered[0] if len(ordered) == 1 else ordered


def _operations(resolver: Resolver) -> dict[tuple[str, str], _Op]:
    out: dict[tuple[str, str], _Op] = {}
    for path, raw_item in (resolver.document.get("paths") or {}).items():
        item, _, _, _ = resolver.deref(raw_item, frozenset())
        if not isinstance(item, Mapping):
            continue
        for method in _METHODS:
            op = item.get(method)
            if isinstance(op, Mapping):
                out[operation_key(method, str(path))] = _Op(method, str(path), item, op)
    return out


def _parameters(resolver: Resolver, op: _Op) -> dict[tuple[str, str], Node]:
    out: dict[tuple[str, str], Node] = {}
    for raw in [*(op.item.get("parameters") or []), *(op.op.get("parameters") or [])]:
        param, seen, _, _ = resolver.deref(raw, frozenset())
        if isinstance(param, Mapping) and "name" in param:
            out[(str(param["name"]), str(param.get("in")))] = (param, seen)
    return out


def _param_schema(param: Mapping[str, Any]) -> Any:
    if "schema" in param:
        return param["schema"]
    for media in (param.get("content") or {}).values():
        if isinstance(media, Mapping):
            return media.get("schema")
    return None


def _body_summary(body: Mapping[str, Any]) -> dict[str, Any]:
    content = body.get("content") or {}
    return {
        "required": bool(body.get("required")),
        "content": sorted(content),
        "schema": any(isinstance(m, Mapping) and "schema" in m for m in content.values()),
    }


def _server_urls(servers: Any) -> set[str]:
    if not isinstance(servers, list):
        return set()
    return {str(s["url"]) for s in servers if isinstance(s, Mapping) and "url" in s}


def _requirements(security: Any) -> frozenset[frozenset[tuple[str, tuple[str, ...]]]] | None:
    if not isinstance(security, list):
        return None
    return frozenset(
        frozenset((str(name), tuple(sorted(scopes or ()))) for name, scopes in requirement.items())
        for requirement in security
        if isinstance(requirement, Mapping)
    )


def _strip(mapping: Mapping[str, Any], noise: Iterable[str]) -> dict[str, Any]:
    drop = set(noise)
    return {k: v for k, v in mapping.items() if k not in drop and not str(k).startswith("x-")}
