"""End to end on the real GGUF (slow; `-m slm`)."""

from __future__ import annotations

import pytest

from tests.assistant.helpers import ask, assert_trace_valid

pytestmark = [pytest.mark.django_db, pytest.mark.slm]


@pytest.fixture
def real_slm(settings, store):
    from apps.inference.backends import slm_reset

    settings.SLM_BACKEND = "apps.inference.backends.LlamaCppBackend"
    slm_reset()
    yield
    slm_reset()


@pytest.mark.parametrize(
    ("text", "intent", "route"),
    [
        ("where is my order #W2611340", "order_status", "slm"),
        ("do you have the pacer road runner in size 11", "size_availability_or_fit", "slm"),
        ("how much does shipping cost", "shipping_delivery", "slm"),
        ("talk to a human", "complaint_or_human", "human"),
    ],
)
def test_real_model_end_to_end(real_slm, store, text, intent, route):
    r = ask(text, identity=store.identity("noah@example.com"))
    assert_trace_valid(r.trace)
    assert r.trace["intent"] == intent
    assert r.route == route
    assert r.trace["model"]["slm"].startswith("gemma-3-270m")
    assert r.trace["tokens"]["slm_prompt"] + r.trace["tokens"]["slm_prompt_cached"] > 100


def test_warm_up_leaves_the_respond_head_in_its_context(real_slm, store):
    from apps.assistant.prompts import RESPOND_PREFIX, respond_prompt
    from apps.assistant.warmup import warm_up
    from apps.inference.backends import slm

    warm_up()
    backend = slm()
    assert backend.adapter_file, "the shipped adapter phrases answers, so respond is warmed"
    head = len(backend.tokenize(RESPOND_PREFIX, context="respond"))
    # when the first shopper's question reaches the respond context after the warm-up
    completion = backend.complete(
        prompt=respond_prompt(question="how much is shipping", passage="Shipping is free over $50."),
        max_tokens=4,
        context="respond",
    )
    # then its fixed head is not evaluated again
    assert completion.cached_tokens >= head
    assert completion.completion_tokens >= 1
