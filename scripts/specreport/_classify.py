"""Classify changes for venuekit from what its venue registry says it sends and reads.

The rules, per kind (an operation is *used* when an ``OperationUse`` names its method and path;
a subject is *sent*/*read* when it, or a property below it, is in ``sends``/``reads``):

========================================  ============================================  ==================================
kind                                      breaking                                      needs attention
========================================  ============================================  ==================================
operation-removed                         used                                          -
parameter-removed, -location-changed      sent                                          -
parameter-added, -required-changed        now required, used, not sent                  new optional on a used operation;
                                                                                        now required and sent
property-added/-required (request)        as parameters                                 as parameters
property-removed                          read (response) or sent (request)             -
type-changed                              read or sent (narrowed from "any": attention) -
format-changed, enum-constraint-changed   -                                             read or sent
nullable-changed                          now nullable and read                         now non-nullable and sent
enum-value-added                          -                                             on a read (or relied-on) property
enum-value-removed                        a value the wrapper relies on                 read or sent
property-required-changed (response)      -                                             now optional and read
unresolved-ref-changed                    -                                             read or sent
request-body-*, media-type-*, response-*  media type/2xx response removed while read;   used operation (a removed body
                                          a required body added                         without a schema: harmless)
*-deprecated-changed                      -                                             used / read / sent
security-*, server-*                      -                                             the spec is used at all
operation-added, anything else            -                                             -  (harmless)
========================================  ============================================  ==================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from venuekit._spec_usage import OperationUse

from ._compare import operation_key
from ._model import Area, Change, Classification, Kind

__all__ = ["classify"]

B, A, H = Classification.BREAKING, Classification.ATTENTION, Classification.HARMLESS


def classify(changes: Iterable[Change], usage: Iterable[OperationUse]) -> list[Change]:
    """The same changes with ``classification`` and ``reason`` set from the usage.

    Example::

        classify(compare_documents(old, new), usage_for("deribit"))
    """
    uses: dict[tuple[str, str], OperationUse] = {}
    for given in usage:
        key = operation_key(given.method, given.path)
        known = uses.get(key)
        use = given
        if known is not None:  # two venues on one spec: what either uses counts
            use = OperationUse(
                spec=use.spec,
                method=use.method,
                path=use.path,
                sends=known.sends | use.sends,
                reads=known.reads | use.reads,
                relies_on={
                    k: known.relies_on.get(k, frozenset()) | use.relies_on.get(k, frozenset())
                    for k in known.relies_on.keys() | use.relies_on.keys()
                },
            )
        uses[key] = use
    spec_used = bool(uses)
    out = []
    for change in changes:
        used: OperationUse | None = None
        if change.operation is not None:
            method, _, path = change.operation.partition(" ")
            used = uses.get(operation_key(method, path))
        classification, reason = _rule(change, used, spec_used)
        out.append(attrs.evolve(change, classification=classification, reason=reason))
    return out


def _covers(names: frozenset[str], subject: str | None) -> bool:
    """True when subject is named, or is an ancestor of a name (``result`` covers ``result.x``)."""
    if subject is None:
        return False
    if not subject:  # the body itself: used when anything in it is
        return bool(names)
    return subject in names or any(name.startswith(subject + ".") for name in names)


def _rule(change: Change, use: OperationUse | None, spec_used: bool) -> tuple[Classification, str]:
    kind = change.kind
    if kind in _SPEC_WIDE:
        if change.operation is None:
            return (
                (A, "venuekit uses this spec")
                if spec_used
                else (H, "venuekit does not use this spec")
            )
        return (A, f"venuekit calls {change.operation}") if use else (H, "operation not used")
    if use is None:
        if kind is Kind.OPERATION_REMOVED or change.operation is not None:
            return H, "operation not used by venuekit"
        return H, ""
    op = change.operation
    subject = change.subject
    area = change.area
    sent = area in (Area.PARAMETER, Area.REQUEST) and _covers(use.sends, subject)
    read = area is Area.RESPONSE and _covers(use.reads, subject)
    touched = sent or read
    what = f"venuekit {'sends' if sent else 'reads'} {subject}" if touched else ""
    if kind is Kind.OPERATION_REMOVED:
        return B, f"venuekit calls {op}"
    if kind is Kind.OPERATION_ADDED:
        return H, ""
    if kind in (Kind.PARAMETER_REMOVED, Kind.PARAMETER_LOCATION):
        return (B, what) if sent else (H, f"venuekit does not send {subject}")
    if kind in (Kind.PARAMETER_ADDED, Kind.PARAMETER_REQUIRED) or (
        area is Area.REQUEST and kind in (Kind.PROPERTY_ADDED, Kind.PROPERTY_REQUIRED)
    ):
        return _new_requirement(change, use, sent)
    if kind is Kind.PROPERTY_REQUIRED:  # a response property
        if read and change.new is False:
            return A, f"{what}; it may now be absent"
        return H, ""
    if kind is Kind.PROPERTY_REMOVED:
        return (B, what) if touched else (H, f"venuekit does not use {subject}")
    if kind is Kind.PROPERTY_ADDED:
        return H, "a new response property"
    if kind is Kind.TYPE:
        if not touched:
            return H, ""
        if change.old is None or change.new is None:
            return A, f"{what}; the type was or became unconstrained"
        return B, what
    if kind in (Kind.FORMAT, Kind.ENUM_CONSTRAINT, Kind.UNRESOLVED_REF):
        return (A, what) if touched else (H, "")
    if kind is Kind.NULLABLE:
        if read and change.new is True:
            return B, f"{what}; it may now be null"
        if sent and change.new is False:
            return A, f"{what}; null is no longer accepted"
        return H, ""
    if kind is Kind.ENUM_VALUE_ADDED:
        relied = subject is not None and subject in use.relies_on
        if area is Area.RESPONSE and (read or relied):
            return A, f"{what or 'venuekit relies on ' + str(subject)}; a new value {change.new!r}"
        return H, ""
    if kind is Kind.ENUM_VALUE_REMOVED:
        relied_values = use.relies_on.get(subject or "", frozenset())
        if str(change.old) in relied_values:
            return B, f"venuekit relies on {subject} = {change.old!r}"
        return (A, what) if touched else (H, "")
    if kind in (Kind.RESPONSE_REMOVED, Kind.MEDIA_TYPE_REMOVED) and area is Area.RESPONSE:
        status = (
            (change.location.split("/responses/", 1)[-1].split("/", 1)[0])
            if change.location
            else ""
        )
        if use.reads and (status.startswith("2") or kind is Kind.MEDIA_TYPE_REMOVED):
            return B, f"venuekit reads the {status} response of {op}"
        return A, f"venuekit calls {op}"
    if kind in _DEPRECATED:
        if change.new is True and (kind is Kind.OPERATION_DEPRECATED or touched):
            return A, (what or f"venuekit calls {op}") + "; now deprecated"
        return H, ""
    if (
        kind is Kind.REQUEST_BODY_ADDED
        and isinstance(change.new, Mapping)
        and change.new["required"]
    ):
        return B, f"{op} now requires a request body"
    if (
        kind is Kind.REQUEST_BODY_REMOVED
        and isinstance(change.old, Mapping)
        and not change.old["schema"]
    ):
        return H, "the body had no schema: there was nothing to send"
    if kind in _OPERATION_SHAPE:
        return A, f"venuekit calls {op}"
    return H, ""


def _new_requirement(change: Change, use: OperationUse, sent: bool) -> tuple[Classification, str]:
    subject = change.subject
    if change.kind in (Kind.PARAMETER_ADDED, Kind.PROPERTY_ADDED):
        required = isinstance(change.new, Mapping) and change.new.get("required") is True
    else:
        required = change.new is True
    if required and not sent:
        return B, f"{subject} is now required and venuekit does not send it"
    if required:
        return A, f"{subject} is now required; venuekit sends it (always?)"
    if change.kind in (Kind.PARAMETER_ADDED, Kind.PROPERTY_ADDED):
        return A, f"a new optional {change.area} {subject} on {use.method} {use.path}"
    return H, f"{subject} is no longer required"


_SPEC_WIDE = frozenset(
    {
        Kind.SECURITY_SCHEME_ADDED,
        Kind.SECURITY_SCHEME_REMOVED,
        Kind.SECURITY_SCHEME_CHANGED,
        Kind.SECURITY_REQUIREMENT,
        Kind.SERVER_ADDED,
        Kind.SERVER_REMOVED,
    }
)
_DEPRECATED = frozenset(
    {Kind.OPERATION_DEPRECATED, Kind.PARAMETER_DEPRECATED, Kind.PROPERTY_DEPRECATED}
)
_OPERATION_SHAPE = frozenset(
    {
        Kind.REQUEST_BODY_ADDED,
        Kind.REQUEST_BODY_REMOVED,
        Kind.REQUEST_BODY_REQUIRED,
        Kind.RESPONSE_ADDED,
        Kind.RESPONSE_REMOVED,
        Kind.MEDIA_TYPE_ADDED,
        Kind.MEDIA_TYPE_REMOVED,
    }
)
