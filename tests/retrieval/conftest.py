"""Retrieval fixtures: the fake embedder by default, a private cache, content factories."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from apps.catalog.models import Product
from apps.inference.embeddings import FakeEmbedder, embedder_reset
from apps.knowledge.models import FAQ, Policy

FAKE = "apps.inference.embeddings.FakeEmbedder"
MINILM = "apps.inference.embeddings.MiniLMEmbedder"


class OtherFakeEmbedder(FakeEmbedder):
    """Another model, as far as the index can tell: switching to it makes every chunk stale."""

    name = "other-fake"


@pytest.fixture(autouse=True)
def _fake_embedder_and_cache(settings: Any) -> Iterator[None]:
    settings.EMBEDDING_BACKEND = FAKE
    # A cache of our own: other helpers' test runs share the real Valkey, and the refresh
    # lock / queued flag must not leak between them.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "retrieval-tests"}
    }
    cache.clear()
    embedder_reset()
    yield
    embedder_reset()
    cache.clear()


@pytest.fixture
def real_embedder(settings: Any) -> Iterator[None]:
    settings.EMBEDDING_BACKEND = MINILM
    embedder_reset()
    yield
    embedder_reset()


@pytest.fixture
def make_faq(db: Any):
    def make(external_id: str, question: str, answer: str, *, is_published: bool = True) -> FAQ:
        return FAQ.objects.create(
            external_id=external_id, question=question, answer=answer, is_published=is_published
        )

    return make


@pytest.fixture
def make_policy(db: Any):
    def make(external_id: str, title: str, body: str) -> Policy:
        return Policy.objects.create(external_id=external_id, title=title, body=body)

    return make


@pytest.fixture
def make_product(db: Any):
    def make(external_id: str, name: str, **fields: Any) -> Product:
        return Product.objects.create(external_id=external_id, name=name, **fields)

    return make


@pytest.fixture
def store_knowledge(make_faq, make_policy, make_product) -> dict[str, Any]:
    """A small store: FAQs in shoppers' topics, a markdown policy, two products."""
    faqs = [
        make_faq(
            "faq-returns-window",
            "How long do I have to return an item?",
            "Unworn items can be returned within 30 days of delivery for a full refund.",
        ),
        make_faq(
            "faq-shipping-time",
            "How long does shipping take?",
            "Standard shipping takes 3 to 5 business days; express arrives in 1 to 2 business days.",
        ),
        make_faq(
            "faq-gift-cards",
            "Do you sell gift cards?",
            "Yes, digital gift cards from $25 to $200 are emailed instantly and never expire.",
        ),
        make_faq(
            "faq-payment-methods",
            "Which payment methods do you accept?",
            "We accept Visa, Mastercard, American Express, PayPal and Apple Pay.",
        ),
        make_faq(
            "faq-international",
            "Do you ship internationally?",
            "We ship to Canada, the United Kingdom and most of the European Union.",
        ),
        make_faq(
            "faq-size-exchange",
            "Can I exchange shoes for a different size?",
            "Yes: request an exchange within 30 days and we send the new size once we receive the pair.",
        ),
    ]
    policy = make_policy(
        "returns",
        "Returns and exchanges",
        "# Returns and exchanges\n\nWe want you to love your order.\n\n"
        "## Return window\n\nItems can be sent back within 30 days of delivery. Items must be unworn, "
        "unwashed and in the original packaging.\n\n"
        "## Final sale\n\nUnderwear and swimwear are final sale and cannot be returned.\n\n"
        "## Refunds\n\nRefunds go to the original payment method within 5 business days of receipt.",
    )
    products = [
        make_product(
            "prod-trail-runner",
            "Trail Runner 2",
            category="shoes",
            description="A grippy, cushioned trail running shoe with a waterproof upper.",
            attributes={"material": "mesh", "drop": "6 mm"},
            size_chart="US 8 = 26 cm\nUS 9 = 27 cm\nUS 10 = 28 cm",
        ),
        make_product(
            "prod-merino-tee",
            "Merino Tee",
            category="tops",
            description="A soft merino wool t-shirt that resists odour on long hikes.",
        ),
    ]
    return {"faqs": faqs, "policy": policy, "products": products}
