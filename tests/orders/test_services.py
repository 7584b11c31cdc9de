"""Status transitions, cancellation, return and exchange requests (with stock taken safely)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.catalog.models import Variant
from apps.catalog.services import OutOfStock
from apps.orders.models import Order, ReturnRequest
from apps.orders.services import (
    ALLOWED_TRANSITIONS,
    InvalidTransition,
    ReturnNotAllowed,
    exchange_request_create,
    order_cancel,
    order_transition,
    return_request_create,
)
from tests.factories import (
    OrderFactory,
    ProductFactory,
    VariantFactory,
    order_with_lines,
    product_with_variants,
)
from tests.orders.conftest import variant

ALL = list(Order.Status.values)
ALLOWED = {
    ("pending", "processed"),
    ("pending", "shipped"),
    ("pending", "cancelled"),
    ("processed", "shipped"),
    ("shipped", "delivered"),
    ("delivered", "return_requested"),
    ("return_requested", "returned"),
    ("return_requested", "partially_returned"),
}


def test_transition_table_is_exactly_the_agreed_one():
    table = {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert table == ALLOWED


@pytest.mark.django_db
@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("to", ALL)
def test_order_transition(current, to):
    order = OrderFactory(status=current)
    if (current, to) in ALLOWED:
        assert order_transition(order=order, to=to).status == to
        order.refresh_from_db()
        assert order.status == to
    else:
        with pytest.raises(InvalidTransition):
            order_transition(order=order, to=to)
        order.refresh_from_db()
        assert order.status == current


@pytest.mark.django_db
def test_transition_to_unknown_status_rejected():
    order = OrderFactory(status="pending")
    with pytest.raises(InvalidTransition):
        order_transition(order=order, to="teleported")


@pytest.mark.django_db
def test_transition_checks_database_not_stale_instance():
    # given a stale in-memory copy that still says pending
    order = OrderFactory(status="pending")
    Order.objects.filter(pk=order.pk).update(status="shipped")
    # then cancelling is refused: the row says shipped
    with pytest.raises(InvalidTransition):
        order_transition(order=order, to="cancelled")


@pytest.mark.django_db
def test_delivered_sets_delivery_date():
    order = OrderFactory(status="shipped")
    assert order.delivered_at is None
    order_transition(order=order, to="delivered")
    order.refresh_from_db()
    assert order.delivered_at is not None
    assert abs((timezone.now() - order.delivered_at).total_seconds()) < 60


# --- cancel -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cancel_pending_restocks(shoes, noah):
    v10 = variant(shoes, "10")
    order = order_with_lines(customer=noah, variants=[v10], status="pending", quantity=2)
    order_cancel(order=order)
    assert order.status == "cancelled"
    v10.refresh_from_db()
    assert v10.stock == 3  # 1 + 2 back


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["processed", "shipped", "delivered", "cancelled", "returned"])
def test_cancel_only_pending(shoes, noah, status):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")], status=status)
    with pytest.raises(InvalidTransition):
        order_cancel(order=order)
    order.refresh_from_db()
    assert order.status == status


@pytest.mark.django_db
def test_cancel_leaves_untracked_stock_untracked(noah):
    product = product_with_variants(name="Gift Card", category="gifts", sizes=[""], stock=None)
    order = order_with_lines(customer=noah, variants=list(product.variants.all()), status="pending")
    order_cancel(order=order)
    assert product.variants.get().stock is None


# --- returns ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_return_request_whole_order(returns_policy, shoes, noah):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10"), variant(shoes, "9")])
    request = return_request_create(order=order, reason="too big", refund_method="store_credit")
    assert order.status == "return_requested"
    order.refresh_from_db()
    assert order.status == "return_requested"
    assert request.refund_method == "store_credit"
    assert request.status == ReturnRequest.Status.REQUESTED
    assert sorted(rl.order_line_id for rl in request.lines.all()) == sorted(
        order.lines.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_return_request_some_lines_and_quantity(returns_policy, shoes, noah):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10"), variant(shoes, "9")], quantity=2)
    first = order.lines.order_by("position").first()
    request = return_request_create(order=order, line_ids=[first.pk])
    assert [(rl.order_line_id, rl.quantity) for rl in request.lines.all()] == [(first.pk, 2)]


@pytest.mark.django_db
def test_return_request_refused_when_ineligible(returns_policy, shoes, noah):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")], delivered_days_ago=31)
    with pytest.raises(ReturnNotAllowed) as info:
        return_request_create(order=order)
    assert info.value.reason == "window_expired"
    assert not ReturnRequest.objects.exists()
    order.refresh_from_db()
    assert order.status == "delivered"


@pytest.mark.django_db
def test_return_request_twice_refused(returns_policy, shoes, noah):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")])
    return_request_create(order=order)
    with pytest.raises(ReturnNotAllowed) as info:
        return_request_create(order=order)
    assert info.value.reason == "already_returned"
    assert ReturnRequest.objects.count() == 1


@pytest.mark.django_db
def test_return_request_final_sale_line_refused(returns_policy, shoes, noah):
    briefs = VariantFactory(product=ProductFactory(name="Boxer Briefs", category="underwear"), size="M")
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10"), briefs])
    final_line = order.lines.get(variant=briefs)
    with pytest.raises(ReturnNotAllowed) as info:
        return_request_create(order=order, line_ids=[final_line.pk])
    assert info.value.reason == "final_sale"
    # the whole-order return takes only the returnable line
    request = return_request_create(order=order)
    assert [rl.order_line.variant_id for rl in request.lines.all()] == [variant(shoes, "10").pk]


@pytest.mark.django_db
def test_return_request_line_of_another_order_refused(returns_policy, shoes, noah, emma):
    mine = order_with_lines(customer=noah, variants=[variant(shoes, "10")])
    theirs = order_with_lines(customer=emma, variants=[variant(shoes, "9")])
    with pytest.raises(ReturnNotAllowed) as info:
        return_request_create(order=mine, line_ids=[theirs.lines.get().pk])
    assert info.value.reason == "unknown_line"


@pytest.mark.django_db
def test_return_request_rejects_exchange_refund_method(returns_policy, shoes, noah):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")])
    with pytest.raises(ValueError, match="refund_method"):
        return_request_create(order=order, refund_method="exchange")


# --- exchanges ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_exchange_takes_stock_and_records_variant(returns_policy, shoes, noah):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")])
    line = order.lines.get()
    new = variant(shoes, "10.5")
    request = exchange_request_create(order=order, line_id=line.pk, variant=new, reason="too small")
    assert request.refund_method == "exchange"
    assert request.exchange_variant == new
    assert [rl.order_line_id for rl in request.lines.all()] == [line.pk]
    new.refresh_from_db()
    assert new.stock == 4
    assert order.status == "return_requested"


@pytest.mark.django_db
def test_exchange_out_of_stock_changes_nothing(returns_policy, shoes, noah):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")])
    sold_out = variant(shoes, "9.5")
    with pytest.raises(OutOfStock):
        exchange_request_create(order=order, line_id=order.lines.get().pk, variant=sold_out)
    sold_out.refresh_from_db()
    assert sold_out.stock == 0
    order.refresh_from_db()
    assert order.status == "delivered"
    assert not ReturnRequest.objects.exists()


@pytest.mark.django_db
def test_exchange_unavailable_variant_refused(returns_policy, shoes, noah):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")])
    with pytest.raises(OutOfStock):
        exchange_request_create(order=order, line_id=order.lines.get().pk, variant=variant(shoes, "11"))


@pytest.mark.django_db
def test_exchange_quantity_never_drives_stock_negative(returns_policy, shoes, noah):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "9")], quantity=2)
    target = variant(shoes, "10")  # stock 1 < quantity 2
    with pytest.raises(OutOfStock):
        exchange_request_create(order=order, line_id=order.lines.get().pk, variant=target)
    target.refresh_from_db()
    assert target.stock == 1


@pytest.mark.django_db
def test_exchange_for_other_product_or_same_variant_refused(returns_policy, shoes, noah):
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")])
    line = order.lines.get()
    other = VariantFactory(size="10")
    with pytest.raises(ReturnNotAllowed) as info:
        exchange_request_create(order=order, line_id=line.pk, variant=other)
    assert info.value.reason == "other_product"
    with pytest.raises(ReturnNotAllowed) as info:
        exchange_request_create(order=order, line_id=line.pk, variant=line.variant)
    assert info.value.reason == "same_variant"


@pytest.mark.django_db
def test_exchange_respects_exchange_window(returns_policy, shoes, noah):
    # 45-day exchange window in the fixture policy
    order = order_with_lines(customer=noah, variants=[variant(shoes, "10")], delivered_days_ago=50)
    with pytest.raises(ReturnNotAllowed) as info:
        exchange_request_create(order=order, line_id=order.lines.get().pk, variant=variant(shoes, "9"))
    assert info.value.reason == "window_expired"


@pytest.mark.django_db
def test_exchange_of_final_sale_refused(returns_policy, noah):
    product = product_with_variants(name="Boxer Briefs", category="underwear", sizes=["S", "M"])
    small, medium = product.variants.get(size="s"), product.variants.get(size="m")
    order = order_with_lines(customer=noah, variants=[small])
    with pytest.raises(ReturnNotAllowed) as info:
        exchange_request_create(order=order, line_id=order.lines.get().pk, variant=medium)
    assert info.value.reason == "final_sale"


@pytest.mark.django_db(transaction=True)
def test_concurrent_exchanges_cannot_oversell(returns_policy, noah, emma):
    # given one unit left and two shoppers exchanging for it at the same moment
    product = product_with_variants(name="Court Sneaker", sizes=["9", "10"], stock={("10", "black"): 1})
    nine = product.variants.get(size="9")
    ten = product.variants.get(size="10")
    orders = [order_with_lines(customer=c, variants=[nine]) for c in (noah, emma)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(order: Order) -> None:
        try:
            barrier.wait(timeout=10)
            exchange_request_create(
                order=order, line_id=order.lines.get().pk, variant=Variant.objects.get(pk=ten.pk)
            )
            outcomes.append("ok")
        except OutOfStock:
            outcomes.append("out_of_stock")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(o,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # then exactly one wins and stock is 0, never -1
    assert sorted(outcomes) == ["ok", "out_of_stock"]
    ten.refresh_from_db()
    assert ten.stock == 0
    assert ReturnRequest.objects.filter(refund_method="exchange").count() == 1


@pytest.mark.django_db
def test_delivered_within_window_but_old_placed_at(returns_policy, shoes, noah):
    # the window counts from delivery, not from purchase
    order = order_with_lines(
        customer=noah,
        variants=[variant(shoes, "10")],
        delivered_days_ago=2,
        placed_at=timezone.now() - timedelta(days=90),
    )
    assert return_request_create(order=order).order_id == order.pk
