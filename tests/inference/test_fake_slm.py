from __future__ import annotations

import math

import pytest

from apps.inference.backends import FakeSLM, LabelScores, SLMBackend, Token, slm, slm_reset, turn_prompt

INTENTS = [
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


def test_slm_returns_the_configured_backend_once_per_process(fake_slm):
    # given the fake configured (fixture)
    # when / then
    assert isinstance(fake_slm, FakeSLM)
    assert isinstance(fake_slm, SLMBackend)
    assert slm() is fake_slm
    slm_reset()
    assert slm() is not fake_slm


def test_fake_docstring_says_it_is_a_fake():
    assert "FAKE" in FakeSLM.__doc__


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("where is my order??", "order_status"),
        ("i want a refund for these", "return_refund"),
        ("can i cancel it", "cancel_order"),
        ("let me talk to a human", "complaint_or_human"),
        ("what's the weather tomorrow", "out_of_scope"),
        ("asdf qwer", "out_of_scope"),
    ],
)
def test_score_labels_follows_keywords_of_the_shopper_text(message, intent):
    prompt = turn_prompt(f"Intents: {', '.join(INTENTS)}\nMessage: {message}\nIntent:")
    scores = FakeSLM().score_labels(prompt=prompt, labels=INTENTS)
    assert isinstance(scores, LabelScores)
    assert scores.best == intent
    assert math.isclose(sum(scores.probs.values()), 1.0, rel_tol=1e-9)
    assert set(scores.probs) == set(INTENTS)


def test_score_labels_is_deterministic_and_counts_cached_words():
    fake = FakeSLM()
    prompt_a = "Intents: a b c\nMessage: where is my order\nIntent:"
    prompt_b = "Intents: a b c\nMessage: refund please\nIntent:"
    first = fake.score_labels(prompt=prompt_a, labels=INTENTS)
    again = FakeSLM().score_labels(prompt=prompt_a, labels=INTENTS)
    assert first.probs == again.probs
    assert first.cached_tokens == 0
    assert first.prompt_tokens == len(prompt_a.split())
    second = fake.score_labels(prompt=prompt_b, labels=INTENTS)
    assert second.cached_tokens == 5  # "Intents: a b c Message:" shared with the previous prompt
    assert fake.last_cached_tokens == 5
    assert fake.last_prompt_tokens == len(prompt_b.split()) - 5
    # another context has its own cache
    other = fake.score_labels(prompt=prompt_b, labels=INTENTS, context="other")
    assert other.cached_tokens == 0


def test_score_labels_rejects_an_empty_label_set():
    with pytest.raises(ValueError, match="at least one label"):
        FakeSLM().score_labels(prompt="x", labels=[])


def test_stream_echoes_the_reply_section_word_by_word():
    fake = FakeSLM()
    prompt = turn_prompt("Facts: shipped.\nReply: Your order has shipped with UPS.")
    tokens = list(fake.stream(prompt=prompt, max_tokens=50))
    assert all(isinstance(t, Token) for t in tokens)
    assert "".join(t.text for t in tokens) == "Your order has shipped with UPS."
    assert fake.last_completion_tokens == 6
    completion = fake.complete(prompt=prompt, max_tokens=50)
    assert completion.text == "Your order has shipped with UPS."
    assert completion.completion_tokens == 6
    assert completion.mean_logprob == pytest.approx(-0.05)
    assert completion.cached_tokens == len(prompt.split())  # same prompt again


def test_stream_honours_max_tokens_and_stop_strings():
    fake = FakeSLM()
    prompt = "Reply: one two three. four five"
    assert "".join(t.text for t in fake.stream(prompt=prompt, max_tokens=2)) == "one two"
    assert fake.last_completion_tokens == 2
    assert fake.complete(prompt=prompt, max_tokens=50, stop=["."]).text == "one two three"
    assert fake.complete(prompt=prompt, max_tokens=0).text == ""


def test_stream_uses_canned_replies_then_a_default(monkeypatch):
    monkeypatch.setattr(FakeSLM, "canned", {"size chart": "Here is the size chart."})
    fake = FakeSLM()
    assert fake.complete(prompt="show me the size chart", max_tokens=20).text == "Here is the size chart."
    assert fake.complete(prompt="hello", max_tokens=20).text == "Thanks for your message. How can I help?"
