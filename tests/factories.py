"""factory_boy factories for the store's data, shared by every app's tests.

Defaults look like a real shoe-and-apparel store: products with a category and brand, variants with
size/color options and a SKU derived from them, customers with real-looking emails, orders whose
dates follow their status (a delivered order has shipped_at < delivered_at, a pending one neither).

Helpers for the common shapes:
    product_with_variants(name="Trail Runner", sizes=["9", "9.5", "10"], colors=["black"], stock=3)
    order_with_lines(customer=..., status="delivered", variants=[v1, v2], delivered_days_ago=5)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
import factory.random
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.catalog.models import Product, Store, Variant
from apps.knowledge.models import FAQ, Policy, PolicyDefaults
from apps.orders.models import (
    Customer,
    Order,
    OrderLine,
    Payment,
    ReturnRequest,
    ReturnRequestLine,
    Shipment,
)

# Same fake names on every run, so a failing test reproduces.
factory.random.reseed_random("supportbot-tests")

SHOE_SIZES = ["7", "7.5", "8", "8.5", "9", "9.5", "10", "10.5", "11", "11.5", "12", "13"]
APPAREL_SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
_PRODUCTS = [
    ("Running Shoes", "shoes", "Stride"),
    ("Trail Runner", "shoes", "Summit"),
    ("Court Sneaker", "shoes", "Baseline"),
    ("Leather Chelsea Boots", "boots", "Oakridge"),
    ("Classic Hoodie", "hoodies", "Northwind"),
    ("Merino Crew Socks", "socks", "Woolly"),
    ("Rain Shell Jacket", "jackets", "Summit"),
    ("Everyday Tee", "t-shirts", "Northwind"),
]
_SHIPPED_STATUSES = {
    "shipped",
    "processed",
    "delivered",
    "return_requested",
    "returned",
    "partially_returned",
}
_DELIVERED_STATUSES = {"delivered", "return_requested", "returned", "partially_returned"}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "", text.upper())[:4] or "X"


class StoreFactory(DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("id",)

    id = 1
    name = "Northwind Shoes"
    currency = "USD"
    locale = "en"
    timezone = "America/New_York"


class PolicyDefaultsFactory(DjangoModelFactory):
    class Meta:
        model = PolicyDefaults
        django_get_or_create = ("id",)

    id = 1


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    external_id = factory.Sequence(lambda n: f"prod-{1000 + n}")
    name = factory.Sequence(lambda n: f"{_PRODUCTS[n % len(_PRODUCTS)][0]} {n // len(_PRODUCTS) + 1}")
    category = factory.Sequence(lambda n: _PRODUCTS[n % len(_PRODUCTS)][1])
    description = factory.LazyAttribute(lambda p: f"{p.name}: comfortable, durable, made to last.")
    attributes = factory.Sequence(lambda n: {"brand": _PRODUCTS[n % len(_PRODUCTS)][2]})
    size_chart = "US 7 = 25 cm, US 8 = 26 cm, US 9 = 27 cm, US 10 = 28 cm, US 11 = 29 cm"


class VariantFactory(DjangoModelFactory):
    """A variant; pass ``size`` and ``color`` (Params) or ``options`` directly."""

    class Meta:
        model = Variant

    class Params:
        size = "10"
        color = "black"

    product = factory.SubFactory(ProductFactory)
    external_id = factory.Sequence(lambda n: f"var-{50000 + n}")
    options = factory.LazyAttribute(
        lambda v: {k: val for k, val in (("size", v.size), ("color", v.color)) if val not in (None, "")}
    )
    sku = factory.LazyAttributeSequence(
        lambda v, n: (
            "-".join(
                [
                    _slug(v.product.name),
                    _slug(str(v.options.get("color", ""))),
                    _slug(str(v.options.get("size", ""))),
                ]
            )
            + f"-{n}"
        )
    )
    price = Decimal("129.99")
    stock = 5
    available = True


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    external_id = factory.LazyAttributeSequence(lambda c, n: f"{c.first_name}_{c.last_name}_{n}".lower())
    email = factory.LazyAttributeSequence(lambda c, n: f"{c.first_name}.{c.last_name}{n}@example.com".lower())
    phone = factory.Faker("numerify", text="+1-###-###-####")
    address = factory.LazyFunction(
        lambda: {
            "address1": "986 Sunset Drive",
            "address2": "",
            "city": "Denver",
            "state": "CO",
            "zip": "80279",
            "country": "USA",
        }
    )


class OrderFactory(DjangoModelFactory):
    """An order whose dates fit its status. ``delivered_days_ago`` sets delivery relative to now."""

    class Meta:
        model = Order

    class Params:
        delivered_days_ago = 5

    external_id = factory.Sequence(lambda n: f"#W{2600000 + n}")
    customer = factory.SubFactory(CustomerFactory)
    status = Order.Status.DELIVERED
    delivered_at = factory.LazyAttribute(
        lambda o: (
            timezone.now() - timedelta(days=o.delivered_days_ago) if o.status in _DELIVERED_STATUSES else None
        )
    )
    placed_at = factory.LazyAttribute(
        lambda o: (o.delivered_at or timezone.now()) - timedelta(days=4 if o.delivered_at else 1)
    )
    shipping_address = factory.LazyAttribute(lambda o: o.customer.address)


class OrderLineFactory(DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    position = factory.Sequence(lambda n: n)
    variant = factory.SubFactory(VariantFactory)
    quantity = 1
    unit_price = factory.LazyAttribute(lambda line: line.variant.price)


class ShipmentFactory(DjangoModelFactory):
    class Meta:
        model = Shipment
        skip_postgeneration_save = True  # the M2M hook needs no second save

    order = factory.SubFactory(OrderFactory)
    position = 0
    carrier = factory.Iterator(["UPS", "FedEx", "USPS", "DHL"])
    tracking_numbers = factory.Sequence(lambda n: [f"1Z{357962501027 + n}"])
    shipped_at = factory.LazyAttribute(lambda s: s.order.placed_at + timedelta(days=1))
    delivered_at = factory.LazyAttribute(lambda s: s.order.delivered_at)

    @factory.post_generation
    def variants(self, create: bool, extracted: Iterable[Variant] | None, **kwargs: Any) -> None:
        if not create:
            return
        if extracted is None:
            extracted = [line.variant for line in self.order.lines.all()]
        self.variants.set(list(extracted))


class PaymentFactory(DjangoModelFactory):
    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    position = 0
    method = "credit_card"
    amount = Decimal("129.99")
    kind = Payment.Kind.PAYMENT


class ReturnRequestFactory(DjangoModelFactory):
    class Meta:
        model = ReturnRequest

    order = factory.SubFactory(OrderFactory, status=Order.Status.RETURN_REQUESTED)
    reason = "Too small"
    status = ReturnRequest.Status.REQUESTED


class ReturnRequestLineFactory(DjangoModelFactory):
    class Meta:
        model = ReturnRequestLine

    return_request = factory.SubFactory(ReturnRequestFactory)
    order_line = factory.SubFactory(OrderLineFactory, order=factory.SelfAttribute("..return_request.order"))
    quantity = 1


class FAQFactory(DjangoModelFactory):
    class Meta:
        model = FAQ

    external_id = factory.Sequence(lambda n: f"faq-{n}")
    question = factory.Iterator(
        [
            "How long do I have to return an item?",
            "How long does shipping take?",
            "Do you ship internationally?",
            "How do I find my shoe size?",
            "Which payment methods do you accept?",
        ]
    )
    answer = factory.Iterator(
        [
            "Unworn items can be returned within 30 days of delivery.",
            "Standard shipping takes 3-5 business days; express takes 1-2.",
            "We ship to the US and Canada.",
            "Measure your foot in cm and compare it with the size chart on the product page.",
            "We accept credit cards, PayPal and gift cards.",
        ]
    )
    tags = factory.LazyFunction(lambda: ["general"])
    is_published = True


class PolicyFactory(DjangoModelFactory):
    class Meta:
        model = Policy

    external_id = factory.Sequence(lambda n: f"policy-{n}")
    title = "Returns and exchanges"
    body = (
        "Unworn items in their original packaging can be returned within 30 days of delivery. "
        "Exchanges for another size or color are free within 30 days. Underwear is final sale."
    )
    rules = factory.LazyFunction(
        lambda: {
            "return_window_days": 30,
            "exchange_window_days": 30,
            "final_sale_categories": ["underwear"],
            "return_shipping_paid_by": "store",
        }
    )


# ------------------------------------------------------------------------------------------------
# Shapes most tests need
# ------------------------------------------------------------------------------------------------


def product_with_variants(
    *,
    name: str = "Running Shoes",
    category: str = "shoes",
    sizes: Sequence[str] = ("8", "9", "10", "11"),
    colors: Sequence[str] = ("black",),
    stock: int | None | dict[tuple[str, str], int | None] = 5,
    price: Decimal | str = "129.99",
    unavailable: Iterable[tuple[str, str]] = (),
    **product_fields: Any,
) -> Product:
    """A product with one variant per size x color. ``stock`` may map (size, color) -> stock."""
    product = ProductFactory(name=name, category=category, **product_fields)
    closed = set(unavailable)
    for color in colors or [""]:
        for size in sizes or [""]:
            units = stock.get((size, color), 5) if isinstance(stock, dict) else stock
            VariantFactory(
                product=product,
                size=size,
                color=color,
                stock=units,
                price=Decimal(str(price)),
                available=(size, color) not in closed,
            )
    return product


def order_with_lines(
    *,
    variants: Sequence[Variant],
    customer: Customer | None = None,
    status: str = Order.Status.DELIVERED,
    delivered_days_ago: int = 5,
    quantity: int = 1,
    shipped: bool | None = None,
    **order_fields: Any,
) -> Order:
    """An order with one line per variant, a payment, and (when its status implies) a shipment."""
    fields: dict[str, Any] = {"status": status, "delivered_days_ago": delivered_days_ago, **order_fields}
    if customer is not None:
        fields["customer"] = customer
    order = OrderFactory(**fields)
    total = Decimal(0)
    for position, variant in enumerate(variants):
        OrderLineFactory(order=order, variant=variant, position=position, quantity=quantity)
        total += variant.price * quantity
    PaymentFactory(order=order, amount=total)
    if shipped if shipped is not None else status in _SHIPPED_STATUSES:
        ShipmentFactory(order=order)
    return order
