"""Fixtures for the store-bundle tests: a small but complete bundle and a database snapshot."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from apps.bundles.selectors import bundle_dumps, bundle_export
from apps.catalog.models import Product, Store, Variant
from apps.knowledge.models import FAQ, Policy
from apps.orders.models import Customer, Order, OrderLine, Payment, Shipment

SHOE_BUNDLE: dict[str, Any] = {
    "format": "supportbot.store-bundle",
    "version": 1,
    "store": {
        "name": "Northwind Shoes",
        "currency": "USD",
        "locale": "en",
        "timezone": "America/New_York",
        "support_hours": "9-5",
    },
    "exported_by": {"tool": "shopify-sync", "at": "2026-01-01"},
    "products": [
        {
            "external_id": "9523456873",
            "name": "Running Shoes",
            "description": "Lightweight road running shoe",
            "category": "shoes",
            "attributes": {"brand": "Stride", "drop_mm": 8},
            "size_chart": "US 7 = 25 cm, US 8 = 26 cm",
            "handle": "running-shoes",
            "variants": [
                {
                    "external_id": "4153505238",
                    "sku": "RS-RED-10",
                    "options": {"size": "10", "color": "Red", "material": "synthetic"},
                    "price": "129.99",
                    "stock": 4,
                    "available": True,
                    "barcode": "0123",
                },
                {
                    "external_id": "4153505239",
                    "sku": "RS-RED-11",
                    "options": {"size": "11", "color": "Red"},
                    "price": "129.99",
                    "stock": 0,
                    "available": True,
                },
            ],
        },
        {
            "external_id": "1000",
            "name": "Boxer Briefs — 3 pack",
            "category": "underwear",
            "variants": [
                {
                    "external_id": "2000",
                    "options": {"size": "M"},
                    "price": "24",
                    "stock": None,
                    "available": True,
                }
            ],
        },
    ],
    "customers": [
        {
            "external_id": "noah_brown_6181",
            "email": "Noah@Example.com",
            "first_name": "Noah",
            "last_name": "Brown",
            "phone": None,
            "address": {"address1": "986 Sunset Drive", "address2": "", "city": "Denver", "zip": "80279"},
            "vip": True,
        },
        {"external_id": "zoë", "email": "zoe@example.com"},
    ],
    "orders": [
        {
            "external_id": "#W2611340",
            "customer": "noah_brown_6181",
            "status": "shipped",
            "placed_at": "2026-10-02T14:05:00Z",
            "delivered_at": None,
            "lines": [
                {"variant": "4153505238", "quantity": 1, "unit_price": "129.99", "gift": True},
                {"variant": "2000", "quantity": 2, "unit_price": "24.00"},
                {"variant": "4153505238", "quantity": 1, "unit_price": "100.5"},
            ],
            "shipments": [
                {
                    "carrier": "UPS",
                    "tracking_numbers": ["357962501027"],
                    "variants": ["4153505238", "2000"],
                    "shipped_at": "2026-10-03T09:00:00+02:00",
                }
            ],
            "payments": [{"method": "credit_card", "amount": "278.49", "kind": "payment"}],
            "shipping_address": {"address1": "986 Sunset Drive", "city": "Denver"},
            "channel": "web",
        },
        {
            "external_id": "#W1000001",
            "customer": "zoë",
            "status": "processed",
            "placed_at": "2026-09-01T10:00:00.250000-05:00",
            "lines": [{"variant": "2000", "quantity": 1, "unit_price": "24"}],
            "payments": [
                {"method": "paypal", "amount": "24.00", "kind": "payment"},
                {"method": "paypal", "amount": "24.00", "kind": "refund"},
            ],
        },
    ],
    "faqs": [
        {
            "external_id": "faq-returns-window",
            "question": "How long do I have to return an item?",
            "answer": "Unworn items can be returned within 30 days of delivery.",
            "tags": ["returns"],
        },
        {"external_id": "faq-gift", "question": "Gift wrap?", "answer": "Yes, for $5.", "locale": "en"},
    ],
    "policies": [
        {
            "external_id": "returns",
            "title": "Returns and exchanges",
            "body": "Markdown **text**",
            "rules": {
                "return_window_days": 30,
                "exchange_window_days": 30,
                "final_sale_categories": ["underwear"],
            },
        },
        {
            "external_id": "shipping",
            "title": "Shipping",
            "body": "We ship fast.",
            "rules": {"return_shipping_paid_by": "customer"},
        },
    ],
}

# Another kind of store: electronics, options without size or color, sparse fields and nulls everywhere.
ELECTRONICS_BUNDLE: dict[str, Any] = {
    "format": "supportbot.store-bundle",
    "version": 1,
    "store": {"name": "Voltage Electronics", "currency": None, "locale": "", "timezone": None},
    "products": [
        {
            "external_id": "p-phone-x",
            "name": "Phone X",
            "description": None,
            "category": None,
            "attributes": None,
            "size_chart": None,
            "variants": [
                {
                    "external_id": "v-phone-x-128",
                    "sku": None,
                    "options": {"capacity": "128 GB", "finish": "graphite"},
                    "price": "799",
                    "stock": None,
                    "available": True,
                },
                {
                    "external_id": "v-phone-x-256",
                    "options": {"capacity": "256 GB", "finish": "graphite"},
                    "price": "899.00",
                    "available": False,
                },
            ],
        },
        {
            "external_id": "p-cable",
            "name": "USB-C cable",
            "variants": [{"external_id": "v-cable", "options": {}, "price": "9.5", "available": True}],
        },
    ],
    "customers": [{"external_id": "c1", "email": "ada@example.org", "first_name": None, "address": None}],
    "orders": [
        {
            "external_id": "E-1",
            "customer": "c1",
            "status": "delivered",
            "placed_at": "2026-03-01T08:00:00+01:00",
            "delivered_at": "2026-03-04T12:00:00Z",
            "lines": [{"variant": "v-phone-x-128", "quantity": 1, "unit_price": "799"}],
            "shipments": [{"carrier": None, "tracking_numbers": None, "variants": None, "shipped_at": ""}],
            "payments": [{"method": None, "amount": None, "kind": None}],
            "shipping_address": None,
        }
    ],
    "faqs": None,
    "policies": [{"external_id": "warranty", "title": "Warranty", "body": "Two years.", "rules": None}],
}


@pytest.fixture
def shoe_bundle() -> dict[str, Any]:
    return copy.deepcopy(SHOE_BUNDLE)


@pytest.fixture
def electronics_bundle() -> dict[str, Any]:
    return copy.deepcopy(ELECTRONICS_BUNDLE)


def db_snapshot() -> tuple[dict[str, int], str]:
    """Row counts of every bundle model plus the full export: equal snapshots mean an unchanged store."""
    models = (Store, Product, Variant, Customer, Order, OrderLine, Shipment, Payment, FAQ, Policy)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["ShipmentVariant"] = Shipment.variants.through.objects.count()
    return counts, bundle_dumps(bundle_export())


def write_json(path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
