from __future__ import annotations

import pytest

from apps.orders.identity import CustomerIdentity
from tests.factories import (
    CustomerFactory,
    PolicyFactory,
    StoreFactory,
    product_with_variants,
)


@pytest.fixture
def store(db):
    return StoreFactory()


@pytest.fixture
def returns_policy(db):
    return PolicyFactory(
        external_id="returns",
        rules={
            "return_window_days": 30,
            "exchange_window_days": 45,
            "final_sale_categories": ["Underwear"],
            "return_shipping_paid_by": "customer",
        },
    )


@pytest.fixture
def shoes(db):
    # 9.5 is sold out in black; 11 is unavailable in black; red only in 10.
    product = product_with_variants(
        name="Trail Runner",
        sizes=["9", "9.5", "10", "10.5", "11"],
        colors=["black"],
        stock={("9.5", "black"): 0, ("10", "black"): 1},
        unavailable=[("11", "black")],
    )
    return product


@pytest.fixture
def noah(db):
    return CustomerFactory(email="Noah.Brown@Example.com", external_id="noah_brown_6181")


@pytest.fixture
def emma(db):
    return CustomerFactory(email="emma@example.com", external_id="emma_1")


@pytest.fixture
def noah_identity(noah):
    return CustomerIdentity(email="noah.brown@example.com", external_id=None, source="token")


def variant(product, size, color="black"):
    return product.variants.get(size=size, color=color)
