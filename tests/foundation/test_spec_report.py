"""The spec change report: hand-made spec pairs per venue give exactly the expected, classified changes.

The pairs are in tests/data/spec_report/ (each new file lists its edits at the top); the usage is
declared here, as the venue registry will declare it (``OperationUse``).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest

from venuekit._spec_usage import OperationUse

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests/data/spec_report"
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

from specreport import Change, Kind, load_spec, parse_spec, report  # noqa: E402

EXCHANGE_USAGE = (
    OperationUse(
        spec="coinbase_exchange",
        method="DELETE",
        path="/orders/{order_id}",
        sends=frozenset({"order_id", "profile_id"}),
    ),
    OperationUse(  # a path written with another parameter name is the same operation
        spec="coinbase_exchange",
        method="get",
        path="/orders/{id}",
        sends=frozenset({"order_id"}),
        reads=frozenset(
            {"id", "status", "done_reason", "settled", "created_at", "fee_details.currency"}
        ),
        relies_on={"status": frozenset({"done"})},
    ),
)
INTX_USAGE = (
    OperationUse(
        spec="coinbase_intx",
        method="DELETE",
        path="/api/v1/orders/{id}",
        sends=frozenset({"id", "portfolio"}),
        reads=frozenset({"order_id", "client_order_id", "event_type", "order_status", "exec_qty"}),
        relies_on={"event_type": frozenset({"CANCELED", "PENDING_CANCEL"})},
    ),
    OperationUse(
        spec="coinbase_intx",
        method="PUT",
        path="/api/v1/orders/{id}",
        sends=frozenset({"id", "portfolio", "price", "client_order_id"}),
        reads=frozenset({"order_id"}),
    ),
)
DERIBIT_USAGE = (
    OperationUse(
        spec="deribit",
        method="GET",
        path="/private/cancel",
        sends=frozenset({"order_id"}),
        reads=frozenset(
            {
                "result.order_id",
                "result.order_state",
                "result.price",
                "result.amount",
                "result.filled_amount",
            }
        ),
        relies_on={"result.order_state": frozenset({"cancelled", "filled"})},
    ),
    OperationUse(
        spec="deribit",
        method="GET",
        path="/private/cancel_by_label",
        sends=frozenset({"label", "currency"}),
        reads=frozenset({"result"}),
    ),
    OperationUse(
        spec="deribit",
        method="GET",
        path="/private/cancel_all",
        sends=frozenset({"currency"}),
        reads=frozenset({"result"}),
    ),
)

S = {"type": "string", "required": False}
EXCHANGE_EXPECTED = [
    ("BREAKING", "PARAMETER_REQUIRED", "DELETE /orders/{order_id}", "product_id", False, True),
    (
        "BREAKING",
        "PARAMETER_LOCATION",
        "DELETE /orders/{order_id}",
        "profile_id",
        "query",
        "header",
    ),
    ("BREAKING", "PROPERTY_REMOVED", "GET /orders/{order_id}", "done_reason", S, None),
    ("BREAKING", "PROPERTY_REMOVED", "GET /orders/{order_id}", "fee_details.currency", S, None),
    ("BREAKING", "TYPE", "GET /orders/{order_id}", "settled", "boolean", "string"),
    ("ATTENTION", "SERVER_REMOVED", None, "/servers", "https://api.exchange.coinbase.com/", None),
    ("ATTENTION", "SERVER_ADDED", None, "/servers", None, "https://api.exchange.coinbase.com/v2/"),
    (
        "ATTENTION",
        "SECURITY_SCHEME_CHANGED",
        None,
        "/components/securitySchemes/ApiKeyAuthPassphrase",
        {"type": "apiKey", "name": "cb-access-passphrase", "in": "header"},
        {"type": "apiKey", "name": "cb-access-passphrase-v2", "in": "header"},
    ),
    (
        "ATTENTION",
        "PARAMETER_ADDED",
        "DELETE /orders/{order_id}",
        "reason",
        None,
        {"in": "query", "required": False, "schema": {"type": "string"}},
    ),
    ("ATTENTION", "FORMAT", "GET /orders/{order_id}", "created_at", "date-time", None),
    ("ATTENTION", "ENUM_VALUE_REMOVED", "GET /orders/{order_id}", "status", "all", None),
    ("ATTENTION", "ENUM_VALUE_ADDED", "GET /orders/{order_id}", "status", None, "expired"),
    ("HARMLESS", "OPERATION_ADDED", "GET /fills", "/paths/~1fills/get", None, "GET /fills"),
    ("HARMLESS", "PROPERTY_ADDED", "POST /orders", "funds", None, S),
    ("HARMLESS", "ENUM_VALUE_REMOVED", "POST /orders", "side", "sell", None),
    (
        "HARMLESS",
        "PROPERTY_REMOVED",
        "POST /orders",
        "stp",
        {"type": "string", "enum": ["dc", "co", "cn", "cb"], "required": False},
        None,
    ),
    # POST /orders returns the same `order`: the same edits, unused there
    ("HARMLESS", "FORMAT", "POST /orders", "created_at", "date-time", None),
    ("HARMLESS", "PROPERTY_REMOVED", "POST /orders", "done_reason", S, None),
    ("HARMLESS", "PROPERTY_REMOVED", "POST /orders", "fee_details.currency", S, None),
    ("HARMLESS", "NULLABLE", "POST /orders", "funding_amount", False, True),
    ("HARMLESS", "TYPE", "POST /orders", "settled", "boolean", "string"),
    ("HARMLESS", "ENUM_VALUE_REMOVED", "POST /orders", "status", "all", None),
    ("HARMLESS", "ENUM_VALUE_ADDED", "POST /orders", "status", None, "expired"),
    ("HARMLESS", "NULLABLE", "GET /orders/{order_id}", "funding_amount", False, True),
]
OLD_AUTH = [
    {"auth_client_id": [], "auth_passphrase": [], "auth_signature": [], "auth_timestamp": []}
]
INTX_EXPECTED = [
    (
        "BREAKING",
        "PARAMETER_ADDED",
        "DELETE /api/v1/orders/{id}",
        "venue",
        None,
        {"in": "query", "required": True, "schema": {"type": "string"}},
    ),
    ("BREAKING", "PROPERTY_REMOVED", "DELETE /api/v1/orders/{id}", "client_order_id", S, None),
    (
        "BREAKING",
        "ENUM_VALUE_REMOVED",
        "DELETE /api/v1/orders/{id}",
        "event_type",
        "PENDING_CANCEL",
        None,
    ),
    ("BREAKING", "NULLABLE", "DELETE /api/v1/orders/{id}", "exec_qty", False, True),
    ("BREAKING", "TYPE", "PUT /api/v1/orders/{id}", "price", "string", "number"),
    ("BREAKING", "PROPERTY_REQUIRED", "PUT /api/v1/orders/{id}", "size", False, True),
    ("ATTENTION", "SERVER_ADDED", None, "/servers", None, "https://api-n5e1.coinbase.com"),
    (
        "ATTENTION",
        "SECURITY_SCHEME_ADDED",
        None,
        "/components/securitySchemes/auth_jwt",
        None,
        {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    ),
    ("ATTENTION", "FORMAT", "DELETE /api/v1/orders/{id}", "portfolio", None, "uuid"),
    (
        "ATTENTION",
        "ENUM_VALUE_ADDED",
        "DELETE /api/v1/orders/{id}",
        "event_type",
        None,
        "CANCEL_QUEUED",
    ),
    (
        "ATTENTION",
        "SECURITY_REQUIREMENT",
        "DELETE /api/v1/orders/{id}",
        "/paths/~1api~1v1~1orders~1{id}/delete/security",
        OLD_AUTH,
        [{"auth_jwt": []}],
    ),
    (
        "ATTENTION",
        "PROPERTY_ADDED",
        "PUT /api/v1/orders/{id}",
        "post_only",
        None,
        {"type": "boolean", "required": False},
    ),
    ("HARMLESS", "PARAMETER_REQUIRED", "GET /api/v1/orders", "portfolio", False, True),
    ("HARMLESS", "PROPERTY_REMOVED", "GET /api/v1/orders", "results.client_order_id", S, None),
    (
        "HARMLESS",
        "ENUM_VALUE_REMOVED",
        "GET /api/v1/orders",
        "results.event_type",
        "PENDING_CANCEL",
        None,
    ),
    (
        "HARMLESS",
        "ENUM_VALUE_ADDED",
        "GET /api/v1/orders",
        "results.event_type",
        None,
        "CANCEL_QUEUED",
    ),
    ("HARMLESS", "NULLABLE", "GET /api/v1/orders", "results.exec_qty", False, True),
    ("HARMLESS", "PROPERTY_REMOVED", "GET /api/v1/orders", "results.text", S, None),
    ("HARMLESS", "PROPERTY_REMOVED", "DELETE /api/v1/orders/{id}", "text", S, None),
    ("HARMLESS", "PROPERTY_REMOVED", "PUT /api/v1/orders/{id}", "stop_price", S, None),
    # PUT returns the same OrderResult_v1 but venuekit reads only order_id there
    ("HARMLESS", "PROPERTY_REMOVED", "PUT /api/v1/orders/{id}", "client_order_id", S, None),
    (
        "HARMLESS",
        "ENUM_VALUE_REMOVED",
        "PUT /api/v1/orders/{id}",
        "event_type",
        "PENDING_CANCEL",
        None,
    ),
    (
        "HARMLESS",
        "ENUM_VALUE_ADDED",
        "PUT /api/v1/orders/{id}",
        "event_type",
        None,
        "CANCEL_QUEUED",
    ),
    ("HARMLESS", "NULLABLE", "PUT /api/v1/orders/{id}", "exec_qty", False, True),
    ("HARMLESS", "PROPERTY_REMOVED", "PUT /api/v1/orders/{id}", "text", S, None),
    (
        "HARMLESS",
        "OPERATION_REMOVED",
        "GET /api/v1/portfolios",
        "/paths/~1api~1v1~1portfolios/get",
        "GET /api/v1/portfolios",
        None,
    ),
]
NO_BODY = {"required": False, "content": ["application/json"], "schema": False}
CURRENCIES = ["BTC", "ETH", "USDC", "USDT", "EURR"]
DERIBIT_EXPECTED = [
    (
        "BREAKING",
        "PROPERTY_REMOVED",
        "GET /private/cancel",
        "result.amount",
        {"type": "number", "required": False},
        None,
    ),
    ("BREAKING", "NULLABLE", "GET /private/cancel", "result.filled_amount", False, True),
    (
        "BREAKING",
        "PARAMETER_REMOVED",
        "GET /private/cancel_all",
        "currency",
        {"in": "query", "required": False, "schema": {"type": "string", "enum": CURRENCIES}},
        None,
    ),
    ("BREAKING", "PARAMETER_REQUIRED", "GET /private/cancel_all", "kind", False, True),
    ("BREAKING", "TYPE", "GET /private/cancel_all", "result", "integer", "number"),
    ("BREAKING", "TYPE", "GET /private/cancel_by_label", "result", "integer", "number"),
    ("ATTENTION", "SERVER_REMOVED", None, "/servers", "http://localhost:8082/api/v2", None),
    ("ATTENTION", "SERVER_ADDED", None, "/servers", None, "https://www.deribit.com/api/v2"),
    (
        "ATTENTION",
        "ENUM_VALUE_REMOVED",
        "GET /private/cancel",
        "result.order_state",
        "untriggered",
        None,
    ),
    ("ATTENTION", "ENUM_VALUE_ADDED", "GET /private/cancel", "result.order_state", None, "expired"),
    (
        "ATTENTION",
        "UNRESOLVED_REF",
        "GET /private/cancel",
        "result.price",
        {"$ref": "#/components/schemas/open_order_price", "resolved": False},
        {"type": ["number", "string"]},
    ),
    ("ATTENTION", "ENUM_VALUE_REMOVED", "GET /private/cancel_by_label", "currency", "EURR", None),
    (
        "HARMLESS",  # a schema-less body (the received Deribit file's) sends nothing
        "REQUEST_BODY_REMOVED",
        "GET /private/cancel",
        "/paths/~1private~1cancel/get/requestBody",
        NO_BODY,
        None,
    ),
    (
        "HARMLESS",
        "ENUM_VALUE_ADDED",
        "GET /private/cancel",
        "result.cancel_reason",
        None,
        "mmp_trigger",
    ),
    (
        "HARMLESS",
        "PROPERTY_ADDED",
        "GET /private/cancel",
        "result.is_rebalance",
        None,
        {"type": "boolean", "required": False},
    ),
    (
        "HARMLESS",
        "REQUEST_BODY_REMOVED",
        "GET /private/cancel_by_label",
        "/paths/~1private~1cancel_by_label/get/requestBody",
        NO_BODY,
        None,
    ),
    (
        "HARMLESS",
        "OPERATION_REMOVED",
        "GET /public/get_time",
        "/paths/~1public~1get_time/get",
        "GET /public/get_time",
        None,
    ),
    (
        "HARMLESS",
        "OPERATION_ADDED",
        "GET /public/test",
        "/paths/~1public~1test/get",
        None,
        "GET /public/test",
    ),
]

PAIRS = {
    "coinbase_exchange": (EXCHANGE_USAGE, EXCHANGE_EXPECTED),
    "coinbase_intx": (INTX_USAGE, INTX_EXPECTED),
    "deribit": (DERIBIT_USAGE, DERIBIT_EXPECTED),
}


def _rows(changes: list[Change]) -> list[tuple[Any, ...]]:
    return [
        (c.classification.name, c.kind.name, c.operation, c.subject or c.location, c.old, c.new)
        for c in changes
    ]


def _pair(venue: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return load_spec(DATA / f"{venue}_old.yaml"), load_spec(DATA / f"{venue}_new.yaml")


@pytest.mark.parametrize("venue", sorted(PAIRS))
def test_pair_gives_exactly_the_edits_classified_for_the_usage(venue: str) -> None:
    usage, expected = PAIRS[venue]
    old, new = _pair(venue)
    assert _rows(report(old, new, usage=usage)) == expected


@pytest.mark.parametrize("venue", sorted(PAIRS))
def test_nothing_used_means_nothing_breaks_or_needs_attention(venue: str) -> None:
    old, new = _pair(venue)
    changes = report(old, new, usage=())
    assert {c.classification.name for c in changes} == {"HARMLESS"}
    assert len(changes) == len(PAIRS[venue][1])


@pytest.mark.parametrize("venue", sorted(PAIRS))
def test_each_venue_pair_has_a_new_enum_value_a_removed_read_property_and_a_newly_required_parameter(
    venue: str,
) -> None:
    rows = _rows(report(*_pair(venue), usage=PAIRS[venue][0]))
    kinds = {(row[0], row[1]) for row in rows}
    assert ("ATTENTION", "ENUM_VALUE_ADDED") in kinds
    assert ("BREAKING", "PROPERTY_REMOVED") in kinds
    assert kinds & {("BREAKING", "PARAMETER_REQUIRED"), ("HARMLESS", "PARAMETER_REQUIRED")}


def test_the_pairs_together_cover_every_change_kind_the_issue_names() -> None:
    found = {c.kind for venue in PAIRS for c in report(*_pair(venue), usage=PAIRS[venue][0])}
    named = {
        Kind.OPERATION_ADDED, Kind.OPERATION_REMOVED,
        Kind.PARAMETER_ADDED, Kind.PARAMETER_REMOVED, Kind.PARAMETER_REQUIRED, Kind.PARAMETER_LOCATION,
        Kind.PROPERTY_ADDED, Kind.PROPERTY_REMOVED, Kind.TYPE, Kind.FORMAT, Kind.NULLABLE,
        Kind.ENUM_VALUE_ADDED, Kind.ENUM_VALUE_REMOVED,
        Kind.SECURITY_SCHEME_ADDED, Kind.SECURITY_SCHEME_CHANGED,
        Kind.SERVER_ADDED, Kind.SERVER_REMOVED,
    }  # fmt: skip
    assert named <= found


@pytest.mark.parametrize("spec_file", sorted((ROOT / "specs").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_committed_spec_against_itself_reports_nothing(spec_file: Path) -> None:
    spec = load_spec(spec_file)
    assert report(spec, copy.deepcopy(spec), usage=()) == []


def _noisy(spec: dict[str, Any]) -> dict[str, Any]:
    """The same wire contract written differently: docs, order, $ref versus inline, extras."""
    noisy = copy.deepcopy(spec)
    noisy["info"] = {"title": "Renamed", "version": "9", "description": "new words"}
    noisy["tags"] = [{"name": "Trading"}]
    noisy["paths"] = dict(reversed(list(noisy["paths"].items())))
    cancel = noisy["paths"]["/private/cancel"]["get"]
    cancel["description"] = "changed prose"
    cancel["operationId"] = "privateCancel"
    cancel["x-mint"] = {"href": "/elsewhere"}
    cancel["requestBody"]["content"]["application/json"]["examples"] = {}
    cancel["parameters"][0]["schema"] = {"type": "string", "example": "BTC-1"}  # inlined $ref
    cancel["responses"]["200"].pop("content")  # the ignored sibling of the $ref
    label = noisy["paths"]["/private/cancel_by_label"]["get"]
    label["parameters"].reverse()
    schemas = noisy["components"]["schemas"]
    schemas["order"]["properties"] = dict(reversed(list(schemas["order"]["properties"].items())))
    schemas["order"]["required"].reverse()
    schemas["order"]["properties"]["order_state"]["enum"].reverse()
    schemas["order"]["properties"]["label"]["description"] = "a label"
    schemas["currency_copy"] = schemas.pop("currency")  # renamed component, references follow
    for op in ("/private/cancel_by_label", "/private/cancel_all"):
        for param in noisy["paths"][op]["get"]["parameters"]:
            if param["name"] == "currency":
                param["schema"] = {"$ref": "#/components/schemas/currency_copy"}
    schemas["never_referenced"] = {"type": "object", "properties": {"x": {"type": "integer"}}}
    del noisy["components"]["parameters"]
    return noisy


def test_documentation_ordering_and_ref_layout_are_not_changes() -> None:
    old = load_spec(DATA / "deribit_old.yaml")
    assert report(old, _noisy(old), usage=DERIBIT_USAGE) == []


def _doc(version: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/x": {
                "get": {"responses": {"200": {"content": {"application/json": {"schema": schema}}}}}
            }
        },
        "components": {"schemas": {"leaf": {"type": "string"}}},
    }


READ_V = (OperationUse(spec="t", method="GET", path="/x", reads=frozenset({"v"})),)


@pytest.mark.parametrize(
    ("old_v", "new_v", "changed"),
    [
        ({"type": "string", "nullable": True}, {"type": ["string", "null"]}, False),
        ({"type": "string"}, {"type": ["string", "null"]}, True),
        ({"type": ["string", "null"]}, {"type": "string"}, True),
        (
            {"type": "string"},
            {"oneOf": [{"$ref": "#/components/schemas/leaf"}, {"type": "null"}]},
            True,
        ),
        (
            {"type": "string", "nullable": True},
            {"anyOf": [{"type": "string"}, {"type": "null"}]},
            False,
        ),
        ({"type": "string"}, {"type": "string", "enum": ["a", None]}, True),
    ],
)
def test_nullability_reads_openapi_30_and_31_alike(
    old_v: dict[str, Any], new_v: dict[str, Any], changed: bool
) -> None:
    old = _doc("3.0.3", {"type": "object", "properties": {"v": old_v}})
    new = _doc("3.1.0", {"type": "object", "properties": {"v": new_v}})
    kinds = [(c.kind, c.classification.name) for c in report(old, new, usage=READ_V)]
    nullable = [k for k in kinds if k[0] is Kind.NULLABLE]
    if not changed:
        assert nullable == []
    else:
        assert len(nullable) == 1
        became_nullable = "null" in str(new_v) or "None" in str(new_v)
        assert nullable[0][1] == ("BREAKING" if became_nullable else "HARMLESS")


def test_recursive_schemas_stop_and_allof_parts_are_compared() -> None:
    node_old = {
        "type": "object",
        "properties": {"next": {"$ref": "#/components/schemas/b"}, "v": {"type": "string"}},
    }
    old = _doc("3.0.3", {"$ref": "#/components/schemas/a"})
    old["components"]["schemas"].update(
        {
            "a": {"allOf": [node_old, {"properties": {"w": {"type": "integer"}}}]},
            "b": {"type": "object", "properties": {"back": {"$ref": "#/components/schemas/a"}}},
        }
    )
    new = copy.deepcopy(old)
    del new["components"]["schemas"]["a"]["allOf"][1]["properties"]["w"]  # inside allOf
    new["components"]["schemas"]["a"]["allOf"][0]["properties"]["v"]["format"] = "uuid"
    rows = [(c.kind, c.subject) for c in report(old, new, usage=())]
    # each change once, at its first place: not again under next.back, next.back.next.back...
    assert rows == [(Kind.FORMAT, "v"), (Kind.PROPERTY_REMOVED, "w")]
    # where the cycle closes, the schema's own keywords are still compared
    new["components"]["schemas"]["b"]["properties"]["back"] = {"type": "string"}
    rows = [(c.kind, c.subject, c.old, c.new) for c in report(old, new, usage=())]
    assert (Kind.TYPE, "next.back", None, "string") in rows


def test_a_schema_made_only_of_itself_does_not_loop() -> None:
    old = _doc("3.1.0", {"$ref": "#/components/schemas/loop"})
    old["components"]["schemas"]["loop"] = {
        "allOf": [{"$ref": "#/components/schemas/loop"}],
        "oneOf": [{"$ref": "#/components/schemas/loop"}, {"type": "null"}],
        "properties": {"self": {"$ref": "#/components/schemas/loop"}},
    }
    new = copy.deepcopy(old)
    new["components"]["schemas"]["loop"]["properties"]["extra"] = {"type": "integer"}
    assert [(c.kind, c.subject) for c in report(old, new, usage=())] == [
        (Kind.PROPERTY_ADDED, "extra")
    ]


def test_yaml_and_json_texts_parse_to_the_same_document() -> None:
    text = (DATA / "deribit_old.yaml").read_text(encoding="utf-8")
    document = parse_spec(text)
    import json

    assert parse_spec(json.dumps(document)) == document
    with pytest.raises(ValueError, match="not an OpenAPI document"):
        parse_spec("just: yaml")


def test_two_venues_on_one_spec_count_what_either_uses() -> None:
    """Deribit direct and the Coinbase gateway may both declare operations of spec "deribit"."""
    old, new = _pair("deribit")
    direct = OperationUse(
        spec="deribit", method="GET", path="/private/cancel", reads={"result.order_id"}
    )
    gateway = OperationUse(
        spec="deribit",
        method="GET",
        path="/private/cancel",
        reads={"result.amount"},
        relies_on={"result.order_state": frozenset({"untriggered"})},
    )
    rows = {
        (c.kind, c.subject): c.classification.name
        for c in report(old, new, usage=(direct, gateway))
    }
    assert rows[(Kind.PROPERTY_REMOVED, "result.amount")] == "BREAKING"
    assert rows[(Kind.ENUM_VALUE_REMOVED, "result.order_state")] == "BREAKING"
    assert rows[(Kind.NULLABLE, "result.filled_amount")] == "HARMLESS"


def test_request_bodies_classified_by_what_the_wrapper_can_send() -> None:
    body = {"content": {"application/json": {"schema": {"type": "object"}}}}
    base = _doc("3.0.3", {"type": "string"})
    with_body = copy.deepcopy(base)
    with_body["paths"]["/x"]["get"]["requestBody"] = body
    required_body = copy.deepcopy(base)
    required_body["paths"]["/x"]["get"]["requestBody"] = {**body, "required": True}
    schemaless = copy.deepcopy(base)
    schemaless["paths"]["/x"]["get"]["requestBody"] = {"content": {"application/json": {}}}
    used = (OperationUse(spec="t", method="GET", path="/x"),)

    def classes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
        return [(c.kind.value, c.classification.value) for c in report(old, new, usage=used)]

    assert classes(with_body, base) == [("request-body-removed", "needs-attention")]
    assert classes(schemaless, base) == [("request-body-removed", "harmless")]
    assert classes(base, required_body) == [("request-body-added", "breaking")]
    assert classes(base, with_body) == [("request-body-added", "needs-attention")]
    assert classes(with_body, required_body) == [
        ("request-body-required-changed", "needs-attention")
    ]
