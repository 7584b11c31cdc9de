"""Finding orders, deciding access, status summaries and return/exchange eligibility."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.knowledge.models import PolicyDefaults
from apps.orders.identity import (
    CustomerIdentity,
    customer_identity_from_order,
    customer_token_sign,
    customer_token_verify,
)
from apps.orders.models import Order, ReturnRequest
from apps.orders.selectors import (
    exchange_options,
    order_access_allowed,
    order_get_by_number,
    order_number_normalize,
    order_status_summary,
    order_verify_by_email,
    orders_for_identity,
    return_eligibility,
)
from tests.factories import (
    OrderFactory,
    ProductFactory,
    ReturnRequestLineFactory,
    ShipmentFactory,
    VariantFactory,
    order_with_lines,
)
from tests.orders.conftest import variant

pytestmark = pytest.mark.django_db


# --- order numbers and verification -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#W2611340", "W2611340"),
        ("w2611340", "W2611340"),
        ("  #w2611340\n", "W2611340"),
        ("order #W2611340", "W2611340"),
        ("Order no. W 2611340", "W2611340"),
        ("", ""),
    ],
)
def test_order_number_normalize(text, expected):
    assert order_number_normalize(text) == expected


@pytest.mark.parametrize("typed", ["#W2611340", "W2611340", "w2611340", " #w2611340 ", "order #W2611340"])
def test_order_get_by_number_any_spelling(noah, typed):
    order = OrderFactory(external_id="#W2611340", customer=noah)
    assert order_get_by_number(number=typed) == order


def test_order_get_by_number_without_hash_in_store(noah):
    order = OrderFactory(external_id="1001", customer=noah)
    assert order_get_by_number(number="#1001") == order
    assert order_get_by_number(number="1002") is None
    assert order_get_by_number(number="") is None


@pytest.mark.parametrize(
    "email", ["noah.brown@example.com", "NOAH.BROWN@EXAMPLE.COM", "  Noah.Brown@Example.com "]
)
def test_verify_by_email_case_insensitive(noah, email):
    order = OrderFactory(external_id="#W1", customer=noah)
    assert order_verify_by_email(number="w1", email=email) == order


@pytest.mark.parametrize(
    "email", ["emma@example.com", "", "noah.brown@example", "noah.brown@example.com.evil.io"]
)
def test_verify_by_email_wrong_email_gives_nothing(noah, emma, email):
    OrderFactory(external_id="#W1", customer=noah)
    assert order_verify_by_email(number="#W1", email=email) is None


def test_verify_unknown_number_indistinguishable_from_wrong_email(noah):
    OrderFactory(external_id="#W1", customer=noah)
    assert order_verify_by_email(number="#W999", email="noah.brown@example.com") is None


# --- access -------------------------------------------------------------------------------------


def test_access_own_order_by_email_or_external_id(noah):
    order = OrderFactory(customer=noah)
    assert order_access_allowed(
        order=order, identity=CustomerIdentity("NOAH.brown@example.com", None, "token")
    )
    assert order_access_allowed(order=order, identity=CustomerIdentity("", "noah_brown_6181", "token"))


def test_no_identity_no_access(noah):
    assert not order_access_allowed(order=OrderFactory(customer=noah), identity=None)


def test_verified_shopper_cannot_see_someone_elses_order(noah, emma):
    # given emma verified herself with her own order
    emma_order = OrderFactory(external_id="#E1", customer=emma)
    noah_order = OrderFactory(external_id="#N1", customer=noah)
    verified = order_verify_by_email(number="#E1", email="emma@example.com")
    identity = customer_identity_from_order(order=verified)
    # then she sees her order and not noah's
    assert order_access_allowed(order=emma_order, identity=identity)
    assert not order_access_allowed(order=noah_order, identity=identity)


def test_token_for_another_customer_gives_no_access(noah, emma):
    noah_order = OrderFactory(customer=noah)
    token = customer_token_sign(email="emma@example.com", external_id="emma_1", secret="k")
    identity = customer_token_verify(token=token, secret="k")
    assert identity is not None
    assert not order_access_allowed(order=noah_order, identity=identity)


def test_mixed_identity_fields_do_not_leak(noah, emma):
    # external id of emma with a blank email must not match noah by accident
    order = OrderFactory(customer=noah)
    assert not order_access_allowed(order=order, identity=CustomerIdentity("", "emma_1", "token"))
    assert not order_access_allowed(order=order, identity=CustomerIdentity("", None, "token"))
    assert not order_access_allowed(order=order, identity=CustomerIdentity(" ", " ", "token"))


def test_expired_token_gives_no_identity_and_no_access(noah):
    token = customer_token_sign(email="noah.brown@example.com", external_id="noah_brown_6181", secret="k")
    identity = customer_token_verify(token=token, secret="k", now=timezone.now() + timedelta(hours=2))
    assert identity is None
    assert not order_access_allowed(order=OrderFactory(customer=noah), identity=identity)


def test_orders_for_identity_newest_first_and_only_own(noah, emma, noah_identity):
    now = timezone.now()
    old = OrderFactory(customer=noah, status="pending", placed_at=now - timedelta(days=30))
    new = OrderFactory(customer=noah, status="pending", placed_at=now - timedelta(days=1))
    OrderFactory(customer=emma)
    assert orders_for_identity(identity=noah_identity) == [new, old]
    assert orders_for_identity(identity=noah_identity, limit=1) == [new]
    assert orders_for_identity(identity=CustomerIdentity("", "noah_brown_6181", "token")) == [new, old]
    assert orders_for_identity(identity=CustomerIdentity("", None, "token")) == []


# --- status summary -----------------------------------------------------------------------------


def test_status_summary_is_json_safe_with_shipments(store, noah, shoes):
    # given a shipped order with two lines and a shipment
    v10, v9 = variant(shoes, "10"), variant(shoes, "9")
    order = order_with_lines(customer=noah, variants=[v10, v9], status="shipped", external_id="#W42")
    shipment = order.shipments.get()
    shipment.tracking_numbers = ["1Z999", "1Z998"]
    shipment.carrier = "UPS"
    shipment.save()
    # when
    summary = order_status_summary(order=order)
    # then
    json.dumps(summary)  # goes into traces as is
    assert summary["order_number"] == "#W42"
    assert summary["status"] == "shipped"
    assert summary["delivered_at"] is None
    assert summary["placed_at"].endswith("Z")
    assert summary["shipments"] == [
        {
            "carrier": "UPS",
            "tracking_numbers": ["1Z999", "1Z998"],
            "shipped_at": shipment.shipped_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "delivered_at": None,
            "items": ["Trail Runner"],
        }
    ]
    assert [line["options"]["size"] for line in summary["lines"]] == ["10", "9"]
    assert summary["lines"][0]["unit_price"] == "129.99"
    assert summary["total"] == "259.98"
    assert summary["currency"] == "USD"
    assert summary["can_cancel"] is False


def test_status_summary_delivered_date_from_shipment(noah, shoes):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")], status="delivered")
    order.delivered_at = None
    order.save()
    delivered = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    order.shipments.update(delivered_at=delivered)
    assert order_status_summary(order=order)["delivered_at"] == "2026-03-04T12:00:00Z"


def test_status_summary_pending_can_cancel(noah, shoes):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")], status="pending")
    summary = order_status_summary(order=order)
    assert summary["can_cancel"] is True
    assert summary["shipments"] == []


# --- return eligibility -------------------------------------------------------------------------


def test_eligible_within_window(returns_policy, noah, shoes):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")], delivered_days_ago=10)
    now = order.delivered_at + timedelta(days=10, hours=1)
    result = return_eligibility(order=order, now=now)
    assert result["eligible"] is True
    assert result["reason"] == "eligible"
    assert result["window_days"] == 30
    assert result["days_left"] == 19  # 19 days 23 hours
    assert result["return_shipping_paid_by"] == "customer"
    assert result["deadline"] == (order.delivered_at + timedelta(days=30)).astimezone(
        UTC
    ).isoformat().replace("+00:00", "Z")
    json.dumps(result)


def test_window_boundary(returns_policy, noah, shoes):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")])
    deadline = order.delivered_at + timedelta(days=30)
    assert return_eligibility(order=order, now=deadline)["eligible"] is True
    late = return_eligibility(order=order, now=deadline + timedelta(seconds=1))
    assert (late["eligible"], late["reason"], late["days_left"]) == (False, "window_expired", 0)


def test_window_counts_from_latest_shipment_when_order_has_no_date(returns_policy, noah, shoes):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")])
    Order.objects.filter(pk=order.pk).update(delivered_at=None)
    now = timezone.now()
    order.shipments.update(delivered_at=now - timedelta(days=40))
    ShipmentFactory(order=order, position=1, delivered_at=now - timedelta(days=25, hours=1))
    result = return_eligibility(order=order, now=now)
    assert result["eligible"] is True
    assert result["days_left"] == 4


def test_defaults_apply_without_policies(noah, shoes):
    PolicyDefaults.objects.update_or_create(pk=1, defaults={"return_window_days": 14})
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")], delivered_days_ago=20)
    result = return_eligibility(order=order)
    assert (result["eligible"], result["reason"], result["window_days"]) == (False, "window_expired", 14)
    assert result["return_shipping_paid_by"] == "store"


@pytest.mark.parametrize("status", ["pending", "processed", "shipped"])
def test_not_delivered(returns_policy, noah, shoes, status):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")], status=status)
    result = return_eligibility(order=order)
    assert (result["eligible"], result["reason"]) == (False, "not_delivered")


def test_cancelled(returns_policy, noah, shoes):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")], status="cancelled")
    assert return_eligibility(order=order)["reason"] == "cancelled"


@pytest.mark.parametrize(
    ("status", "detail"),
    [("returned", "returned"), ("partially_returned", "returned"), ("return_requested", "return_requested")],
)
def test_already_returned(returns_policy, noah, shoes, status, detail):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")], status=status)
    result = return_eligibility(order=order)
    assert (result["eligible"], result["reason"], result["detail"]) == (False, "already_returned", detail)


def test_delivered_order_with_open_request_on_every_line(returns_policy, noah, shoes):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")])
    ReturnRequestLineFactory(return_request__order=order, order_line=order.lines.get())
    result = return_eligibility(order=order)
    assert (result["eligible"], result["reason"]) == (False, "already_returned")


def test_final_sale_category_matched_case_insensitively(returns_policy, noah):
    briefs = VariantFactory(product=ProductFactory(name="Boxer Briefs", category="underwear"), size="M")
    order = order_with_lines(customer=noah, variants=[briefs])
    result = return_eligibility(order=order)
    assert (result["eligible"], result["reason"]) == (False, "final_sale")
    assert result["final_sale_items"][0]["product"] == "Boxer Briefs"


def test_mixed_order_lists_final_sale_items_but_stays_eligible(returns_policy, noah, shoes):
    briefs = VariantFactory(product=ProductFactory(name="Boxer Briefs", category="UNDERWEAR"), size="M")
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10"), briefs])
    result = return_eligibility(order=order)
    assert result["eligible"] is True
    assert [i["product"] for i in result["final_sale_items"]] == ["Boxer Briefs"]
    assert [line["product"] for line in result["returnable_lines"]] == ["Trail Runner"]


def test_exchange_window_used_for_exchanges(returns_policy, noah, shoes):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")], delivered_days_ago=40)
    assert return_eligibility(order=order)["reason"] == "window_expired"
    assert return_eligibility(order=order, window="exchange")["eligible"] is True  # 45 days


# --- exchange options ---------------------------------------------------------------------------


def test_exchange_options_in_requested_size(returns_policy, noah, shoes):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")])
    result = exchange_options(order=order, size="10 1/2")
    assert result["eligible"] is True
    assert result["size"] == "10.5"
    (line,) = result["lines"]
    assert line["requested_in_stock"] is True
    assert [o["size"] for o in line["options"]] == ["10.5"]
    json.dumps(result)


def test_exchange_options_sold_out_size_suggests_nearest(returns_policy, noah, shoes):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")])
    result = exchange_options(order=order, size="9.5")
    (line,) = result["lines"]
    assert line["requested_in_stock"] is False
    assert line["size_exists"] is True
    assert line["nearest_in_stock"][:2] == ["9", "10"]
    assert result["eligible"] is False
    assert result["reason"] == "out_of_stock"


def test_exchange_options_without_size_lists_other_in_stock_variants(returns_policy, noah, shoes):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")])
    (line,) = exchange_options(order=order)["lines"]
    assert sorted(o["size"] for o in line["options"]) == [
        "10.5",
        "9",
    ]  # not 9.5 (0), 11 (unavailable), 10 (own)


def test_exchange_options_not_for_undelivered(returns_policy, noah, shoes):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")], status="shipped")
    result = exchange_options(order=order, size="9")
    assert (result["eligible"], result["reason"], result["lines"]) == (False, "not_delivered", [])


def test_return_request_status_values_are_known():
    # The eligibility code treats these as "open": keep it in step with the model.
    assert set(ReturnRequest.Status.values) >= {"requested", "approved", "received", "refunded", "rejected"}
