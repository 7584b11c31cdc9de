"""The shared factories build data that is consistent the way real store data is."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.orders.models import Order
from tests.factories import (
    APPAREL_SIZES,
    CustomerFactory,
    FAQFactory,
    OrderFactory,
    PolicyDefaultsFactory,
    PolicyFactory,
    ReturnRequestLineFactory,
    StoreFactory,
    VariantFactory,
    order_with_lines,
    product_with_variants,
)

pytestmark = pytest.mark.django_db


def test_store_and_defaults_are_singletons():
    assert StoreFactory().pk == StoreFactory().pk == 1
    assert PolicyDefaultsFactory().pk == 1


def test_variant_options_fill_indexed_copies_and_sku():
    variant = VariantFactory(size="10.5", color="Red")
    assert variant.options == {"size": "10.5", "color": "Red"}
    assert (variant.size, variant.color) == ("10.5", "red")
    assert variant.sku
    assert variant.in_stock


def test_product_with_variants_grid_stock_and_availability():
    product = product_with_variants(
        name="Classic Hoodie",
        sizes=APPAREL_SIZES,
        colors=["gray", "black"],
        stock={("M", "gray"): 0},
        unavailable=[("L", "black")],
        price="59.00",
    )
    assert product.variants.count() == 12
    assert product.variants.get(size="m", color="gray").stock == 0
    assert product.variants.get(size="l", color="black").available is False
    assert {v.price for v in product.variants.all()} == {Decimal("59.00")}


@pytest.mark.parametrize("status", list(Order.Status.values))
def test_order_dates_follow_status(status):
    order = OrderFactory(status=status)
    delivered = status in {"delivered", "return_requested", "returned", "partially_returned"}
    assert (order.delivered_at is not None) == delivered
    if delivered:
        assert order.placed_at < order.delivered_at


def test_order_with_lines_has_payment_and_shipment():
    variants = [VariantFactory(size="9"), VariantFactory(size="10")]
    order = order_with_lines(variants=variants, status="shipped", quantity=2)
    assert order.lines.count() == 2
    assert order.payments.get().amount == sum(v.price * 2 for v in variants)
    shipment = order.shipments.get()
    assert shipment.tracking_numbers
    assert set(shipment.variants.all()) == set(variants)
    assert order_with_lines(variants=variants, status="pending").shipments.count() == 0


def test_customers_unique_and_return_line_belongs_to_its_order():
    assert CustomerFactory().email != CustomerFactory().email
    line = ReturnRequestLineFactory()
    assert line.order_line.order_id == line.return_request.order_id
    assert FAQFactory().is_published
    assert PolicyFactory().rules["return_window_days"] == 30
