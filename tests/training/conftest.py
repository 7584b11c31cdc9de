"""A small store for the training tests: a few products, orders in every state, FAQs, a policy,
and one conversation an agent resolved.

The ids are fixed, not taken from the factories' sequences: the train/test split hashes them, so
with sequence ids what lands in each half would depend on which tests ran before."""

from __future__ import annotations

import pytest

from tests.factories import (
    CustomerFactory,
    FAQFactory,
    PolicyFactory,
    StoreFactory,
    order_with_lines,
    product_with_variants,
)


@pytest.fixture
def small_store(db):
    StoreFactory()
    PolicyFactory()
    for i in range(5):
        FAQFactory(external_id=f"faq-small-{i}")
    products = [
        product_with_variants(
            name=f"{name} {i}",
            sizes=sizes,
            stock={(sizes[1], "black"): 0},
            category=cat,
            external_id=f"prod-small-{i}",
        )
        for i, (name, cat, sizes) in enumerate(
            [
                ("Running Shoes", "shoes", ["8", "9", "10", "11"]),
                ("Trail Runner", "shoes", ["9", "10", "11"]),
                ("Classic Hoodie", "hoodies", ["S", "M", "L"]),
                ("Court Sneaker", "shoes", ["7", "8", "9", "10"]),
                ("Rain Shell Jacket", "jackets", ["M", "L", "XL"]),
                ("Everyday Tee", "t-shirts", ["S", "M", "L"]),
            ]
        )
    ]
    statuses = ["pending", "shipped", "delivered", "cancelled", "delivered", "shipped", "pending", "returned"]
    orders = []
    for i, status in enumerate(statuses):
        product = products[i % len(products)]
        orders.append(
            order_with_lines(
                customer=CustomerFactory(),
                status=status,
                variants=[product.variants.first()],
                delivered_days_ago=5 if i % 3 else 60,
                external_id=f"#W{7100000 + i}",
            )
        )
    return {"products": products, "orders": orders}


@pytest.fixture
def resolved_conversation(small_store):
    from apps.conversations.models import Conversation, Message

    customer = small_store["orders"][1].customer
    number = small_store["orders"][1].external_id
    conversation = Conversation.objects.create(
        owner=Conversation.Owner.CLOSED, customer_email=customer.email, intent="order_status"
    )
    Message.objects.create(
        conversation=conversation,
        role=Message.Role.SHOPPER,
        text=f"hi, I'm {customer.first_name}, my email is {customer.email}, where is {number}?",
    )
    Message.objects.create(
        conversation=conversation,
        role=Message.Role.AGENT,
        text=f"Hi {customer.first_name}! I emailed the tracking link to {customer.email} a minute ago.",
    )
    return conversation, customer
