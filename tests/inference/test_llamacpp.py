"""The real GGUF through LlamaCppBackend (marked slm: loads Gemma 3 270M)."""

from __future__ import annotations

import math

import pytest

from apps.inference.backends import LlamaCppBackend, Token, turn_prompt

pytestmark = pytest.mark.slm

LABELS = [
    "order_status",
    "cancel_order",
    "return_refund",
    "exchange_size",
    "size_availability_or_fit",
    "shipping_delivery",
    "payment_billing",
    "account",
    "complaint_or_human",
    "product_question",
    "greeting",
    "out_of_scope",
]
INSTRUCTIONS = (
    "Classify the customer's message. Intents: "
    + ", ".join(LABELS)
    + ".\n\nMessage: where is my package\nIntent: order_status\n"
    "Message: i want my money back\nIntent: return_refund\n"
)


def prompt_for(message: str) -> str:
    return INSTRUCTIONS + f"Message: {message}\nIntent:"


def test_score_labels_is_a_distribution_and_reuses_the_prefix(llama_backend):
    first = llama_backend.score_labels(prompt=prompt_for("hello there"), labels=LABELS, context="t-score")
    assert set(first.probs) == set(LABELS)
    assert math.isclose(sum(first.probs.values()), 1.0, rel_tol=1e-6)
    assert all(p >= 0 for p in first.probs.values())
    assert first.best == max(first.probs, key=first.probs.get)
    assert first.cached_tokens == 0
    # when the same instructions come with another message
    second = llama_backend.score_labels(
        prompt=prompt_for("can i cancel order 123"), labels=LABELS, context="t-score"
    )
    # then the shared prefix comes from the KV cache and only the suffix is evaluated
    assert second.cached_tokens > 30
    assert second.prompt_tokens < 20
    assert llama_backend.last_cached_tokens == second.cached_tokens


def test_cached_scores_equal_cold_scores(llama_backend):
    llama_backend.score_labels(prompt=prompt_for("hi"), labels=LABELS, context="t-warm")
    warm = llama_backend.score_labels(prompt=prompt_for("size 10 in stock?"), labels=LABELS, context="t-warm")
    cold = llama_backend.score_labels(prompt=prompt_for("size 10 in stock?"), labels=LABELS, context="t-cold")
    assert warm.cached_tokens > 0
    assert cold.cached_tokens == 0
    for label in LABELS:
        assert warm.probs[label] == pytest.approx(cold.probs[label], abs=2e-3)


def test_repeated_identical_prompt_evaluates_nothing(llama_backend):
    prompt = prompt_for("thanks!")
    llama_backend.score_labels(prompt=prompt, labels=LABELS, context="t-same")
    again = llama_backend.score_labels(prompt=prompt, labels=LABELS, context="t-same")
    assert again.prompt_tokens == 0


def test_labels_sharing_first_tokens_get_exact_scores(llama_backend):
    labels = ["order_status", "order_cancel", "refund"]
    scores = llama_backend.score_labels(prompt=prompt_for("cancel my order"), labels=labels, context="t-tree")
    assert math.isclose(sum(scores.probs.values()), 1.0, rel_tol=1e-6)
    assert scores.probs["order_status"] != scores.probs["order_cancel"]


def test_stream_yields_tokens_and_stops_within_max_tokens(llama_backend):
    tokens = list(llama_backend.stream(prompt=turn_prompt("Say hi to the customer."), max_tokens=12))
    assert tokens
    assert all(isinstance(t, Token) for t in tokens)
    assert llama_backend.last_completion_tokens <= 12
    assert all(t.logprob is None or t.logprob <= 0 for t in tokens)
    assert llama_backend.last_prompt_tokens > 0


def test_stream_with_a_grammar_and_stop_string(llama_backend):
    completion = llama_backend.complete(
        prompt=turn_prompt("Give a number."),
        max_tokens=16,
        grammar='root ::= "{\\"n\\": " [1-9] [0-9]? "}"',
    )
    assert completion.text.startswith('{"n": ')
    assert completion.text.endswith("}")
    assert completion.mean_logprob is not None
    assert completion.mean_logprob < 0
    stopped = llama_backend.complete(
        prompt=turn_prompt("Count."), max_tokens=16, grammar='root ::= "1, 2, 3, 4"', stop=[", 3"]
    )
    assert stopped.text == "1, 2"


def test_backend_name_and_files(llama_backend, gguf_path):
    assert llama_backend.name == "gemma-3-270m"
    assert llama_backend.adapter_file is None
    assert llama_backend.model_file.endswith("gemma-3-270m-q4_k_m.gguf")
    assert isinstance(llama_backend, LlamaCppBackend)


def test_prompt_tokens_from_the_cached_head_equal_a_whole_tokenisation(llama_backend):
    from apps.assistant.prompts import respond_prompt, understand_prompt

    ctx = llama_backend._context("t-tokens")
    prompts = [understand_prompt(m) for m in ("hi", "wheres my order #W123??", "größe 42 — 👟 ok?")]
    prompts += [respond_prompt(question=q, passage="Shipping is $5.\n\nFree over $50.") for q in ("a", "b")]
    prompts += [understand_prompt("  leading space"), understand_prompt("\n\nnew lines\n\n")]
    for prompt in prompts:
        whole = ctx.llm.tokenize(prompt.encode(), add_bos=True, special=True)
        assert llama_backend._prompt_tokens(ctx, prompt) == whole
    assert ctx.head_tokens is not None  # the understand head was split and reused
