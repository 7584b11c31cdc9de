"""Generated stores of other kinds (apps.bundles.kinds): valid, importable, varied and deterministic."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command

from apps.bundles.demo import demo_bundle_generate
from apps.bundles.kinds import STORE_KINDS, store_bundle_generate
from apps.bundles.selectors import bundle_dumps, bundle_export
from apps.bundles.services import bundle_import, bundle_load
from apps.bundles.validation import ORDER_STATUSES, bundle_validate
from apps.catalog.models import Store, Variant
from apps.orders.models import Order

NOW = datetime(2026, 12, 6, tzinfo=UTC)
DEMO_ORDER_NUMBER = re.compile(r"#W\d{7}")
ORDER_NUMBERS = {
    "general": re.compile(r"GM-\d{6}"),
    "pharmacy": re.compile(r"RX\d{7}"),
    "home": re.compile(r"HK/20\d\d/\d{5}"),
    "outdoor": re.compile(r"OS-\d\d-\d{6}"),
}

kinds = pytest.mark.parametrize("kind", STORE_KINDS)


@pytest.fixture(scope="module")
def bundles() -> dict[str, dict[str, Any]]:
    return {kind: store_bundle_generate(kind, seed=0, now=NOW) for kind in STORE_KINDS}


def _variants(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [variant for product in bundle["products"] for variant in product["variants"]]


def _rules(bundle: dict[str, Any]) -> dict[str, Any]:
    return {key: value for policy in bundle["policies"] for key, value in policy["rules"].items()}


def _days_since_delivery(order: dict[str, Any]) -> float:
    delivered = datetime.fromisoformat(order["delivered_at"])
    return (NOW - delivered) / timedelta(days=1)


@kinds
def test_bundle_passes_validation(bundles, kind):
    # given
    bundle = bundles[kind]

    # when
    parsed = bundle_validate(data=bundle)

    # then
    assert len(parsed.orders) == len(bundle["orders"])
    assert 30 <= len(bundle["products"]) <= 40
    assert 100 <= len(bundle["customers"]) <= 200
    assert 250 <= len(bundle["orders"]) <= 350
    assert 15 <= len(bundle["faqs"]) <= 25


@kinds
def test_bundle_has_every_status_multi_line_orders_and_stock_outs(bundles, kind):
    # given
    bundle = bundles[kind]
    by_variant = {v["external_id"]: p["external_id"] for p in bundle["products"] for v in p["variants"]}

    # when
    statuses = {order["status"] for order in bundle["orders"]}
    multi_product = [
        o for o in bundle["orders"] if len({by_variant[line["variant"]] for line in o["lines"]}) >= 2
    ]
    stocks = [(v["stock"], v["available"]) for v in _variants(bundle)]

    # then
    assert statuses == set(ORDER_STATUSES)
    assert len(multi_product) >= len(bundle["orders"]) * 0.4
    assert sum(1 for stock, available in stocks if stock == 0 and available) >= 5
    assert sum(1 for stock, available in stocks if stock and stock > 0 and available) >= 50
    assert any(not available for _, available in stocks)


@kinds
def test_shipments_and_payments_match_the_status(bundles, kind):
    for order in bundles[kind]["orders"]:
        shipped = order["status"] not in ("pending", "cancelled")
        assert bool(order["shipments"]) == shipped, order["external_id"]
        for shipment in order["shipments"]:
            assert shipment["carrier"]
            assert shipment["tracking_numbers"]
        refunds = [p for p in order["payments"] if p["kind"] == "refund"]
        wants_refund = order["status"] in ("cancelled", "returned", "partially_returned")
        assert bool(refunds) == wants_refund, order["external_id"]
        assert (order["delivered_at"] is not None) == (
            order["status"] in ("delivered", "return_requested", "returned", "partially_returned")
        )


@kinds
def test_order_numbers_have_a_format_of_their_own(bundles, kind):
    numbers = [order["external_id"] for order in bundles[kind]["orders"]]

    assert all(ORDER_NUMBERS[kind].fullmatch(number) for number in numbers)
    assert not any(DEMO_ORDER_NUMBER.fullmatch(number) for number in numbers)
    assert len(set(numbers)) == len(numbers)


@kinds
def test_store_differs_from_the_demo(bundles, kind):
    # given
    demo = demo_bundle_generate(seed=0, now=NOW)
    bundle = bundles[kind]

    # when
    option_names = {name for variant in _variants(bundle) for name in variant["options"]}
    demo_categories = {product["category"] for product in demo["products"]}
    demo_faq_ids = {faq["external_id"] for faq in demo["faqs"]}

    # then
    assert bundle["store"]["name"] != demo["store"]["name"]
    assert option_names - {"size", "color"}, "options beyond the demo's size and color"
    assert not {product["category"] for product in bundle["products"]} <= demo_categories
    assert not demo_faq_ids & {faq["external_id"] for faq in bundle["faqs"]}
    assert _rules(bundle) != _rules(demo)


def test_kinds_differ_from_each_other(bundles):
    currencies = {bundles[kind]["store"]["currency"] for kind in STORE_KINDS}
    names = {bundles[kind]["store"]["name"] for kind in STORE_KINDS}

    assert len(currencies) == len(names) == len(STORE_KINDS)
    assert currencies & {"EUR", "GBP"}


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("general", {"size", "finish", "switch", "capacity", "color"}),
        ("pharmacy", {"count", "strength", "spf", "flavor", "weight"}),
        ("home", {"material", "color", "capacity", "size", "length", "opacity"}),
        (
            "outdoor",
            {
                "capacity",
                "volume",
                "back length",
                "temperature rating",
                "width",
                "length",
                "diameter",
                "weight",
            },
        ),
    ],
)
def test_each_kind_has_its_own_option_names(bundles, kind, options):
    names = {name for variant in _variants(bundles[kind]) for name in variant["options"]}

    assert options <= names


def test_outdoor_has_option_names_and_values_no_other_kind_has(bundles):
    # given
    def option_names(kind: str) -> set[str]:
        return {name for variant in _variants(bundles[kind]) for name in variant["options"]}

    others = set().union(*(option_names(kind) for kind in STORE_KINDS if kind != "outdoor"))
    values = {(name, value) for v in _variants(bundles["outdoor"]) for name, value in v["options"].items()}

    # then
    assert {"back length", "temperature rating", "width", "net weight"} <= option_names("outdoor") - others
    assert {("capacity", "3-person"), ("volume", "65 L"), ("size", "US 10"), ("size", "42")} <= values
    assert {("temperature rating", "-5 °C"), ("length", "70 m"), ("length", "230 cm")} <= values


@kinds
def test_policy_rules_are_machine_readable_and_match_the_catalog(bundles, kind):
    # given
    bundle = bundles[kind]
    rules = _rules(bundle)
    categories = {product["category"] for product in bundle["products"]}

    # then: every rule the format knows, once each, and final-sale categories that exist
    assert set(rules) == {
        "return_window_days",
        "exchange_window_days",
        "final_sale_categories",
        "return_shipping_paid_by",
    }
    assert sum(len(policy["rules"]) for policy in bundle["policies"]) == len(rules)
    assert set(rules["final_sale_categories"]) <= categories


def test_windows_per_kind(bundles):
    pharmacy, home = _rules(bundles["pharmacy"]), _rules(bundles["home"])

    assert pharmacy["return_window_days"] <= 14
    assert {"medicines", "personal care"} <= set(pharmacy["final_sale_categories"])
    assert home["return_window_days"] >= 60
    assert home["exchange_window_days"] != home["return_window_days"]


def test_outdoor_windows_are_its_own(bundles):
    # given
    outdoor = _rules(bundles["outdoor"])
    others = {
        _rules(bundles[kind])[key]
        for kind in STORE_KINDS
        if kind != "outdoor"
        for key in ("return_window_days", "exchange_window_days")
    }

    # then: neither window is another kind's or the platform's 30-day default
    assert outdoor["exchange_window_days"] > outdoor["return_window_days"]
    assert not {outdoor["return_window_days"], outdoor["exchange_window_days"]} & (others | {30})
    assert {"gas canisters", "gift cards"} <= set(outdoor["final_sale_categories"])
    assert outdoor["return_shipping_paid_by"] == "store"


def test_outdoor_is_australian_and_ships_bulky_gear_by_freight(bundles):
    # given
    bundle = bundles["outdoor"]
    phone = re.compile(r"\+61 (491 570 \d{3}|[2378] 5550 \d{4})")
    bulky = {
        v["external_id"]
        for p in bundle["products"]
        if p["name"] in ("Coastline Touring Kayak", "Redgum Gravel Bike", "Rooftop Cargo Box")
        for v in p["variants"]
    }
    shipments = [s for order in bundle["orders"] for s in order["shipments"]]

    # then
    assert bundle["store"]["currency"] == "AUD"
    for customer in bundle["customers"]:
        assert customer["address"]["country"] == "AU"
        assert re.fullmatch(r"\d{4}", customer["address"]["zip"]), customer["address"]
        assert not customer["phone"] or phone.fullmatch(customer["phone"]), customer["phone"]
    assert {s["carrier"] for s in shipments} == {"Australia Post", "Couriers Please", "Aramex", "StarTrack"}
    for shipment in shipments:
        assert (shipment["carrier"] == "StarTrack") == bool(set(shipment["variants"]) & bulky)
        if shipment["carrier"] == "StarTrack":
            assert set(shipment["variants"]) <= bulky


@kinds
def test_delivered_orders_fall_inside_and_outside_the_windows(bundles, kind):
    # given
    rules = _rules(bundles[kind])
    delivered = [o for o in bundles[kind]["orders"] if o["status"] == "delivered"]
    days = [_days_since_delivery(order) for order in delivered]
    longest = max(rules["return_window_days"], rules["exchange_window_days"])

    # then
    assert any(d < rules["return_window_days"] for d in days)
    assert any(d > longest for d in days)
    requested = [o for o in bundles[kind]["orders"] if o["status"] == "return_requested"]
    assert all(_days_since_delivery(order) < rules["return_window_days"] for order in requested)


@kinds
def test_returned_items_are_not_final_sale(bundles, kind):
    # given
    bundle = bundles[kind]
    final_sale = set(_rules(bundle)["final_sale_categories"])
    category = {v["external_id"]: p["category"] for p in bundle["products"] for v in p["variants"]}

    # then: a return holds only returnable items; a partial return's last line is the returned one
    for order in bundle["orders"]:
        if order["status"] in ("return_requested", "returned"):
            assert not {category[line["variant"]] for line in order["lines"]} & final_sale
        if order["status"] == "partially_returned":
            assert category[order["lines"][-1]["variant"]] not in final_sale


@kinds
def test_generation_is_deterministic_for_a_seed(bundles, kind):
    again = store_bundle_generate(kind, seed=0, now=NOW)
    other = store_bundle_generate(kind, seed=1, now=NOW)

    assert bundle_dumps(again) == bundle_dumps(bundles[kind])
    assert bundle_dumps(other) != bundle_dumps(bundles[kind])


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown store kind"):
        store_bundle_generate("bakery")


@pytest.mark.django_db
@kinds
def test_bundle_imports_and_exports_unchanged(bundles, kind):
    # given
    bundle = bundles[kind]

    # when
    report = bundle_import(data=bundle)
    again = bundle_import(data=bundle)

    # then
    assert report.counts["orders"].created == len(bundle["orders"])
    assert not again.changed
    assert Store.objects.get(pk=1).currency == bundle["store"]["currency"]
    assert set(Order.objects.values_list("status", flat=True)) == set(ORDER_STATUSES)
    assert Variant.objects.filter(stock=0, available=True).exists()
    assert bundle_dumps(bundle_export()) == bundle_dumps(bundle)


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "name"), [("general", "store.json"), ("home", "store.json.gz")])
def test_command_writes_a_file_import_store_accepts(tmp_path, kind, name):
    # given
    out = tmp_path / name

    # when
    call_command("generate_store", kind=kind, seed=7, now="2026-12-06", out=str(out), verbosity=0)
    first = out.read_bytes()
    call_command("generate_store", kind=kind, seed=7, now="2026-12-06", out=str(out), verbosity=0)
    call_command("import_store", str(out), verbosity=0)

    # then
    expected = store_bundle_generate(kind, seed=7, now=NOW)
    assert out.read_bytes() == first
    assert bundle_load(path=out) == expected
    assert Order.objects.count() == len(expected["orders"])
    assert Store.objects.get(pk=1).name == expected["store"]["name"]
