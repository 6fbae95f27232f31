"""Load a spec and look through its local ``$ref``s, with cycles and dangling references guarded.

Schemas are read through ``flatten``: one ``Shape`` per schema with ``$ref`` followed, ``allOf``
merged and ``oneOf``/``anyOf`` folded (union of their types, properties and enum values; a
``{"type": "null"}`` alternative makes the shape nullable), and OpenAPI 3.0 ``nullable`` and 3.1
type arrays read as one ``nullable`` flag. Children are handed back unresolved, with the set of
references already followed on the way to them, so a recursive schema stops instead of looping.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

__all__ = ["Node", "Resolver", "Shape", "enum_key", "load_spec", "parse_spec"]

_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: A schema (or other spec object) not yet resolved, with the references followed to reach it.
Node = tuple[Any, frozenset[str]]


def parse_spec(text: str, *, source: str = "<text>") -> dict[str, Any]:
    """Parse an OpenAPI document from JSON or YAML text.

    Example::

        spec = parse_spec(Path("specs/deribit.yaml").read_text())
    """
    stripped = text.lstrip()
    try:
        document = json.loads(text) if stripped.startswith("{") else yaml.load(text, _YAML_LOADER)
    except (ValueError, yaml.YAMLError) as exc:
        raise ValueError(f"{source}: not JSON or YAML: {exc}") from exc
    if not isinstance(document, dict) or "openapi" not in document:
        raise ValueError(f"{source}: not an OpenAPI document (no 'openapi' key)")
    return document


def load_spec(path: Path) -> dict[str, Any]:
    """Read and parse an OpenAPI document (JSON or YAML) from a file.

    Example::

        spec = load_spec(Path("specs/coinbase_intx.yaml"))
    """
    return parse_spec(path.read_text(encoding="utf-8"), source=str(path))


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


@attrs.frozen
class Shape:
    """A schema seen through its references and compositions (see the module docstring)."""

    types: frozenset[str] = frozenset()  # without "null"; empty means unconstrained
    format: str | None = None
    nullable: bool = False
    enum: tuple[Any, ...] | None = None
    properties: Mapping[str, Node] = attrs.field(factory=dict)
    required: frozenset[str] = frozenset()
    items: Node | None = None
    deprecated: bool = False
    dangling: str | None = None  # the $ref that resolves to nothing
    cyclic: bool = False  # a $ref already followed on the way here: not descended

    def summary(self) -> Any:
        """A short JSON value describing the shape, for a change's old/new.

        Example::

            Shape(types=frozenset({"string"})).summary()  # {"type": "string"}
        """
        if self.dangling is not None:
            return {"$ref": self.dangling, "resolved": False}
        out: dict[str, Any] = {}
        if self.types:
            out["type"] = _types_value(self.types)
        if self.format is not None:
            out["format"] = self.format
        if self.nullable:
            out["nullable"] = True
        if self.enum is not None:
            out["enum"] = list(self.enum)
        if self.properties:
            out["properties"] = sorted(self.properties)
        return out


def _types_value(types: frozenset[str]) -> str | list[str] | None:
    if not types:
        return None
    ordered = sorted(types)
    return ordered[0] if len(ordered) == 1 else ordered


def enum_key(value: Any) -> tuple[str, str]:
    """A hashable key for an enum value that keeps ``1``, ``True`` and ``"1"`` apart."""
    return type(value).__name__, json.dumps(value, sort_keys=True)


class Resolver:
    """Follows local ``$ref``s of one document.

    Example::

        resolver = Resolver(spec)
        node, seen, dangling, cyclic = resolver.deref(spec["paths"]["/x"]["get"], frozenset())
    """

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.v31 = str(document.get("openapi", "")).startswith("3.1")

    def lookup(self, ref: str) -> tuple[bool, Any]:
        """(found, target) for a local reference ``#/a/b``; external references are not found."""
        if not ref.startswith("#"):
            return False, None
        target: Any = self.document
        for token in ref[1:].split("/")[1:]:
            key = _unescape(token)
            if isinstance(target, Mapping) and key in target:
                target = target[key]
            elif isinstance(target, list) and key.isdigit() and int(key) < len(target):
                target = target[int(key)]
            else:
                return False, None
        return True, target

    def deref(
        self, node: Any, seen: frozenset[str]
    ) -> tuple[Any, frozenset[str], str | None, bool]:
        """(target, references followed, dangling reference or None, cycle found)."""
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                return node, seen, None, True
            seen = seen | {ref}
            found, target = self.lookup(ref)
            if not found:
                return None, seen, ref, False
            if self.v31 and len(node) > 1 and isinstance(target, Mapping):
                # OpenAPI 3.1 (JSON Schema 2020-12) keeps keywords beside $ref; 3.0 ignores them.
                siblings = {k: v for k, v in node.items() if k != "$ref"}
                target = {**target, **siblings}
            node = target
        return node, seen, None, False

    def flatten(self, node: Any, seen: frozenset[str]) -> Shape:
        """The ``Shape`` of a schema node (see the module docstring).

        Example::

            shape = resolver.flatten({"$ref": "#/components/schemas/order"}, frozenset())
        """
        target, seen, dangling, cyclic = self.deref(node, seen)
        if dangling is not None:
            return Shape(dangling=dangling)
        if cyclic:  # its own keywords only: no composition, no children
            _, looped = self.lookup(target["$ref"])
            own = (
                self._flatten_mapping(looped, seen, shallow=True)
                if isinstance(looped, Mapping)
                else Shape()
            )
            return attrs.evolve(own, cyclic=True)
        if not isinstance(target, Mapping):
            return Shape()
        return self._flatten_mapping(target, seen)

    def _flatten_mapping(
        self, schema: Mapping[str, Any], seen: frozenset[str], *, shallow: bool = False
    ) -> Shape:
        raw_type = schema.get("type")
        type_list = (
            raw_type if isinstance(raw_type, list) else [] if raw_type is None else [raw_type]
        )
        nullable = schema.get("nullable") is True or "null" in type_list
        types = frozenset(str(t) for t in type_list if t != "null")
        enum: tuple[Any, ...] | None = None
        if isinstance(schema.get("enum"), list):
            values = schema["enum"]
            nullable = nullable or None in values
            enum = tuple(v for v in values if v is not None)
        elif "const" in schema:
            enum = (schema["const"],)
        fmt = schema.get("format")
        properties: dict[str, Node] = {}
        required = set(_strings(schema.get("required")))
        items: Node | None = None
        for part in [] if shallow else _list(schema.get("allOf")):
            sub = self.flatten(part, seen)
            types = types or sub.types
            fmt = fmt if fmt is not None else sub.format
            enum = enum if enum is not None else sub.enum
            properties.update(sub.properties)
            required |= sub.required
            items = items if items is not None else sub.items
        alternatives = [] if shallow else [*_list(schema.get("oneOf")), *_list(schema.get("anyOf"))]
        if alternatives:
            shapes = [self.flatten(part, seen) for part in alternatives]
            nulls = [
                s for s in shapes if s.types == frozenset() and s.nullable and not s.properties
            ]
            real = [s for s in shapes if s not in nulls]
            nullable = nullable or bool(nulls) or any(s.nullable for s in real)
            if real:
                types = types or frozenset().union(*(s.types for s in real))
                if enum is None and all(s.enum is not None for s in real):
                    enum = tuple(v for s in real for v in (s.enum or ()))
                formats = {s.format for s in real}
                if fmt is None and len(formats) == 1:
                    fmt = formats.pop()
                for sub in real:
                    for name, child in sub.properties.items():
                        properties.setdefault(name, child)
                    items = items if items is not None else sub.items
                required |= frozenset.intersection(*(s.required for s in real))
        for name, child in (schema.get("properties") or {}).items():
            properties[str(name)] = (child, seen)
        if isinstance(schema.get("items"), Mapping):
            items = (schema["items"], seen)
        if enum is not None:
            unique: dict[tuple[str, str], Any] = {}
            for value in enum:
                unique.setdefault(enum_key(value), value)
            enum = tuple(unique.values())
        return Shape(
            types=types,
            format=None if fmt is None else str(fmt),
            nullable=nullable,
            enum=enum,
            properties=properties,
            required=frozenset(required),
            items=items,
            deprecated=schema.get("deprecated") is True,
        )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []
