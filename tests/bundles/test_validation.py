"""Bad bundles: every problem named by its JSON path, and the database left exactly as it was."""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Callable
from typing import Any

import pytest

from apps.bundles.services import bundle_import, bundle_load
from apps.bundles.validation import BundleError
from apps.knowledge.models import Policy

from .conftest import db_snapshot

pytestmark = pytest.mark.django_db

Mutation = Callable[[dict[str, Any]], Any]


def _set(path: str, value: Any) -> Mutation:
    """A mutation setting bundle[path] (dotted, with numeric list indexes) to value; _DEL deletes."""

    def mutate(bundle: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = bundle
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        key: Any = int(last) if last.isdigit() else last
        if value is _DEL:
            del node[key]
        else:
            node[key] = value

    return mutate


_DEL = object()

CASES: list[tuple[str, Mutation, str]] = [
    ("wrong format", _set("format", "shopify"), 'format: expected "supportbot.store-bundle"'),
    ("missing version", _set("version", _DEL), "version: is required"),
    ("future version", _set("version", 2), "version: unsupported version 2"),
    ("store not an object", _set("store", "Northwind"), "store: expected an object, got string"),
    ("missing store name", _set("store.name", _DEL), "store.name: is required"),
    (
        "bad time zone",
        _set("store.timezone", "Mars/Olympus"),
        'store.timezone: unknown time zone "Mars/Olympus"',
    ),
    ("products not a list", _set("products", {}), "products: expected an array, got object"),
    ("product name a number", _set("products.0.name", 42), "products[0].name: expected a string, got number"),
    ("missing product id", _set("products.1.external_id", _DEL), "products[1].external_id: is required"),
    ("empty product id", _set("products.1.external_id", "  "), "products[1].external_id: must not be empty"),
    ("missing variants", _set("products.1.variants", _DEL), "products[1].variants: is required"),
    (
        "duplicate product",
        _set("products.1.external_id", "9523456873"),
        'products[1].external_id: duplicate product external_id "9523456873" (first at products[0])',
    ),
    (
        "duplicate variant across products",
        _set("products.1.variants.0.external_id", "4153505239"),
        'products[1].variants[0].external_id: duplicate variant external_id "4153505239" '
        "(first at products[0].variants[1])",
    ),
    (
        "negative stock",
        _set("products.0.variants.0.stock", -1),
        "products[0].variants[0].stock: must not be negative",
    ),
    (
        "fractional stock",
        _set("products.0.variants.0.stock", 1.5),
        "products[0].variants[0].stock: expected an integer",
    ),
    (
        "price as number",
        _set("products.0.variants.0.price", 129.99),
        "products[0].variants[0].price: expected a decimal string",
    ),
    (
        "negative price",
        _set("products.0.variants.0.price", "-5"),
        'products[0].variants[0].price: "-5" is not an amount',
    ),
    (
        "comma price",
        _set("products.0.variants.0.price", "12,50"),
        'products[0].variants[0].price: "12,50" is not an amount',
    ),
    ("price with currency", _set("products.0.variants.0.price", "$5"), "products[0].variants[0].price"),
    ("too precise price", _set("products.0.variants.0.price", "1.23456"), "has more than 4 decimal places"),
    ("huge price", _set("products.0.variants.0.price", "99999999999"), "is too large"),
    (
        "available as string",
        _set("products.0.variants.0.available", "yes"),
        "available: expected true or false, got string",
    ),
    (
        "missing options",
        _set("products.0.variants.0.options", _DEL),
        "products[0].variants[0].options: is required",
    ),
    (
        "options a list",
        _set("products.0.variants.0.options", ["10"]),
        "options: expected an object, got array",
    ),
    ("NUL in a name", _set("products.0.name", "Shoe\x00"), "products[0].name: contains a NUL character"),
    ("NUL in extra", _set("products.0.handle", "a\x00b"), "products[0].handle: contains a NUL character"),
    (
        "too long sku",
        _set("products.0.variants.0.sku", "x" * 201),
        "sku: is 201 characters long; at most 200",
    ),
    ("missing email", _set("customers.1.email", _DEL), "customers[1].email: is required"),
    (
        "bad email",
        _set("customers.1.email", "zoe at example"),
        'customers[1].email: "zoe at example" is not an email',
    ),
    (
        "duplicate customer",
        _set("customers.1.external_id", "noah_brown_6181"),
        'customers[1].external_id: duplicate customer external_id "noah_brown_6181"',
    ),
    (
        "address a string",
        _set("customers.0.address", "986 Sunset"),
        "customers[0].address: expected an object",
    ),
    ("unknown customer", _set("orders.1.customer", "ghost"), 'orders[1].customer: unknown customer "ghost"'),
    (
        "unknown variant",
        _set("orders.0.lines.1.variant", "x"),
        'orders[0].lines[1].variant: unknown variant "x"',
    ),
    (
        "unknown shipped variant",
        _set("orders.0.shipments.0.variants.1", "nope"),
        'orders[0].shipments[0].variants[1]: unknown variant "nope"',
    ),
    ("duplicate order", _set("orders.1.external_id", "#W2611340"), 'duplicate order external_id "#W2611340"'),
    (
        "bad status",
        _set("orders.0.status", "lost"),
        'orders[0].status: "lost" is not one of pending, processed',
    ),
    ("missing status", _set("orders.0.status", None), "orders[0].status: is required"),
    (
        "naive timestamp",
        _set("orders.0.placed_at", "2026-10-02T14:05:00"),
        'orders[0].placed_at: "2026-10-02T14:05:00" has no time zone',
    ),
    (
        "date only",
        _set("orders.0.placed_at", "2026-10-02"),
        'orders[0].placed_at: "2026-10-02" has no time zone',
    ),
    (
        "not a timestamp",
        _set("orders.0.delivered_at", "yesterday"),
        'orders[0].delivered_at: "yesterday" is not an ISO 8601',
    ),
    (
        "epoch timestamp",
        _set("orders.0.placed_at", 1760000000),
        "orders[0].placed_at: expected an ISO 8601 timestamp string",
    ),
    ("missing lines", _set("orders.0.lines", _DEL), "orders[0].lines: is required"),
    (
        "zero quantity",
        _set("orders.0.lines.0.quantity", 0),
        "orders[0].lines[0].quantity: must be at least 1, got 0",
    ),
    (
        "negative quantity",
        _set("orders.0.lines.0.quantity", -2),
        "orders[0].lines[0].quantity: must be at least 1",
    ),
    (
        "quantity as string",
        _set("orders.0.lines.0.quantity", "1"),
        "orders[0].lines[0].quantity: expected an integer, got string",
    ),
    (
        "bad unit price",
        _set("orders.0.lines.0.unit_price", "1e3"),
        'orders[0].lines[0].unit_price: "1e3" is not an amount',
    ),
    (
        "bad payment kind",
        _set("orders.0.payments.0.kind", "chargeback"),
        'orders[0].payments[0].kind: "chargeback" is not one of',
    ),
    (
        "tracking number a number",
        _set("orders.0.shipments.0.tracking_numbers", [123]),
        "orders[0].shipments[0].tracking_numbers[0]: expected a string, got number",
    ),
    ("missing faq answer", _set("faqs.0.answer", ""), "faqs[0].answer: must not be empty"),
    (
        "duplicate faq",
        _set("faqs.1.external_id", "faq-returns-window"),
        'duplicate FAQ external_id "faq-returns-window"',
    ),
    ("missing policy body", _set("policies.0.body", _DEL), "policies[0].body: is required"),
    (
        "unknown rule",
        _set("policies.0.rules.restocking_fee", 5),
        "policies[0].rules.restocking_fee: unknown rule",
    ),
    (
        "window as string",
        _set("policies.0.rules.return_window_days", "30"),
        "policies[0].rules.return_window_days: expected an integer",
    ),
    (
        "negative window",
        _set("policies.0.rules.exchange_window_days", -1),
        "policies[0].rules.exchange_window_days: must not be negative",
    ),
    (
        "bad payer",
        _set("policies.1.rules.return_shipping_paid_by", "carrier"),
        'policies[1].rules.return_shipping_paid_by: "carrier" is not one of store, customer',
    ),
    (
        "same rule in two policies",
        _set("policies.1.rules.return_window_days", 14),
        'policies[1].rules.return_window_days: also set by policy "returns" (policies[0])',
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_bundle_is_rejected_with_its_path_and_changes_nothing(
    shoe_bundle, electronics_bundle, mutate, expected
):
    # given: another store already imported, so "unchanged" means something
    bundle_import(data=electronics_bundle)
    before = db_snapshot()
    mutate(shoe_bundle)

    # when
    with pytest.raises(BundleError) as caught:
        bundle_import(data=shoe_bundle, prune=True)

    # then
    assert any(expected in error for error in caught.value.errors), caught.value.errors
    assert db_snapshot() == before


def test_all_errors_are_reported_at_once(shoe_bundle):
    shoe_bundle["products"][0]["variants"][0]["price"] = "abc"
    shoe_bundle["products"][0]["variants"][1]["stock"] = -3
    shoe_bundle["orders"][1]["lines"][0]["variant"] = "missing"
    shoe_bundle["policies"][0]["rules"]["return_shipping_paid_by"] = "customer"

    with pytest.raises(BundleError) as caught:
        bundle_import(data=shoe_bundle)

    errors = caught.value.errors
    assert len(errors) == 4, errors
    assert errors[2] == 'orders[1].lines[0].variant: unknown variant "missing"'
    assert "policies[1].rules.return_shipping_paid_by: also set by" in errors[3]


def test_rule_clashing_with_a_policy_kept_in_the_database(shoe_bundle, electronics_bundle):
    # given: the database holds a policy the bundle does not list, with a return window
    bundle_import(data=shoe_bundle)
    electronics_bundle["policies"][0]["rules"] = {"return_window_days": 14}

    # when / then: kept alongside, the two windows would clash...
    with pytest.raises(BundleError, match='also set by policy "returns" in the database'):
        bundle_import(data=electronics_bundle)
    # ...pruned, the old policy goes and there is no clash
    electronics_bundle["policies"][0]["rules"] = {"return_window_days": 14}
    bundle_import(data=electronics_bundle, prune=True)
    assert list(Policy.objects.values_list("external_id", flat=True)) == ["warranty"]


def test_top_level_must_be_an_object():
    with pytest.raises(BundleError, match=r"\(top level\): expected an object, got array"):
        bundle_import(data=[])  # type: ignore[arg-type]


# --- loading files ---------------------------------------------------------------------------------


def test_malformed_json_names_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "supportbot.store-bundle",\n  "version": 1,,\n}', encoding="utf-8")

    with pytest.raises(BundleError) as caught:
        bundle_load(path=path)

    assert caught.value.errors == [
        f"{path}: invalid JSON at line 3, column 16: Expecting property name enclosed in double quotes"
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"[1, 2]", "not a JSON bundle (a bundle starts with '{', this starts with '['"),
        (b'{"a": NaN}', "NaN is not valid JSON"),
        ('{"name": "caf\u00e9"}'.encode("latin-1"), "not UTF-8 text (invalid byte at offset 13, line 1)"),
        (b"\x1f\x8b\x08\x00garbage", "not a valid gzip file"),
        (b"PK\x03\x04\x14\x00\x00\x00", "binary data (NUL byte at offset 5)"),
    ],
    ids=["empty", "array", "nan", "latin-1", "broken-gzip", "zip"],
)
def test_unreadable_files_are_refused_clearly(tmp_path, content, expected):
    path = tmp_path / "bundle.json"
    path.write_bytes(content)

    with pytest.raises(BundleError) as caught:
        bundle_load(path=path)

    assert expected in caught.value.errors[0]


def test_missing_file(tmp_path):
    with pytest.raises(BundleError, match="cannot read: No such file or directory"):
        bundle_load(path=tmp_path / "nope.json")


def test_gzip_bomb_is_refused_past_the_size_limit(tmp_path):
    import gzip

    path = tmp_path / "bomb.json.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(b'{"format": "' + b"a" * (8 << 20) + b'"}')

    with pytest.raises(BundleError, match="decompresses to more than 4,194,304 bytes"):
        bundle_load(path=path, max_bytes=4 << 20)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("kind", ["random-bytes", "text", "brace-then-junk"])
def test_50_mb_garbage_fails_fast(tmp_path, kind):
    # given: 50 MB of garbage of three kinds, generated here
    path = tmp_path / "garbage.json"
    size = 50 * 1024 * 1024
    if kind == "random-bytes":
        path.write_bytes(os.urandom(size))
    elif kind == "text":
        path.write_bytes(b"lorem ipsum " * (size // 12))
    else:
        path.write_bytes(b"{" + b"x" * size)
    peak_before = _peak_rss_mb()

    # when
    started = time.monotonic()
    with pytest.raises(BundleError) as caught:
        bundle_load(path=path)
    elapsed = time.monotonic() - started

    # then: a clear error, in well under a few seconds, without loading gigabytes
    assert elapsed < 5, elapsed
    assert _peak_rss_mb() - peak_before < 400
    message = caught.value.errors[0]
    assert str(path) in message
    assert any(
        hint in message
        for hint in ("not UTF-8 text", "binary data", "not a JSON bundle", "invalid JSON at line 1, column 2")
    ), message


def test_garbage_json_values_are_type_errors(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(
        json.dumps({"format": 1, "version": "1", "store": [], "products": "none"}), encoding="utf-8"
    )

    with pytest.raises(BundleError) as caught:
        bundle_import(data=bundle_load(path=path))

    assert caught.value.errors == [
        'format: expected "supportbot.store-bundle", got 1',
        'version: unsupported version "1"; this importer reads version 1',
        "store: expected an object, got array",
        "products: expected an array, got string",
    ]
