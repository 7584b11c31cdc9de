"""Order reads: finding an order, deciding who may see it, and what the shopper may do with it.

Access is decided here, in code, from the verified identity only. Nothing a shopper writes can
widen it: callers pass a ``CustomerIdentity`` they obtained from a verified token or from
``order_verify_by_email``, never one built from message text.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.catalog.models import Store, money_str
from apps.catalog.selectors import size_normalize, variant_availability
from apps.knowledge.selectors import policy_rules
from apps.orders.identity import CustomerIdentity
from apps.orders.models import Order, OrderLine, ReturnRequest, ReturnRequestLine, Shipment

logger = logging.getLogger(__name__)

_OPEN_RETURN = (
    ReturnRequest.Status.REQUESTED,
    ReturnRequest.Status.APPROVED,
    ReturnRequest.Status.RECEIVED,
    ReturnRequest.Status.REFUNDED,
)

# --------------------------------------------------------------------------------------------
# Finding orders and verifying the shopper
# --------------------------------------------------------------------------------------------


def order_number_normalize(text: str) -> str:
    """ "#w2611340 ", "order no. W2611340" -> "W2611340" (upper case, no '#', no spaces)."""
    t = (text or "").strip()
    t = re.sub(r"^(?:order\s*(?:number|num|no\.?|nr\.?)?\s*[:\-]?\s*)", "", t, flags=re.IGNORECASE)
    t = re.sub(r"\s+", "", t).lstrip("#")
    return t.upper()


_FORMATS_CACHE: dict[str, Any] = {"key": None, "formats": ()}
_RUN_RE = re.compile(r"[A-Za-z]+|\d+|[^A-Za-z\d]+")


def _number_shape(external_id: str) -> str:
    """ "#W2611340" -> "W\\d{6,8}", "SO-88412" -> "SO\\-\\d{4,6}": letters and separators kept,
    digit runs of about the same length (numbers grow: #999 is followed by #1000)."""
    parts = []
    for run in _RUN_RE.findall(external_id.strip().lstrip("#")):
        if run.isdigit():
            parts.append(rf"\d{{{max(1, len(run) - 1)},{len(run) + 1}}}")
        else:
            parts.append(re.escape(run.upper()))
    return "".join(parts)


_FORMATS_PINNED: ContextVar[tuple[str, ...] | None] = ContextVar("order_number_formats", default=None)


@contextmanager
def order_number_formats_pinned() -> Iterator[None]:
    """One reply reads the store's order-number formats once: its steps look for order numbers
    about eight times, and checking the cache against the orders table each time cost ~9 ms."""
    try:
        formats = order_number_formats()
    except Exception as exc:  # no database (pure text use): each reader falls back on its own
        logger.warning("order-number formats unavailable: %s", exc)
        yield
        return
    token = _FORMATS_PINNED.set(formats)
    try:
        yield
    finally:
        _FORMATS_PINNED.reset(token)


def order_number_formats() -> tuple[str, ...]:
    """The store's own order-number formats, as regular expressions (upper case, no '#').

    Read from the stored orders, so "the MT5000 lamp" is no order number in a store whose orders
    are "#1042". Empty when the store has no orders (callers fall back to a generic reading).
    Cached per process until an order is added or removed; inside ``order_number_formats_pinned``
    read once."""
    from django.db.models import Count, Max

    if (pinned := _FORMATS_PINNED.get()) is not None:
        return pinned

    row = Order.objects.aggregate(n=Count("id"), last=Max("id"))
    key = (row["n"], row["last"])
    if _FORMATS_CACHE["key"] != key:
        shapes: dict[str, None] = {}
        for external_id in Order.objects.values_list("external_id", flat=True).iterator(chunk_size=5000):
            shapes.setdefault(_number_shape(external_id), None)
            if len(shapes) > 50:
                break  # free-form numbers: no format to learn, a generic reading is as good
        _FORMATS_CACHE.update(key=key, formats=tuple(shapes) if len(shapes) <= 50 else ())
    return _FORMATS_CACHE["formats"]


def _orders_by_number(number: str) -> QuerySet[Order]:
    key = order_number_normalize(number)
    if not key or len(key) > 200:
        return Order.objects.none()
    return Order.objects.select_related("customer").filter(
        Q(external_id__iexact=key) | Q(external_id__iexact=f"#{key}")
    )


def order_get_by_number(*, number: str) -> Order | None:
    """An order by its number, with or without '#', any case. None if unknown or ambiguous."""
    candidates = list(_orders_by_number(number)[:2])
    return candidates[0] if len(candidates) == 1 else None


def order_verify_by_email(*, number: str, email: str) -> Order | None:
    """The order, only if ``email`` is that order's email (case-insensitive); else None.

    A wrong email and an unknown number both give None, so the answer never confirms that an
    order number exists to someone who cannot prove it is theirs.
    """
    wanted = (email or "").strip().lower()
    if not wanted or "@" not in wanted:
        return None
    for order in _orders_by_number(number):
        if order.customer.email.strip().lower() == wanted:
            return order
    return None


def order_access_allowed(*, order: Order, identity: CustomerIdentity | None) -> bool:
    """True only for the order's own customer: same email (any case) or same external id."""
    if identity is None:
        return False
    customer = order.customer
    email = (identity.email or "").strip().lower()
    if email and email == (customer.email or "").strip().lower():
        return True
    external = (identity.external_id or "").strip()
    return bool(external) and external == customer.external_id


def orders_for_identity(*, identity: CustomerIdentity, limit: int = 5) -> list[Order]:
    """The identity's own orders, newest first."""
    email = (identity.email or "").strip()
    external = (identity.external_id or "").strip()
    condition = Q()
    if email:
        condition |= Q(customer__email__iexact=email)
    if external:
        condition |= Q(customer__external_id=external)
    if not condition:
        return []
    return list(
        Order.objects.select_related("customer").filter(condition).order_by("-placed_at", "-pk")[:limit]
    )


# --------------------------------------------------------------------------------------------
# Status
# --------------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _options(line: OrderLine) -> dict[str, Any]:
    return {str(k): v for k, v in (line.variant.options or {}).items()}


def _line_summary(line: OrderLine) -> dict[str, Any]:
    return {
        "line_id": line.pk,
        "product": line.variant.product.name,
        "product_id": line.variant.product_id,
        "category": line.variant.product.category,
        "variant": line.variant.external_id,
        "sku": line.variant.sku,
        "options": _options(line),
        "quantity": line.quantity,
        "unit_price": money_str(line.unit_price),
    }


def _order_with_relations(order: Order) -> Order:
    return (
        Order.objects.select_related("customer")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("variant__product")),
            Prefetch("shipments", queryset=Shipment.objects.prefetch_related("variants__product")),
            "payments",
            Prefetch("return_requests", queryset=ReturnRequest.objects.prefetch_related("lines")),
        )
        .get(pk=order.pk)
    )


def _currency() -> str:
    # Store.current() would create the row: a selector must not write.
    return Store.objects.filter(pk=1).values_list("currency", flat=True).first() or "USD"


def _delivered_at(order: Order) -> datetime | None:
    if order.delivered_at:
        return order.delivered_at
    dates = [s.delivered_at for s in order.shipments.all() if s.delivered_at]
    return max(dates) if dates else None


def order_status_summary(*, order: Order) -> dict[str, Any]:
    """The order as JSON-safe facts: status, dates, lines, shipments with tracking, total.

    Only for a shopper that ``order_access_allowed`` let in.
    """
    order = _order_with_relations(order)
    lines = list(order.lines.all())
    total = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    payments = list(order.payments.all())
    refunded = sum((p.amount for p in payments if p.kind == p.Kind.REFUND), Decimal(0))
    return {
        "order_number": order.external_id,
        "status": order.status,
        "placed_at": _iso(order.placed_at),
        "delivered_at": _iso(_delivered_at(order)),
        "can_cancel": order.status == Order.Status.PENDING,
        "lines": [_line_summary(line) for line in lines],
        "shipments": [
            {
                "carrier": s.carrier,
                "tracking_numbers": list(s.tracking_numbers or []),
                "shipped_at": _iso(s.shipped_at),
                "delivered_at": _iso(s.delivered_at),
                "items": sorted({v.product.name for v in s.variants.all()}),
            }
            for s in order.shipments.all()
        ],
        "returns": [
            {
                "id": r.pk,
                "status": r.status,
                "refund_method": r.refund_method,
                "created_at": _iso(r.created_at),
                "line_ids": [rl.order_line_id for rl in r.lines.all()],
            }
            for r in order.return_requests.all()
        ],
        "payment_methods": sorted({p.method for p in payments if p.kind == p.Kind.PAYMENT and p.method}),
        "refunded": money_str(refunded) if refunded else None,
        "shipping_address": order.shipping_address or None,
        "total": money_str(total),
        "currency": _currency(),
    }


# --------------------------------------------------------------------------------------------
# Returns and exchanges
# --------------------------------------------------------------------------------------------


def _returned_line_ids(order: Order) -> set[int]:
    return set(
        ReturnRequestLine.objects.filter(
            return_request__order=order, return_request__status__in=_OPEN_RETURN
        ).values_list("order_line_id", flat=True)
    )


def _days_left(deadline: datetime, now: datetime) -> int:
    # Whole days remaining; the ISO deadline next to it carries the exact time.
    return max(0, math.floor((deadline - now).total_seconds() / 86400))


def _window(delivered: datetime | None, days: int, now: datetime) -> tuple[bool, str | None, int | None]:
    if delivered is None:
        # Delivered without a date (sparse import): no deadline to state, nothing to refuse on.
        return True, None, None
    deadline = delivered + timedelta(days=days)
    return now <= deadline, _iso(deadline), _days_left(deadline, now) if now <= deadline else 0


def return_eligibility(
    *, order: Order, now: datetime | None = None, window: str = "return"
) -> dict[str, Any]:
    """May this order (still) be returned? Computed from the merged policy rules.

    ``reason``: "eligible", "cancelled", "already_returned", "not_delivered", "final_sale",
    "window_expired". ``detail`` tells "return_requested" from "returned". The window counts from
    delivery (the order's delivered_at, else its latest shipment's) to now, in UTC. Items in a
    final-sale category (matched case-insensitively) are listed and never returnable.
    ``window="exchange"`` uses the exchange window instead.
    """
    now = now or timezone.now()
    rules = policy_rules()
    order = _order_with_relations(order)
    window_days = int(rules["exchange_window_days" if window == "exchange" else "return_window_days"])
    final_sale = {str(c).strip().lower() for c in rules.get("final_sale_categories") or []}
    lines = list(order.lines.all())
    delivered = _delivered_at(order)
    already = _returned_line_ids(order)

    final_sale_items = [
        {"line_id": line.pk, "product": line.variant.product.name, "category": line.variant.product.category}
        for line in lines
        if line.variant.product.category.strip().lower() in final_sale
    ]
    final_ids = {item["line_id"] for item in final_sale_items}
    returnable = [
        _line_summary(line) for line in lines if line.pk not in final_ids and line.pk not in already
    ]
    in_window, deadline, days_left = _window(delivered, window_days, now)
    result: dict[str, Any] = {
        "eligible": False,
        "reason": "eligible",
        "detail": None,
        "order_number": order.external_id,
        "status": order.status,
        "window": window,
        "window_days": window_days,
        "delivered_at": _iso(delivered),
        "deadline": deadline,
        "days_left": days_left,
        "final_sale_items": final_sale_items,
        "returnable_lines": returnable,
        "return_shipping_paid_by": rules["return_shipping_paid_by"],
    }
    status = order.status
    if status == Order.Status.CANCELLED:
        result.update(reason="cancelled", days_left=None, deadline=None)
    elif status in (Order.Status.RETURNED, Order.Status.PARTIALLY_RETURNED):
        result.update(reason="already_returned", detail="returned")
    elif status == Order.Status.RETURN_REQUESTED or (lines and not returnable and already):
        result.update(reason="already_returned", detail="return_requested")
    elif status != Order.Status.DELIVERED:
        result.update(reason="not_delivered", deadline=None, days_left=None)
    elif lines and len(final_ids) == len(lines):
        result.update(reason="final_sale")
    elif not in_window:
        result.update(reason="window_expired")
    elif not returnable:
        result.update(reason="already_returned", detail="return_requested")
    else:
        result.update(eligible=True, detail="some_final_sale" if final_ids else None)
    if not result["eligible"]:
        result["returnable_lines"] = []  # nothing may be returned: never suggest otherwise
    return result


def exchange_options(
    *, order: Order, size: str | None = None, color: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """What each exchangeable line of the order could be swapped for (same product, in stock).

    With ``size``/``color``, each line lists only in-stock variants in that size/color and, when
    there are none, the nearest sizes that are. Uses the exchange window of the policy rules.
    """
    eligibility = return_eligibility(order=order, now=now, window="exchange")
    wanted = bool(size or color)
    returnable_ids = [line["line_id"] for line in eligibility["returnable_lines"]]
    lines = []
    query = OrderLine.objects.filter(order=order, pk__in=returnable_ids).select_related("variant__product")
    for line in query:
        product = line.variant.product
        availability = variant_availability(product=product, size=size, color=color)
        candidates = [v for v in availability["variants"] if v["in_stock"] and v["id"] != line.variant_id]
        lines.append(
            {
                "line_id": line.pk,
                "product": product.name,
                "product_id": product.pk,
                "current": {
                    "variant_id": line.variant_id,
                    "variant": line.variant.external_id,
                    "options": _options(line),
                },
                "quantity": line.quantity,
                "requested_in_stock": bool(candidates) if wanted else None,
                "options": candidates,
                "size_exists": availability["size_exists"],
                "sizes_in_stock": availability["sizes_in_stock"],
                "colors_in_stock": availability["colors_in_stock"],
                "nearest_in_stock": availability["nearest_in_stock"],
            }
        )
    has_options = any(line["options"] for line in lines)
    if not eligibility["eligible"]:
        reason = eligibility["reason"]
    else:
        reason = "eligible" if has_options else "out_of_stock"
    return {
        "order_number": eligibility["order_number"],
        "eligible": eligibility["eligible"] and has_options,
        "reason": reason,
        "window_days": eligibility["window_days"],
        "deadline": eligibility["deadline"],
        "days_left": eligibility["days_left"],
        "final_sale_items": eligibility["final_sale_items"],
        "size": size_normalize(size or "") or None,
        "color": (color or "").strip().lower() or None,
        "lines": lines,
    }
