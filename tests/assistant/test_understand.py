"""Slots by code and the intent combination (no database, no model)."""

from __future__ import annotations

import pytest

from apps.assistant.classifier import code_probs
from apps.assistant.slots import slots_extract
from apps.assistant.understand import question_clauses, understand


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is my order #W2611340?", {"order_number": "W2611340"}),
        ("order 2611340 email Noah@Example.com", {"order_number": "2611340", "email": "noah@example.com"}),
        ("do you have it in an 11?", {"size": "11"}),
        ("size 10.5 please", {"size": "10.5"}),
        ("10 and a half", {"size": "10.5"}),
        ("hoodie in xl", {"size": "XL"}),
        ("2 pairs in medium", {"size": "M", "quantity": 2}),
        ("what about the blue ones", {"color": "blue"}),
    ],
)
def test_slots_extract(text, expected):
    assert slots_extract(text).as_dict() == expected


def test_fit_words_are_not_sizes():
    assert slots_extract("do these run small").size is None


def test_tracking_like_numbers_without_order_word_are_not_orders():
    assert slots_extract("call me at 5551234567").order_numbers == []


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("wheres my pakage", "order_status"),
        ("pls cancel my order", "cancel_order"),
        ("i want my money back", "return_refund"),
        ("can i swap these for a size 9", "exchange_size"),
        ("do these run small", "size_availability_or_fit"),
        ("is cod available", "payment_billing"),
        ("do u ship to canada", "shipping_delivery"),
        ("forgot my password", "account"),
        ("let me speak to a human", "complaint_or_human"),
        ("are the sneakers waterproof", "product_question"),
        ("hello", "greeting"),
        ("who won the football game", "out_of_scope"),
    ],
)
def test_code_classifier_on_own_phrasing(text, intent):
    probs = code_probs(text)
    assert max(probs, key=probs.get) == intent


def test_probability_combines_slm_and_code(settings):
    from apps.inference.backends import FakeSLM

    settings.ASSISTANT_SLM_INTENT_WEIGHT = 1.0
    u = understand("where is my order", backend=FakeSLM(), state={})
    assert u.intent == "order_status"
    assert 0.5 < u.probability <= 1.0
    assert u.slm_probs is not None
    assert abs(sum(u.slm_probs.values()) - 1) < 1e-6
    assert abs(sum(u.probs.values()) - 1) < 1e-6


def test_confirmation_only_counts_with_a_pending_question():
    assert understand("yes", backend=None, state={}).confirm is False
    pending = {"pending_action": {"intent": "cancel_order", "action": "cancel", "order": "#W1"}}
    u = understand("yes please", backend=None, state=pending)
    assert u.confirm
    assert u.intent == "cancel_order"


def test_verification_answer_keeps_the_order_topic():
    u = understand("W2611340 noah@example.com", backend=None, state={"last_intent": "return_refund"})
    assert u.intent == "return_refund"


@pytest.mark.parametrize(
    "text",
    [
        "i uded samuel.robinson@example.org",
        "srue its #W2837924, emmail lucia34@example.com",
        "i ussed l@example.com",
    ],
)
def test_mistyped_verification_answer_keeps_the_order_topic(text):
    u = understand(text, backend=None, state={"last_intent": "return_refund"})
    assert u.intent == "return_refund"


@pytest.mark.parametrize(
    "text", ["cancel W1234567 a@b.com", "stop W1234567 a@b.com", "return W1234567 a@b.com"]
)
def test_a_topic_word_beside_the_verification_data_is_no_filler(text):
    from apps.assistant.understand import _only_verification_data

    assert not _only_verification_data(text)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("got the leggings in M?", "M"),
        ("the tee in a L, and in black", "L"),
        ("in xl please", "XL"),
        ("what about a 8 1/2 then", "8.5"),
    ],
)
def test_a_one_letter_size_after_in_is_read(text, size):
    from apps.assistant.slots import size_find

    assert size_find(text) == size


@pytest.mark.parametrize("text", ["i'm in miami", "in stock?", "is it in light grey"])
def test_in_before_an_ordinary_word_is_no_size(text):
    from apps.assistant.slots import size_find

    assert size_find(text) is None


def test_a_message_carrying_an_order_number_is_about_that_order(settings):
    """FakeSLM stands in for the model; the rule is about what the message carries."""
    from apps.inference.backends import FakeSLM

    settings.ASSISTANT_SLM_INTENT_WEIGHT = 1.0
    u = understand("reset my password for W1021407", backend=FakeSLM(), state={})
    assert u.intent in ("order_status", "cancel_order", "return_refund", "exchange_size")
    assert understand("reset my password", backend=FakeSLM(), state={}).intent == "account"


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        (
            "do you have the tee in XXL? and how much is shipping",
            ["do you have the tee in XXL?", "how much is shipping"],
        ),
        (
            "where is my order w3348964 email a@example.com alos do you ship to canada",
            ["where is my order w3348964 email a@example.com", "do you ship to canada"],
        ),
        ("I ordered shoes. where are they?", ["I ordered shoes.", "where are they?"]),
        ("is it in stock, and also what sizes are there", ["is it in stock", "what sizes are there"]),
        # one question: no split at "and" before a word that opens no question, nor at "Mr."
        ("can I return and exchange the boots", ["can I return and exchange the boots"]),
        ("the Mr. Coffee maker, is it in stock", ["the Mr. Coffee maker, is it in stock"]),
        (
            "hi, can you tell me what your return policy is",
            ["hi, can you tell me what your return policy is"],
        ),
        # a one-word tail stays with its question
        ("where is it? thanks", ["where is it? thanks"]),
    ],
)
def test_question_clauses(text, clauses):
    assert question_clauses(text) == clauses


def test_question_clauses_keep_at_most_three():
    text = "is it in stock? how long is delivery? can I pay with paypal? what is your return policy?"
    assert len(question_clauses(text)) == 3
