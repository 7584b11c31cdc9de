"""Store-bundle export: the database as one bundle dict, in a canonical, stable form.

Canonical means export → import → export is byte-identical: every list is sorted by external id
(order lines, shipments and payments keep their position), known keys come in the contract's order,
unknown keys (kept in ``extra``) follow sorted, and free-form objects have their keys sorted (jsonb
does not keep key order, so the export must not depend on it).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from tqdm import tqdm

from apps.bundles.validation import FORMAT, VERSION
from apps.catalog.models import Product, Store, Variant, money_str
from apps.knowledge.models import FAQ, Policy
from apps.orders.models import Customer, Order, OrderLine, Payment, Shipment

_CHUNK = 5000


def _canon(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _canon(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_canon(item) for item in value]
    return value


def _with_extra(known: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    """Known keys, then the unknown ones the bundle brought in, where they came from."""
    if extra:
        for key in sorted(extra):
            if key not in known:
                known[key] = _canon(extra[key])
    return known


def _ts(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _by_ext(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Sort in Python by code point: the database's collation may differ between machines.
    return sorted(rows, key=lambda row: row["external_id"])


def bundle_export(*, progress: bool = False) -> dict[str, Any]:
    """The whole store as a bundle dict (see STORE_BUNDLE.md); write it with ``bundle_dumps``."""
    store = Store.objects.filter(pk=1).first() or Store()
    counts = [
        Product.objects.count(),
        Variant.objects.count(),
        Customer.objects.count(),
        Order.objects.count(),
    ]
    with tqdm(total=sum(counts), desc="export", unit="obj", disable=not progress, leave=False) as bar:
        products = _products(bar)
        customers = _customers(bar)
        orders = _orders(bar)
    bundle: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "store": _with_extra(
            {
                "name": store.name,
                "currency": store.currency,
                "locale": store.locale,
                "timezone": store.timezone,
            },
            store.extra,
        ),
        "products": products,
        "customers": customers,
        "orders": orders,
        "faqs": _faqs(),
        "policies": _policies(),
    }
    return _with_extra(bundle, store.bundle_extra)


def bundle_dumps(data: dict[str, Any]) -> str:
    """The bundle as text: UTF-8 friendly, indented, key order as built, trailing newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _products(bar: tqdm) -> list[dict[str, Any]]:
    variants: dict[int, list[dict[str, Any]]] = defaultdict(list)
    fields = ("product_id", "external_id", "sku", "options", "price", "stock", "available", "extra")
    for row in Variant.objects.order_by().values(*fields).iterator(chunk_size=_CHUNK):
        variants[row["product_id"]].append(
            _with_extra(
                {
                    "external_id": row["external_id"],
                    "sku": row["sku"],
                    "options": _canon(row["options"] or {}),
                    "price": money_str(row["price"]),
                    "stock": row["stock"],
                    "available": row["available"],
                },
                row["extra"],
            )
        )
        bar.update(1)
    out = []
    fields = ("id", "external_id", "name", "description", "category", "attributes", "size_chart", "extra")
    for row in Product.objects.order_by().values(*fields).iterator(chunk_size=_CHUNK):
        out.append(
            _with_extra(
                {
                    "external_id": row["external_id"],
                    "name": row["name"],
                    "description": row["description"],
                    "category": row["category"],
                    "attributes": _canon(row["attributes"] or {}),
                    "size_chart": row["size_chart"],
                    "variants": _by_ext(variants.pop(row["id"], [])),
                },
                row["extra"],
            )
        )
        bar.update(1)
    return _by_ext(out)


def _customers(bar: tqdm) -> list[dict[str, Any]]:
    out = []
    fields = ("external_id", "email", "first_name", "last_name", "phone", "address", "extra")
    for row in Customer.objects.order_by().values(*fields).iterator(chunk_size=_CHUNK):
        out.append(
            _with_extra(
                {
                    "external_id": row["external_id"],
                    "email": row["email"],
                    "first_name": row["first_name"],
                    "last_name": row["last_name"],
                    "phone": row["phone"],
                    "address": _canon(row["address"]),
                },
                row["extra"],
            )
        )
        bar.update(1)
    return _by_ext(out)


def _orders(bar: tqdm) -> list[dict[str, Any]]:
    variant_ext = dict(
        Variant.objects.order_by().values_list("id", "external_id").iterator(chunk_size=_CHUNK)
    )
    customer_ext = dict(
        Customer.objects.order_by().values_list("id", "external_id").iterator(chunk_size=_CHUNK)
    )

    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    fields = ("order_id", "variant_id", "quantity", "unit_price", "extra")
    for row in (
        OrderLine.objects.order_by("order_id", "position", "id").values(*fields).iterator(chunk_size=_CHUNK)
    ):
        lines[row["order_id"]].append(
            _with_extra(
                {
                    "variant": variant_ext[row["variant_id"]],
                    "quantity": row["quantity"],
                    "unit_price": money_str(row["unit_price"]),
                },
                row["extra"],
            )
        )

    shipment_variants: dict[int, list[str]] = defaultdict(list)
    through = Shipment.variants.through
    for shipment_id, variant_id in through.objects.values_list("shipment_id", "variant_id").iterator(
        chunk_size=_CHUNK
    ):
        shipment_variants[shipment_id].append(variant_ext[variant_id])
    shipments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    fields = ("id", "order_id", "carrier", "tracking_numbers", "shipped_at", "delivered_at", "extra")
    for row in (
        Shipment.objects.order_by("order_id", "position", "id").values(*fields).iterator(chunk_size=_CHUNK)
    ):
        shipments[row["order_id"]].append(
            _with_extra(
                {
                    "carrier": row["carrier"],
                    "tracking_numbers": list(row["tracking_numbers"] or []),
                    # A set in the database (many-to-many): sorted for a stable export.
                    "variants": sorted(shipment_variants.get(row["id"], [])),
                    "shipped_at": _ts(row["shipped_at"]),
                    "delivered_at": _ts(row["delivered_at"]),
                },
                row["extra"],
            )
        )

    payments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    fields = ("order_id", "method", "amount", "kind", "extra")
    for row in (
        Payment.objects.order_by("order_id", "position", "id").values(*fields).iterator(chunk_size=_CHUNK)
    ):
        payments[row["order_id"]].append(
            _with_extra(
                {"method": row["method"], "amount": money_str(row["amount"]), "kind": row["kind"]},
                row["extra"],
            )
        )

    out = []
    fields = (
        "id",
        "external_id",
        "customer_id",
        "status",
        "placed_at",
        "delivered_at",
        "shipping_address",
        "extra",
    )
    for row in Order.objects.order_by().values(*fields).iterator(chunk_size=_CHUNK):
        order_id = row["id"]
        out.append(
            _with_extra(
                {
                    "external_id": row["external_id"],
                    "customer": customer_ext[row["customer_id"]],
                    "status": row["status"],
                    "placed_at": _ts(row["placed_at"]),
                    "delivered_at": _ts(row["delivered_at"]),
                    "lines": lines.pop(order_id, []),
                    "shipments": shipments.pop(order_id, []),
                    "payments": payments.pop(order_id, []),
                    "shipping_address": _canon(row["shipping_address"]),
                },
                row["extra"],
            )
        )
        bar.update(1)
    return _by_ext(out)


def _faqs() -> list[dict[str, Any]]:
    out = []
    for row in FAQ.objects.order_by().values(
        "external_id", "question", "answer", "tags", "is_published", "extra"
    ):
        faq: dict[str, Any] = {
            "external_id": row["external_id"],
            "question": row["question"],
            "answer": row["answer"],
            "tags": list(row["tags"] or []),
        }
        if not row["is_published"]:
            faq["published"] = False  # written only for drafts, so ordinary bundles stay as documented
        out.append(_with_extra(faq, row["extra"]))
    return _by_ext(out)


def _policies() -> list[dict[str, Any]]:
    out = []
    for row in Policy.objects.order_by().values("external_id", "title", "body", "rules", "extra"):
        out.append(
            _with_extra(
                {
                    "external_id": row["external_id"],
                    "title": row["title"],
                    "body": row["body"],
                    "rules": _canon(row["rules"] or {}),
                },
                row["extra"],
            )
        )
    return _by_ext(out)
