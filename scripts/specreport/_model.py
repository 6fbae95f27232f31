"""The typed result of a spec comparison: ``Change``, its ``Kind`` and its ``Classification``."""

from __future__ import annotations

import enum
from typing import Any

import attrs

__all__ = ["Area", "Change", "Classification", "Kind"]


class Classification(enum.StrEnum):
    """What a change means for venuekit, most serious first."""

    BREAKING = "breaking"
    ATTENTION = "needs-attention"
    HARMLESS = "harmless"

    @property
    def rank(self) -> int:
        """0 for breaking, 1 for needs-attention, 2 for harmless (the report's order)."""
        return list(Classification).index(self)


class Area(enum.StrEnum):
    """Where in an operation a change sits."""

    PARAMETER = "parameter"
    REQUEST = "request"
    RESPONSE = "response"


class Kind(enum.StrEnum):
    """Every kind of change the report knows."""

    OPERATION_ADDED = "operation-added"
    OPERATION_REMOVED = "operation-removed"
    OPERATION_DEPRECATED = "operation-deprecated-changed"
    PARAMETER_ADDED = "parameter-added"
    PARAMETER_REMOVED = "parameter-removed"
    PARAMETER_REQUIRED = "parameter-required-changed"
    PARAMETER_LOCATION = "parameter-location-changed"
    PARAMETER_DEPRECATED = "parameter-deprecated-changed"
    REQUEST_BODY_ADDED = "request-body-added"
    REQUEST_BODY_REMOVED = "request-body-removed"
    REQUEST_BODY_REQUIRED = "request-body-required-changed"
    RESPONSE_ADDED = "response-added"
    RESPONSE_REMOVED = "response-removed"
    MEDIA_TYPE_ADDED = "media-type-added"
    MEDIA_TYPE_REMOVED = "media-type-removed"
    PROPERTY_ADDED = "property-added"
    PROPERTY_REMOVED = "property-removed"
    PROPERTY_REQUIRED = "property-required-changed"
    PROPERTY_DEPRECATED = "property-deprecated-changed"
    TYPE = "type-changed"
    FORMAT = "format-changed"
    NULLABLE = "nullable-changed"
    ENUM_VALUE_ADDED = "enum-value-added"
    ENUM_VALUE_REMOVED = "enum-value-removed"
    ENUM_CONSTRAINT = "enum-constraint-changed"
    UNRESOLVED_REF = "unresolved-ref-changed"
    SECURITY_SCHEME_ADDED = "security-scheme-added"
    SECURITY_SCHEME_REMOVED = "security-scheme-removed"
    SECURITY_SCHEME_CHANGED = "security-scheme-changed"
    SECURITY_REQUIREMENT = "security-requirement-changed"
    SERVER_ADDED = "server-added"
    SERVER_REMOVED = "server-removed"


@attrs.frozen
class Change:
    """One difference between two versions of a spec, located and classified.

    ``location`` is a JSON-pointer-like path into the spec with every ``$ref`` resolved
    (parameters keyed by name, ``allOf``/``oneOf``/``anyOf`` folded into their parent);
    ``operation`` is ``"GET /private/cancel"`` or ``None`` for spec-wide changes; ``subject`` is
    the dotted property location (or parameter name) the wrapper's usage is matched against.

    Example::

        Change(kind=Kind.ENUM_VALUE_ADDED, location="/paths/~1private~1cancel/get/...",
               operation="GET /private/cancel", area=Area.RESPONSE,
               subject="result.order_state", old=None, new="expired")
    """

    kind: Kind
    location: str
    old: Any
    new: Any
    operation: str | None = None
    area: Area | None = None
    subject: str | None = None
    classification: Classification = Classification.HARMLESS
    reason: str = ""

    def to_json(self, *, spec: str | None = None) -> dict[str, Any]:
        """The change as a JSON object (the ``--json`` output's items).

        Example::

            change.to_json(spec="deribit")["classification"]  # "needs-attention"
        """
        return {
            "spec": spec,
            "kind": self.kind.value,
            "location": self.location,
            "operation": self.operation,
            "area": None if self.area is None else self.area.value,
            "subject": self.subject,
            "old": self.old,
            "new": self.new,
            "classification": self.classification.value,
            "reason": self.reason,
        }
