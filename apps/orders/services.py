"""Order writes: status transitions, cancellation, return and exchange requests.

Every change the platform makes to an order goes through ``order_transition``, which holds the
order's row lock, so two workers acting on one order serialise and each sees the other's result.
(The importer sets statuses as given; these rules govern only what happens afterwards.)
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Variant
from apps.catalog.services import OutOfStock, variant_stock_increment, variant_stock_reserve
from apps.orders.models import Order, OrderLine, ReturnRequest, ReturnRequestLine
from apps.orders.selectors import return_eligibility

S = Order.Status
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.PROCESSED, S.SHIPPED, S.CANCELLED}),
    S.PROCESSED: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.RETURN_REQUESTED}),
    S.RETURN_REQUESTED: frozenset({S.RETURNED, S.PARTIALLY_RETURNED}),
    S.RETURNED: frozenset(),
    S.PARTIALLY_RETURNED: frozenset(),
    S.CANCELLED: frozenset(),
}


class InvalidTransition(Exception):
    """The order cannot move from its current status to the one asked for."""

    def __init__(self, current: str, to: str) -> None:
        super().__init__(f"cannot move an order from {current!r} to {to!r}")
        self.current = current
        self.to = to


class ReturnNotAllowed(Exception):
    """A return or exchange the policy does not allow; ``reason`` is a return_eligibility code."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason = reason


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("customer").get(pk=order.pk)


def _sync(target: Order, source: Order) -> Order:
    # Callers hold their own instance: give it the database's truth after the change.
    for name in ("status", "delivered_at", "updated_at"):
        setattr(target, name, getattr(source, name))
    return target


@transaction.atomic
def order_transition(*, order: Order, to: str) -> Order:
    """Move an order to status ``to`` if the rules allow it from its current (locked) status."""
    if to not in S.values:
        raise InvalidTransition(order.status, to)
    locked = _locked(order)
    if to not in ALLOWED_TRANSITIONS.get(locked.status, frozenset()):
        raise InvalidTransition(locked.status, to)
    locked.status = to
    fields = ["status", "updated_at"]
    if to == S.DELIVERED and locked.delivered_at is None:
        locked.delivered_at = timezone.now()  # the return window counts from here
        fields.append("delivered_at")
    locked.save(update_fields=fields)
    return _sync(order, locked)


@transaction.atomic
def order_cancel(*, order: Order) -> Order:
    """Cancel a pending order (only pending: once processed it is with the warehouse).

    Units go back to stock for variants that track it.
    """
    locked = _locked(order)
    if locked.status != S.PENDING:
        raise InvalidTransition(locked.status, S.CANCELLED)
    order_transition(order=locked, to=S.CANCELLED)
    for line in OrderLine.objects.filter(order=locked).select_related("variant"):
        variant_stock_increment(variant=line.variant, quantity=line.quantity)
    return _sync(order, locked)


def _check_eligible(order: Order, *, window: str) -> dict:
    eligibility = return_eligibility(order=order, window=window)
    if not eligibility["eligible"]:
        raise ReturnNotAllowed(eligibility["reason"], f"order {order.external_id}: {eligibility['reason']}")
    return eligibility


@transaction.atomic
def return_request_create(
    *,
    order: Order,
    reason: str = "",
    refund_method: str = "original_payment",
    line_ids: list[int] | None = None,
) -> ReturnRequest:
    """Open a return for some or all returnable lines and move the order to return_requested.

    Call only after the shopper confirmed. Raises ``ReturnNotAllowed`` (with the eligibility
    reason, or "final_sale" / "unknown_line" for a line that cannot be returned).
    """
    if refund_method not in ReturnRequest.RefundMethod.values or refund_method == "exchange":
        raise ValueError(f"refund_method {refund_method!r}: use original_payment or store_credit")
    locked = _locked(order)  # held until commit: a second request for this order waits here
    eligibility = _check_eligible(locked, window="return")
    returnable = {line["line_id"]: line for line in eligibility["returnable_lines"]}
    if line_ids is None:
        chosen = list(returnable)
    else:
        final_ids = {item["line_id"] for item in eligibility["final_sale_items"]}
        for line_id in line_ids:
            if line_id in final_ids:
                raise ReturnNotAllowed("final_sale", f"line {line_id} is final sale")
            if line_id not in returnable:
                raise ReturnNotAllowed(
                    "unknown_line", f"line {line_id} is not a returnable line of this order"
                )
        chosen = list(dict.fromkeys(line_ids))
    if not chosen:
        raise ReturnNotAllowed("unknown_line", "no returnable lines")
    request = ReturnRequest.objects.create(order=locked, reason=reason[:5000], refund_method=refund_method)
    ReturnRequestLine.objects.bulk_create(
        ReturnRequestLine(
            return_request=request, order_line_id=line_id, quantity=returnable[line_id]["quantity"]
        )
        for line_id in chosen
    )
    order_transition(order=locked, to=S.RETURN_REQUESTED)
    _sync(order, locked)
    return request


@transaction.atomic
def exchange_request_create(
    *, order: Order, line_id: int, variant: Variant, reason: str = ""
) -> ReturnRequest:
    """Swap one line for another variant of the same product that is in stock.

    The new variant's stock is taken with a conditional UPDATE, so two concurrent exchanges can
    never oversell it; ``OutOfStock`` when it is gone. Raises ``ReturnNotAllowed`` when the
    exchange window, final sale or the line rule it out.
    """
    locked = _locked(order)
    line = OrderLine.objects.select_related("variant").filter(order=locked, pk=line_id).first()
    if line is None:
        raise ReturnNotAllowed("unknown_line", f"line {line_id} is not part of order {locked.external_id}")
    if variant.product_id != line.variant.product_id:
        raise ReturnNotAllowed("other_product", "an exchange is for another variant of the same product")
    if variant.pk == line.variant_id:
        raise ReturnNotAllowed("same_variant", "that is the variant the shopper already has")
    eligibility = _check_eligible(locked, window="exchange")
    if line_id in {item["line_id"] for item in eligibility["final_sale_items"]}:
        raise ReturnNotAllowed("final_sale", f"line {line_id} is final sale")
    if line_id not in {item["line_id"] for item in eligibility["returnable_lines"]}:
        raise ReturnNotAllowed("already_returned", f"line {line_id} is already being returned")
    if not variant_stock_reserve(variant=variant, quantity=line.quantity):
        raise OutOfStock(f"{variant.sku or variant.external_id} is out of stock")
    request = ReturnRequest.objects.create(
        order=locked,
        reason=reason[:5000],
        refund_method=ReturnRequest.RefundMethod.EXCHANGE,
        exchange_variant=variant,
    )
    ReturnRequestLine.objects.create(return_request=request, order_line=line, quantity=line.quantity)
    order_transition(order=locked, to=S.RETURN_REQUESTED)
    _sync(order, locked)
    return request
