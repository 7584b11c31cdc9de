"""The synthetic training set of the understand step: deterministic, labelled with known intents,
and stable under edits (a new template changes no other template's rows or side of the split)."""

from __future__ import annotations

from apps.assistant import training_phrases as tp
from apps.assistant.intents import INTENTS


def test_rows_are_deterministic_and_cover_every_intent():
    first = tp.training_phrases(seed=0)
    assert first == tp.training_phrases(seed=0)
    assert first != tp.training_phrases(seed=1)
    assert {intent for _, intent in first} == set(INTENTS)
    assert all(text.strip() for text, _ in first)


def test_the_split_is_by_template_and_keeps_every_intent_on_both_sides():
    train, calibration = tp.training_split(seed=0)
    assert {i for _, i in train} == {i for _, i in calibration} == set(INTENTS)
    by_template: dict[str, set[str]] = {}
    train_texts = {t for t, _ in train}
    for text, _intent, tid in tp._build(0):
        by_template.setdefault(tid, set()).add("train" if text in train_texts else "calibration")
    assert all(len(sides) == 1 for sides in by_template.values())
    assert 0.08 < len(calibration) / (len(train) + len(calibration)) < 0.25


def test_adding_a_template_leaves_the_other_templates_rows_and_sides_alone():
    templates = {intent: tuple(rows) for intent, rows in tp.TEMPLATES.items()}
    more = {
        **templates,
        "account": ("Where do I change the phone number on my profile, {e}?",) + templates["account"],
    }
    before = {(t, tid) for t, _, tid in tp._build(0, templates)}
    after = {(t, tid) for t, _, tid in tp._build(0, more)}
    new_tid = "account:Where do I change the phone number on my profile, {e}?"
    assert {r for r in after if r[1] != new_tid} == before
    assert any(r[1] == new_tid for r in after)
    # split sides: only the account intent's cut-off can move
    train_a, _ = tp.training_split(seed=0, templates=templates)
    train_b, _ = tp.training_split(seed=0, templates=more)
    side_a = {t for t, i in train_a if i != "account"}
    side_b = {t for t, i in train_b if i != "account"}
    assert side_a == side_b
