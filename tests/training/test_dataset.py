"""The training-set builder: format, coverage, dedup, PII, and a split that cannot leak."""

from __future__ import annotations

import hashlib
import json

import pytest

from apps.assistant import prompts
from apps.training import prompt_format as fmt
from apps.training.dataset import Example, dedup, noisy, split, training_set_build
from apps.training.evaluate import facts_grounded, gate, loops
from apps.training.finetune import batch_indices, encode_example


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def built(small_store, resolved_conversation, tmp_path):
    manifest = training_set_build(out_dir=tmp_path / "set", seed=7)
    return manifest, _rows(tmp_path / "set" / "train.jsonl"), _rows(tmp_path / "set" / "test.jsonl")


def test_files_and_manifest_hashes(built, tmp_path):
    # given a built set / then the manifest's sha256 are those of the files, and counts match
    manifest, train, test = built
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((tmp_path / "set" / name).read_bytes()).hexdigest() == digest
    assert manifest["counts"]["train"] == len(train) > 50
    assert manifest["counts"]["test"] == len(test) > 5
    assert manifest["prompt_format"] == fmt.format_hash()


def test_split_is_disjoint_by_template_entity_and_text(built):
    _, train, test = built
    assert {r["template"] for r in train}.isdisjoint({r["template"] for r in test})
    train_entities = {e for r in train for e in r["entities"]}
    test_entities = {e for r in test for e in r["entities"]}
    assert test_entities
    assert train_entities.isdisjoint(test_entities)
    train_texts = {" ".join(r["user_text"].lower().split()) for r in train}
    assert not any(" ".join(r["user_text"].lower().split()) in train_texts for r in test)


def test_prompts_are_exactly_the_answer_engines(built):
    _, train, test = built
    for row in train + test:
        if row["job"] == "understand":
            assert row["prompt"] == prompts.understand_prompt(row["user_text"])
            assert row["completion"] == " " + prompts.INTENT_LABELS[row["intent"]] + fmt.END
            assert row["completion"].removesuffix(fmt.END) in prompts.understand_labels()
        else:
            assert row["prompt"] == prompts.respond_prompt(question=row["user_text"], passage=row["passage"])
            assert row["completion"].endswith(fmt.END)


def test_covers_every_flow(built):
    _, train, test = built
    rows = train + test
    replies = " ".join(r["completion"] for r in rows if r["job"] == "respond")
    assert "is sold out in size" in replies
    assert "does not come in size" in replies
    assert "Yes, the" in replies  # in stock
    assert "confirm the email" in replies or "email address used" in replies  # unverified shopper
    assert "connecting you with a member of our team" in replies
    assert "I can only help" in replies
    intents = {r["intent"] for r in rows}
    assert {"order_status", "cancel_order", "return_refund", "size_availability_or_fit", "out_of_scope",
            "complaint_or_human"} <= intents  # fmt: skip
    assert {r["job"] for r in rows} == {"understand", "respond"}


def test_unverified_replies_reveal_nothing_but_the_order_number(built):
    _, train, test = built
    for row in train + test:
        if row["template"].endswith(".unverified") and row["job"] == "respond":
            assert "not verified" in row["passage"]
            assert facts_grounded(row["completion"], sources=[row["user_text"]])


def test_respond_targets_are_grounded_in_their_tool_results(built):
    _, train, test = built
    for row in train + test:
        if row["job"] == "respond" and row["source"] == "template":
            assert facts_grounded(row["completion"], sources=[row["passage"], row["user_text"]]), row


def test_agent_answer_is_a_target_with_pii_replaced(built, resolved_conversation):
    _, train, test = built
    _, customer = resolved_conversation
    agent_rows = [r for r in train + test if r["source"] == "agent"]
    assert len(agent_rows) == 1
    text = json.dumps(agent_rows[0])
    assert customer.email not in text
    assert customer.first_name not in text
    assert customer.last_name not in text
    assert "[NAME_1]" in agent_rows[0]["completion"]
    assert "[EMAIL_1]" in agent_rows[0]["completion"]
    assert "tracking link" in agent_rows[0]["completion"]


def test_same_seed_same_set_other_seed_other_phrasing(small_store, tmp_path):
    a = training_set_build(out_dir=tmp_path / "a", seed=3)
    b = training_set_build(out_dir=tmp_path / "b", seed=3)
    c = training_set_build(out_dir=tmp_path / "c", seed=4)
    assert a["sha256"] == b["sha256"] != c["sha256"]


def test_limit_caps_the_set(small_store, tmp_path):
    manifest = training_set_build(out_dir=tmp_path / "s", seed=1, limit=30)
    assert manifest["counts"]["train"] + manifest["counts"]["test"] <= 30
    assert manifest["counts"]["test"] >= 1


def _ex(text, template="t1", entities=()):
    prompt, completion = fmt.understand_pair(text=text, intent="greeting")
    return Example("understand", template, "greeting", prompt, completion, list(entities), user_text=text)


def test_dedup_ignores_case_and_punctuation():
    examples = [_ex("Hi there!"), _ex("hi there"), _ex("hello")]
    assert [e.user_text for e in dedup(examples)] == ["Hi there!", "hello"]


def test_split_drops_examples_that_cross_the_boundary():
    examples = [
        _ex(f"q {t} {e}", template=f"tpl{t}", entities=[f"order:{e}"]) for t in range(40) for e in range(40)
    ]
    train, test, info = split(examples, seed=5)
    assert train
    assert test
    assert info["dropped_crossing"] > 0
    assert len(train) + len(test) + info["dropped_crossing"] == len(examples)


def test_noise_is_seeded_and_changes_text():
    import random

    outs = {noisy("Do you have the running shoes in size 10?", random.Random(i)) for i in range(20)}
    assert len(outs) > 10
    assert noisy("where is my order", random.Random(1)) == noisy("where is my order", random.Random(1))


class _Tok:
    """Whitespace tokenizer with a BOS, enough to check the masking arithmetic."""

    bos_token_id = 1

    def __call__(self, text, add_special_tokens=True):
        ids = [100 + len(w) for w in text.split()]
        return {"input_ids": ([1] if add_special_tokens else []) + ids}


def test_loss_is_on_completion_tokens_only():
    ids, labels = encode_example(_Tok(), prompt="a bb ccc", completion="dddd eeeee", max_len=64)
    assert ids == [1, 101, 102, 103, 104, 105]
    assert labels == [-100, -100, -100, -100, 104, 105]


def test_truncation_cuts_the_prompt_keeps_bos_and_completion():
    ids, labels = encode_example(_Tok(), prompt=" ".join(["x"] * 50), completion="yy zzz", max_len=10)
    assert len(ids) == 10
    assert ids[0] == 1
    assert labels[-2:] == [102, 103]
    assert labels[:-2] == [-100] * 8


def test_batches_are_a_function_of_seed_and_step():
    first = [batch_indices(n=10, batch_size=4, step=s, seed=9) for s in range(6)]
    again = [batch_indices(n=10, batch_size=4, step=s, seed=9) for s in range(6)]
    assert first == again
    assert {i for b in first[:3] for i in b} == set(range(10))  # one epoch (3 steps) covers every example
    assert all(len(b) == 4 for b in first)


def test_gate_rejects_any_worse_guarded_metric():
    base = {"intent_accuracy": 0.8, "fact_accuracy": 0.9, "clean_end_rate": 1.0,
            "confidently_wrong_rate": 0.05,
            "json_validity": None}  # fmt: skip
    ok, reason = gate(candidate={**base, "intent_accuracy": 0.85}, baseline=base)
    assert ok
    ok, reason = gate(candidate={**base, "fact_accuracy": 0.89, "intent_accuracy": 0.99}, baseline=base)
    assert not ok
    assert "fact_accuracy" in reason
    ok, reason = gate(candidate={**base, "confidently_wrong_rate": 0.1}, baseline=base)
    assert not ok
    assert "confidently_wrong_rate" in reason
    assert gate(candidate=base, baseline=None)[0]


def test_gate_leaves_out_label_scores_the_understand_step_does_not_use():
    base = {"intent_accuracy": 0.8, "questions_intent_accuracy": 0.85, "fact_accuracy": 0.9,
            "clean_end_rate": 1.0, "confidently_wrong_rate": 0.2}  # fmt: skip
    worse_labels = {
        **base,
        "intent_accuracy": 0.6,
        "questions_intent_accuracy": 0.7,
        "confidently_wrong_rate": 0.3,
    }
    assert not gate(candidate=worse_labels, baseline=base)[0]
    ok, reason = gate(candidate=worse_labels, baseline=base, label_scores_used=False)
    assert ok
    assert "not guarded" in reason
    # replies are guarded either way
    ok, reason = gate(
        candidate={**worse_labels, "fact_accuracy": 0.8}, baseline=base, label_scores_used=False
    )
    assert not ok
    assert "fact_accuracy" in reason
    assert "intent_accuracy" not in reason


def test_fact_check_and_loop_detection():
    assert facts_grounded("Order #W123 shipped, tracking 999.", sources=["Order #W123 ... tracking 999."])
    assert not facts_grounded("It costs $49.99.", sources=["Price: $59.99."])
    assert loops("I can help. I can help. I can help. I can help.")
    assert not loops("Your order shipped with UPS, tracking 123.")


def test_sets_of_several_stores_merge_without_leaking_held_out_text(small_store, tmp_path):
    # given sets built on two stores of different kinds (the small test store, then a generated
    # general-merchandise store imported in its place)
    from apps.bundles.kinds import store_bundle_generate
    from apps.bundles.services import bundle_import
    from apps.training.dataset import training_sets_merge

    first = training_set_build(out_dir=tmp_path / "a", seed=7, limit=300)
    bundle_import(data=store_bundle_generate("general", seed=2), prune=True)
    second = training_set_build(out_dir=tmp_path / "b", seed=7, limit=300)
    # when they are merged
    merged = training_sets_merge(dirs=[tmp_path / "a", tmp_path / "b"], out_dir=tmp_path / "m")
    train, test = _rows(tmp_path / "m" / "train.jsonl"), _rows(tmp_path / "m" / "test.jsonl")
    # then the pooled train rows hold both stores' rows, once each, and no held-out text is trained on
    ids = {row["id"] for row in train}
    assert len(ids) == len(train) == merged["counts"]["train"]
    assert {row["id"] for row in _rows(tmp_path / "a" / "train.jsonl")} <= ids
    assert {row["id"] for row in _rows(tmp_path / "b" / "train.jsonl")} <= ids
    assert any("GM-" in row["prompt"] for row in train)  # the general store's own order numbers
    trained = {" ".join(row["user_text"].lower().split()) for row in train}
    assert not [row for row in test if " ".join(row["user_text"].lower().split()) in trained]
    assert [m["sha256"] for m in merged["merged_from"]] == [first["sha256"], second["sha256"]]


def test_sets_of_other_prompt_formats_do_not_merge(small_store, tmp_path):
    from apps.training.dataset import training_sets_merge

    training_set_build(out_dir=tmp_path / "a", seed=7, limit=60)
    training_set_build(out_dir=tmp_path / "b", seed=8, limit=60)
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    manifest["prompt_format"] = "another"
    (tmp_path / "b" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="prompt formats"):
        training_sets_merge(dirs=[tmp_path / "a", tmp_path / "b"], out_dir=tmp_path / "m")
