"""The demo store: counts, realism, consistency, determinism and idempotence."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from apps.bundles.demo import APPAREL_SIZES, SHOE_SIZES_HALF, demo_bundle_generate
from apps.bundles.selectors import bundle_dumps, bundle_export
from apps.bundles.services import bundle_import
from apps.catalog.models import Product, Variant
from apps.knowledge.models import FAQ, Policy
from apps.knowledge.selectors import policy_rules
from apps.orders.models import Customer, Order, Payment, Shipment
from tests.demo.support import DEMO_NOW, DEMO_SEED

pytestmark = pytest.mark.django_db

TRACKING = {
    "UPS": re.compile(r"^1Z[0-9A-Z]{6}\d{10}$"),
    "USPS": re.compile(r"^9400\d{18}$"),
    "FedEx": re.compile(r"^\d{12}$"),
}


def test_catalog_counts_and_sizes(demo_store):
    # given the seeded demo store / then
    assert Product.objects.count() >= 40
    assert Variant.objects.count() >= 300
    sizes = set(Variant.objects.values_list("size", flat=True))
    assert set(SHOE_SIZES_HALF) <= sizes  # US 6 to 13 with half sizes
    assert {s.lower() for s in APPAREL_SIZES} <= sizes  # S to XXL
    assert Variant.objects.filter(stock=0).count() >= 10  # some sold out
    assert Variant.objects.filter(available=False).exists()
    categories = set(Product.objects.values_list("category", flat=True))
    assert {
        "running shoes",
        "trail shoes",
        "sneakers",
        "boots",
        "sandals",
        "socks",
        "hoodies",
        "t-shirts",
        "joggers",
        "jackets",
        "leggings",
        "underwear",
    } <= categories
    for product in Product.objects.all():
        assert product.description
        assert product.attributes.get("brand")
        assert product.size_chart
    assert Product.objects.filter(attributes__fit__icontains="half a size small").exists()


def test_customers(demo_store):
    assert Customer.objects.count() >= 200
    emails = [e.lower() for e in Customer.objects.values_list("email", flat=True)]
    assert len(emails) == len(set(emails))
    for customer in Customer.objects.all()[:50]:
        assert customer.first_name
        assert customer.last_name
        assert "@" in customer.email
        assert {"address1", "city", "state", "zip", "country"} <= set(customer.address)
    assert Customer.objects.exclude(phone="").count() >= 150


def test_orders_in_every_status_with_consistent_dates(demo_store):
    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert sum(statuses.values()) >= 500
    assert set(statuses) == set(Order.Status.values), statuses
    assert all(count >= 20 for count in statuses.values()), statuses
    assert all(re.fullmatch(r"#W\d{7}", n) for n in Order.objects.values_list("external_id", flat=True))

    for order in Order.objects.prefetch_related("shipments", "lines", "payments"):
        assert order.placed_at <= DEMO_NOW
        assert order.lines.all(), order
        shipments = list(order.shipments.all())
        if order.status in ("pending", "cancelled"):
            assert not shipments
            assert order.delivered_at is None
        else:
            assert shipments, order
            assert all(s.tracking_numbers for s in shipments), order
        for shipment in shipments:
            for number in shipment.tracking_numbers:
                assert TRACKING[shipment.carrier].match(number), (shipment.carrier, number)
            if shipment.shipped_at:
                assert order.placed_at <= shipment.shipped_at
            if shipment.delivered_at:
                assert shipment.shipped_at <= shipment.delivered_at <= DEMO_NOW
        if order.status in ("shipped",):
            assert shipments[0].shipped_at is not None
            assert order.delivered_at is None
        if order.status in ("delivered", "return_requested", "returned", "partially_returned"):
            assert order.delivered_at == max(s.delivered_at for s in shipments)
        total = sum(line.quantity * line.unit_price for line in order.lines.all())
        paid = sum(p.amount for p in order.payments.all() if p.kind == Payment.Kind.PAYMENT)
        refunded = sum(p.amount for p in order.payments.all() if p.kind == Payment.Kind.REFUND)
        assert paid == total
        if order.status in ("cancelled", "returned"):
            assert refunded == total
        elif order.status == "partially_returned":
            assert 0 < refunded < total
        else:
            assert refunded == 0


def test_delivered_orders_fall_inside_and_outside_the_return_window(demo_store):
    cutoff = DEMO_NOW - timedelta(days=30)
    delivered = Order.objects.filter(status="delivered")
    assert delivered.filter(delivered_at__gt=cutoff + timedelta(days=2)).count() >= 50
    assert delivered.filter(delivered_at__lt=cutoff - timedelta(days=2)).count() >= 50
    # A return request only makes sense inside the window.
    assert not Order.objects.filter(status="return_requested", delivered_at__lt=cutoff).exists()


def test_all_three_carriers_ship(demo_store):
    assert set(Shipment.objects.values_list("carrier", flat=True)) == {"UPS", "USPS", "FedEx"}


def test_knowledge_covers_the_topics_and_rules_merge(demo_store):
    assert FAQ.objects.count() + Policy.objects.count() >= 30
    tags = {tag for row in FAQ.objects.values_list("tags", flat=True) for tag in row}
    assert {
        "shipping",
        "returns",
        "exchanges",
        "sizing",
        "payment",
        "account",
        "order changes",
        "gift cards",
        "international",
        "care",
    } <= tags
    # Each rule key is set by exactly one policy.
    keys = Counter(key for rules in Policy.objects.values_list("rules", flat=True) for key in rules)
    assert all(count == 1 for count in keys.values()), keys
    assert policy_rules() == {
        "return_window_days": 30,
        "exchange_window_days": 30,
        "final_sale_categories": ["socks", "underwear"],
        "return_shipping_paid_by": "store",
    }
    final_sale = set(policy_rules()["final_sale_categories"])
    assert final_sale <= set(Product.objects.values_list("category", flat=True))


def test_same_seed_gives_byte_identical_bundle_and_another_seed_differs():
    # when
    first = bundle_dumps(demo_bundle_generate(seed=11, now=DEMO_NOW))
    second = bundle_dumps(demo_bundle_generate(seed=11, now=DEMO_NOW))
    other = bundle_dumps(demo_bundle_generate(seed=12, now=DEMO_NOW))
    # then
    assert first == second
    assert first != other


def test_out_file_is_deterministic(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    products_before = Product.objects.count()
    for path in (a, b):
        call_command("seed_demo", seed=5, now="2026-11-01", out=str(path), no_import=True, verbosity=0)
    assert a.read_bytes() == b.read_bytes()
    data = json.loads(a.read_text())
    assert data["format"] == "supportbot.store-bundle"
    assert data["version"] == 1
    assert Product.objects.count() == products_before  # --no-import wrote the file only


def test_generator_is_fast():
    started = time.monotonic()
    demo_bundle_generate(seed=3, now=DEMO_NOW)
    assert time.monotonic() - started < 5


def test_rerun_changes_nothing(demo_store, capsys):
    # when the same seed and date are seeded again
    report = bundle_import(data=demo_bundle_generate(seed=DEMO_SEED, now=DEMO_NOW))
    # then
    assert not report.changed
    call_command("seed_demo", seed=DEMO_SEED, now=DEMO_NOW.isoformat())
    assert "nothing changed" in capsys.readouterr().out


def test_export_of_seeded_store_equals_the_generated_bundle(demo_store):
    # The generator writes the canonical form, so the exporter gives back the very same bytes.
    generated = bundle_dumps(demo_bundle_generate(seed=DEMO_SEED, now=DEMO_NOW))
    assert bundle_dumps(bundle_export()) == generated


def test_now_defaults_to_today_midnight_utc(tmp_path):
    out = tmp_path / "today.json"
    call_command("seed_demo", out=str(out), no_import=True, verbosity=0)
    data = json.loads(out.read_text())
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    latest = max(datetime.fromisoformat(o["placed_at"]) for o in data["orders"])
    assert today - timedelta(days=3) <= latest <= today


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError, match="--now"):
        call_command("seed_demo", now="last tuesday", no_import=True, out="x.json")
    with pytest.raises(CommandError, match="--out"):
        call_command("seed_demo", no_import=True)


def test_return_eligibility_has_both_outcomes_on_demo_orders(demo_store):
    from apps.orders.selectors import return_eligibility

    reasons = Counter(
        return_eligibility(order=order, now=DEMO_NOW)["reason"]
        for order in Order.objects.filter(status="delivered").prefetch_related("lines__variant__product")
    )
    assert reasons["eligible"] >= 20
    assert reasons["window_expired"] >= 20
    assert reasons["final_sale"] >= 1
