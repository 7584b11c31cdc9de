"""The trained understand step (apps/assistant/intent_model.py, models/understand.npz).

These tests use the REAL MiniLM embedder (the expert is trained on its vectors); the SLM stays the
FakeSLM of tests/assistant/conftest.py, which the shipped weights do not use for intents. The
messages below were written for this file: they are neither training templates nor rows of the
external phrasing set.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from apps.assistant import intent_model
from apps.assistant.intents import INTENTS
from apps.assistant.understand import understand
from apps.inference.embeddings import MiniLMEmbedder, embedder_reset
from tests.assistant.helpers import ask

MINILM = "apps.inference.embeddings.MiniLMEmbedder"


@pytest.fixture
def minilm(settings):
    settings.EMBEDDING_BACKEND = MINILM
    embedder_reset()
    intent_model.reset()
    yield
    embedder_reset()
    intent_model.reset()


def test_the_shipped_model_is_for_minilm_with_calibrated_weights():
    model = intent_model.IntentModel.load(intent_model.default_path())
    assert model.embedder == MiniLMEmbedder.name
    assert model.weights.shape == (384 + model.hash_dim, len(INTENTS))
    assert set(model.combine) == {"slm", "no_slm"}
    assert model.combine["no_slm"]["emb"] > 0
    report = model.meta["report"]
    # The clarify margin is the calibrated one (0 when calibration's close calls were mostly right).
    assert model.margin == report["margin"]
    assert 0 <= model.margin < 0.5
    # The learned combination gets more of the calibration split right than any expert alone
    # (weights_fit ranks by accuracy first), and is sharper than the weaker experts.
    calibration = report["calibration"]
    combined = calibration["combined (no_slm)"]
    for expert in ("code-only", "emb-only", "slm-only"):
        assert combined["accuracy"] > calibration[expert]["accuracy"], expert
    for expert in ("code-only", "slm-only"):
        assert combined["log_loss"] < calibration[expert]["log_loss"], expert


def test_the_fake_embedder_gets_no_trained_expert():
    # tests/assistant/conftest.py runs the FakeEmbedder: vectors the model was never trained on.
    intent_model.reset()
    assert intent_model.active() is None
    assert understand("where is my parcel", backend=None, state={}).emb_probs is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("how do i reset my wifi router", "out_of_scope"),
        ("whats a good recipe for lasagne", "out_of_scope"),
        ("convert 50 dollars to euros for me", "out_of_scope"),
        ("my parcel never showed up, where is it", "order_status"),
        ("i'd like to send back the lamp i bought", "return_refund"),
        ("please stop my order before it ships", "cancel_order"),
        ("can i pay in instalments", "payment_billing"),
        ("i forgot the password to my account", "account"),
    ],
)
def test_trained_understand_on_new_phrasing(minilm, text, intent):
    u = understand(text, backend=None, state={})
    assert u.emb_probs is not None
    assert u.intent == intent, (u.intent, round(u.probability, 2))


@pytest.mark.django_db
def test_a_damaged_model_file_falls_back_to_code_and_slm(minilm, settings, tmp_path):
    bad = tmp_path / "understand.npz"
    bad.write_bytes(b"not a model")
    settings.UNDERSTAND_MODEL_FILE = str(bad)
    intent_model.reset()
    assert intent_model.active() is None
    assert understand("where is my order", backend=None, state={}).intent == "order_status"


def test_weights_fit_prefers_the_expert_that_is_right():
    labels = ["order_status", "account"] * 20
    right = [{k: (0.9 if k == label else 0.1 / 11) for k in INTENTS} for label in labels]
    noise = [{k: 1 / len(INTENTS) for k in INTENTS} for _ in labels]
    weights, loss = intent_model.weights_fit({"emb": right, "code": noise}, labels)
    assert weights["emb"] > 0
    assert loss < intent_model.log_loss(noise, labels)


def test_weights_fit_tempers_an_overconfident_expert_without_changing_its_answers():
    labels = ["order_status", "account"] * 25
    other = {"order_status": "account", "account": "order_status"}
    sharp = [  # right 4 times in 5, and always 99.9% sure
        {k: (0.999 if k == (label if i % 5 else other[label]) else 0.001 / 11) for k in INTENTS}
        for i, label in enumerate(labels)
    ]
    weights, loss = intent_model.weights_fit({"emb": sharp}, labels)
    assert weights["emb"] < 1.0
    assert loss < intent_model.log_loss(sharp, labels)
    tempered = [intent_model.combine({"emb": p}, weights) for p in sharp]
    assert intent_model.accuracy(tempered, labels) == intent_model.accuracy(sharp, labels) == 0.8


def test_weights_fit_smooths_a_code_expert_that_is_certain_and_sometimes_wrong():
    # The code expert's rules say 1.0 and are wrong on one message in ten ("password" -> account);
    # the learned expert leans the right way everywhere but is unsure on a third of them. A code
    # expert mixed with the uniform distribution costs far less log loss where its rule is wrong.
    labels = ["account", "out_of_scope"] * 25
    code, emb = [], []
    pair = ("account", "out_of_scope")
    for i, label in enumerate(labels):
        rule = "account" if i % 10 == 1 else label
        code.append({k: (1.0 if k == rule else 0.0) for k in INTENTS})
        if i % 3:
            emb.append({k: (0.6 if k == label else 0.4 / 11) for k in INTENTS})
        else:
            emb.append({k: (0.35 if k == label else 0.45 if k in pair else 0.02) for k in INTENTS})
    weights, loss = intent_model.weights_fit({"emb": emb, "code": code}, labels)
    assert weights.get("code_smooth", 0) in intent_model.SMOOTH_GRID[1:]
    combined = [intent_model.combine({"emb": e, "code": c}, weights) for e, c in zip(emb, code, strict=True)]
    assert intent_model.accuracy(combined, labels) >= max(
        intent_model.accuracy(code, labels), intent_model.accuracy(emb, labels)
    )
    unsmoothed = {k: v for k, v in weights.items() if k != "code_smooth"}
    plain = [intent_model.combine({"emb": e, "code": c}, unsmoothed) for e, c in zip(emb, code, strict=True)]
    assert loss < intent_model.log_loss(plain, labels)
    # The mix itself: (1 - eps) p + eps / 12, so a certain rule is no longer a veto.
    one = intent_model.combine({"code": code[0]}, {"code": 1.0, "code_smooth": 0.3})
    assert one["account"] == pytest.approx(0.7 + 0.3 / len(INTENTS))
    # A model file without the key combines exactly as before.
    assert intent_model.combine({"code": code[0]}, {"code": 1.0})["account"] == pytest.approx(1.0, abs=1e-4)


def test_margin_is_zero_when_close_calls_are_mostly_right_and_positive_when_wrong():
    labels = ["order_status"] * 50
    close_right = [{**dict.fromkeys(INTENTS, 0.0), "order_status": 0.5, "account": 0.45} for _ in labels]
    assert intent_model.margin_fit(close_right, labels) == 0.0
    close_wrong = [{**dict.fromkeys(INTENTS, 0.0), "account": 0.5, "order_status": 0.45} for _ in labels]
    assert intent_model.margin_fit(close_wrong, labels) == pytest.approx(0.05)


def test_hashed_features_shift_the_logits():
    model = intent_model.IntentModel.load(intent_model.default_path())
    vector = np.zeros(384)
    assert not np.allclose(model.logits(vector, "refund"), model.logits(vector, "password"))


@pytest.mark.django_db
def test_a_close_call_is_asked_about_through_reply(minilm, store, monkeypatch):
    shipped = intent_model.IntentModel.load(intent_model.default_path())
    # Every message a close call: the reply asks between the two topics instead of guessing.
    monkeypatch.setattr(intent_model, "active", lambda: dataclasses.replace(shipped, margin=1.01))
    r = ask("i'd like to send back the lamp i bought")
    assert r.route == "clarify"
    assert r.answer.startswith("Just to be sure: is this about")
    assert r.trace["escalation_reason"].startswith("ambiguous: ")
    assert not any(call["name"].endswith("_create") for call in r.trace["tool_calls"])


def test_the_check_share_is_learned_and_the_rest_held_out_the_same_every_run():
    from apps.training.management.commands.train_understand import share_split

    rows = [(f"where is order number {n}", "order_status") for n in range(400)]
    learned, held_out = share_split(rows, 0.5)
    assert sorted(learned + held_out) == sorted(rows)
    assert not set(learned) & set(held_out)
    assert 150 < len(learned) < 250
    assert share_split(rows, 0.5) == (learned, held_out)
    # The same message in other case or spacing falls on the same side.
    first = learned[0][0]
    assert share_split([(f"  {first.upper()} ", "order_status")], 0.5)[0]
    assert share_split(rows, 0.0) == ([], rows)


def test_messages_the_model_learned_from_are_known_and_others_not(settings, tmp_path):
    model = intent_model.IntentModel.load(intent_model.default_path())
    model.meta = {**model.meta, "trained_external": [intent_model.text_key("Where's my mattress??")]}
    path = tmp_path / "understand.npz"
    model.save(path)
    settings.UNDERSTAND_MODEL_FILE = str(path)
    intent_model.reset()
    try:
        assert intent_model.trained_on("where's my   MATTRESS??")
        assert not intent_model.trained_on("where's my pillow??")
    finally:
        intent_model.reset()


def test_the_slm_expert_is_weighted_only_when_it_pays_for_its_forward_pass():
    from apps.training.intent_training import SLM_MIN_GAIN, slm_combination

    labels = ["order_status", "account"] * 50
    other = {"order_status": "account", "account": "order_status"}

    def expert(wrong_every: int) -> list[dict[str, float]]:
        return [
            {
                k: (0.7 if k == (other[label] if i % wrong_every == 0 else label) else 0.3 / 11)
                for k in INTENTS
            }
            for i, label in enumerate(labels)
        ]

    emb = expert(5)  # wrong on 20 of 100
    no_slm, _ = intent_model.weights_fit({"emb": emb}, labels)
    # An SLM that agrees with the embedding expert adds nothing: weight 0, so no forward pass.
    same = slm_combination({"emb": emb, "slm": emb}, labels, no_slm)
    assert same.get("slm", 0) == 0
    # One that is sure where the embedding expert is wrong buys far more than SLM_MIN_GAIN.
    fixer = [
        {k: (0.99 if k == label else 0.01 / 11) for k in INTENTS}
        if i % 5 == 0
        else {k: 1 / 12 for k in INTENTS}
        for i, label in enumerate(labels)
    ]
    kept = slm_combination({"emb": emb, "slm": fixer}, labels, no_slm)
    assert kept["slm"] > 0
    combined = [intent_model.combine({"emb": e, "slm": s}, kept) for e, s in zip(emb, fixer, strict=True)]
    assert intent_model.accuracy(combined, labels) >= intent_model.accuracy(emb, labels) + SLM_MIN_GAIN
