"""Assistant fixtures: the FakeSLM, the fake embedder, a small store with two customers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from apps.inference.backends import slm_reset
from apps.inference.embeddings import embedder_reset
from apps.orders.identity import CustomerIdentity
from tests.factories import (
    CustomerFactory,
    FAQFactory,
    PolicyFactory,
    order_with_lines,
    product_with_variants,
)


@pytest.fixture(autouse=True)
def _fakes(settings: Any) -> Iterator[None]:
    settings.SLM_BACKEND = "apps.inference.backends.FakeSLM"
    settings.EMBEDDING_BACKEND = "apps.inference.embeddings.FakeEmbedder"
    settings.LLM_BASE_URL = ""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "assistant-tests"}
    }
    cache.clear()
    slm_reset()
    embedder_reset()
    yield
    slm_reset()
    embedder_reset()


class Store:
    """Handles on the test store's rows."""

    def __init__(self) -> None:
        self.shoe = product_with_variants(
            name="Pacer Road Runner",
            category="running shoes",
            sizes=["9", "9.5", "10", "11", "12"],
            colors=["black", "blue"],
            stock={("10", "black"): 0, ("10", "blue"): 0, ("11", "black"): 2, ("11", "blue"): 0},
            price="129.99",
            description="A light road running shoe. Fit: runs half a size small; size up.",
        )
        self.hoodie = product_with_variants(
            name="Classic Pullover Hoodie", category="hoodies", sizes=["S", "M", "L", "XL"], colors=["grey"]
        )
        self.noah = CustomerFactory(email="noah@example.com", first_name="Noah")
        self.mia = CustomerFactory(email="mia@example.com", first_name="Mia")
        black_9 = self.shoe.variants.get(size="9", color="black")
        self.noah_shipped = order_with_lines(
            customer=self.noah, status="shipped", variants=[black_9], external_id="#W2611340"
        )
        self.noah_delivered = order_with_lines(
            customer=self.noah,
            status="delivered",
            variants=[black_9],
            external_id="#W1000001",
            delivered_days_ago=3,
        )
        self.mia_shipped = order_with_lines(
            customer=self.mia, status="shipped", variants=[black_9], external_id="#W5550001"
        )
        self.mia_pending = order_with_lines(
            customer=self.mia, status="pending", variants=[black_9], external_id="#W5550002"
        )
        self.mia_shipped.shipping_address = {"line1": "77 Secret Lane", "city": "Hiddenville"}
        self.mia_shipped.save()
        PolicyFactory(external_id="returns", title="Returns", rules={"return_window_days": 30})
        FAQFactory(
            external_id="faq-shipping-cost",
            question="How much does shipping cost?",
            answer="Standard shipping is free on orders over $50 and $5.95 otherwise.",
        )
        FAQFactory(
            external_id="faq-payment-methods",
            question="Which payment methods do you accept?",
            answer="We accept Visa, Mastercard, American Express and PayPal.",
        )
        from apps.retrieval.services import index_refresh

        index_refresh(full=True)

    @staticmethod
    def identity(email: str) -> CustomerIdentity:
        return CustomerIdentity(email=email, external_id=None, source="trusted")

    def secrets_of_others(self, *, viewer: str | None) -> list[str]:
        """Strings that would reveal another customer's order (tracking, address, email)."""
        out: list[str] = []
        for order in (self.mia_shipped, self.mia_pending, self.noah_shipped, self.noah_delivered):
            if viewer and order.customer.email == viewer:
                continue
            for shipment in order.shipments.all():
                out += list(shipment.tracking_numbers)
            out.append(order.customer.email)
            if order.shipping_address:
                out += [str(v) for v in order.shipping_address.values() if len(str(v)) > 3]
        return [s for s in out if s]


@pytest.fixture
def store(db: Any) -> Store:
    return Store()
