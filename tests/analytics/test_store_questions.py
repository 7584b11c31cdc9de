"""Questions generated from whatever store is imported (evaluate --generated): valid, covering every
family, with expected facts that match the store's rows, and writes scored right and wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.analytics import evaluation as ev
from apps.analytics.store_questions import store_questions_build, write_outcome
from apps.bundles.kinds import store_bundle_generate
from apps.bundles.services import bundle_import
from apps.catalog.models import Variant
from apps.knowledge.selectors import policy_rules
from apps.orders.models import Order

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 1, tzinfo=UTC)
FAMILIES = {
    "gen-status",
    "gen-status-unverified",
    "gen-status-wrong-email",
    "gen-status-two-turns",
    "gen-stock",
    "gen-stock-follow-up",
    "gen-faq",
    "gen-return-window",
    "gen-oos",
    "gen-human",
    "gen-cancel-yes",
    "gen-cancel-no",
    "gen-cancel-refused",
    "gen-return-item-yes",
    "gen-return-item-no",
    "gen-return-late",
    "gen-return-final-sale",
    "gen-exchange-yes",
    "gen-exchange-no",
}


@pytest.fixture
def home_store():
    # A home-and-kitchen store: order numbers like "HK/2026/00412", options such as material,
    # capacity "1.7 L", opacity "60%", a 60-day return and 90-day exchange window.
    bundle_import(data=store_bundle_generate("home", seed=3, now=NOW))


@pytest.fixture
def questions(home_store):
    return store_questions_build(seed=4, per_family=8, now=NOW)


def test_questions_are_valid_and_cover_every_family(questions):
    assert [q["id"] for q in questions if ev.question_validate(q)] == []
    assert {q["meta"]["template"] for q in questions} == FAMILIES
    assert len({q["id"] for q in questions}) == len(questions)


def test_the_same_seed_gives_the_same_questions(home_store):
    assert store_questions_build(seed=4, per_family=8, now=NOW) == store_questions_build(
        seed=4, per_family=8, now=NOW
    )
    assert store_questions_build(seed=5, per_family=8, now=NOW) != store_questions_build(
        seed=4, per_family=8, now=NOW
    )


def test_status_facts_are_the_orders_own(questions):
    for q in (q for q in questions if q["meta"]["template"] == "gen-status"):
        checks = q["expected"]["checks"]["order_status"]
        order = Order.objects.get(external_id=checks["order_number"])
        assert checks["status"] == order.status
        assert order.external_id in q["utterance"] or order.external_id.lower() in q["utterance"]
    unverified = [q for q in questions if q["meta"]["template"] == "gen-status-unverified"]
    assert all(q["expected"]["must_not_reveal"] for q in unverified)


def test_refusals_and_writes_follow_the_policy_windows(questions):
    rules = policy_rules()
    for q in questions:
        template, opening = q["meta"]["template"], (q.get("history") or [{}])[0].get("text", "")
        if template == "gen-return-late":
            order = next(o for o in Order.objects.all() if o.external_id.lower() in opening.lower())
            delivered = order.delivered_at or max(s.delivered_at for s in order.shipments.all())
            assert delivered + timedelta(days=rules["return_window_days"]) < NOW
            assert q["expected"]["write"] is None
        if template == "gen-return-item-yes":
            args = q["expected"]["write"]["args"]
            order = Order.objects.get(external_id=args["order_number"])
            assert order.status == "delivered"
            assert args["variants"] == [
                line.variant.external_id
                for line in order.lines.all()
                if line.variant.product.name.lower() in opening.lower()
            ]
        if template == "gen-exchange-yes":
            args = q["expected"]["write"]["args"]
            old = Variant.objects.get(external_id=args["variant"])
            new = Variant.objects.get(external_id=args["new_variant"])
            assert new.product_id == old.product_id
            assert new.in_stock
            changed = [k for k in old.options if old.options[k] != new.options.get(k)]
            assert len(changed) == 1
            assert str(new.options[changed[0]]).lower() in opening.lower()


def _trace(*calls, route="slm", intent="return_refund"):
    return {
        "route": route,
        "intent": intent,
        "answer": "Your return is open.",
        "citations": [],
        "tool_calls": [{"name": n, "args": a, "ok": ok} for n, a, ok in calls],
        "confidence": 0.9,
    }


def test_writes_are_scored_right_and_wrong():
    expected = {
        "name": "return_request_create",
        "args": {"order_number": "HK/2026/00001", "variants": ["v1"]},
    }
    right = _trace(("return_eligibility", {}, True), ("return_request_create", expected["args"], True))
    assert write_outcome(expected=expected, trace=right) == (True, False)
    other = _trace(
        ("return_request_create", {"order_number": "HK/2026/00001", "variants": ["v1", "v2"]}, True)
    )
    assert write_outcome(expected=expected, trace=other) == (False, True)
    failed = _trace(("return_request_create", expected["args"], False))  # refused by the service
    assert write_outcome(expected=expected, trace=failed) == (False, False)
    assert write_outcome(expected=None, trace=right) == (False, True)
    assert write_outcome(expected=None, trace=_trace(("return_propose", expected["args"], True))) == (
        True,
        False,
    )


def test_a_dialogue_is_correct_only_with_the_right_write(questions):
    q = next(q for q in questions if q["meta"]["template"] == "gen-return-item-yes")
    args = q["expected"]["write"]["args"]
    good = ev.trace_score(question=q, trace=_trace(("return_request_create", args, True)))
    assert good.correct
    assert not good.wrong_write
    assert good.multi_turn
    missing = ev.trace_score(question=q, trace=_trace(("return_propose", args, True)))
    assert not missing.correct
    assert not missing.wrong_write
    q_no = next(q for q in questions if q["meta"]["template"] == "gen-return-item-no")
    wrong = ev.trace_score(question=q_no, trace=_trace(("return_request_create", args, True)))
    assert not wrong.correct
    assert wrong.wrong_write
    metrics = ev.metrics_compute([good, missing, wrong])
    assert metrics["wrong_writes"] == 1
    assert metrics["multi_turn_success"] == pytest.approx(1 / 3, abs=1e-3)


def test_calibration_and_test_questions_share_no_phrasing(home_store):
    def shapes(split):
        rows = store_questions_build(seed=4, per_family=8, now=NOW, split=split)
        return {(q["meta"]["template"], q["utterance"]) for q in rows}, rows

    calibration, cal_rows = shapes("calibration")
    test, _ = shapes("test")
    assert {q["meta"]["split"] for q in cal_rows} == {"calibration"}
    oos = lambda rows: {u for t, u in rows if t == "gen-oos"}  # noqa: E731
    assert oos(calibration)
    assert not oos(calibration) & oos(test)


def test_an_import_or_a_promotion_queues_a_threshold_calibration(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from apps.analytics import tasks
    from apps.inference.models import ModelVersion
    from apps.inference.services import model_version_activate

    queued = []
    monkeypatch.setattr(tasks.thresholds_calibrate_task, "delay", lambda: queued.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        bundle_import(data=store_bundle_generate("pharmacy", seed=1, now=NOW))
    assert queued == [1]
    version = ModelVersion.objects.create(name="t1", base_model="b", adapter_file="", adapter_sha256="x")
    with django_capture_on_commit_callbacks(execute=True):
        model_version_activate(version=version)
    assert queued == [1, 1]
    settings.THRESHOLDS_CALIBRATE_AUTO = False
    with django_capture_on_commit_callbacks(execute=True):
        bundle_import(data=store_bundle_generate("pharmacy", seed=2, now=NOW), prune=True)
    assert queued == [1, 1]


def test_thresholds_are_calibrated_on_the_stores_own_questions(home_store, settings):
    # FakeSLM and the fake embedder: this exercises the calibration loop, not the model.
    from apps.analytics.services import thresholds_calibrate_store
    from apps.assistant.models import IntentThreshold
    from apps.inference.backends import slm_reset
    from apps.inference.embeddings import embedder_reset

    settings.SLM_BACKEND = "apps.inference.backends.FakeSLM"
    settings.EMBEDDING_BACKEND = "apps.inference.embeddings.FakeEmbedder"
    slm_reset()
    embedder_reset()
    try:
        result = thresholds_calibrate_store(target=0.02, per_family=3)
    finally:
        slm_reset()
        embedder_reset()
    stored = dict(IntentThreshold.objects.values_list("intent", "threshold"))
    assert result["n"] > 40
    assert stored == pytest.approx(result["thresholds"])
    assert result["wrong"] <= result["wrong_budget"]


def test_the_validator_checks_the_expected_write(questions):
    q = next(q for q in questions if q["meta"]["template"] == "gen-cancel-yes")
    assert ev.question_validate(q) == []
    for bad in (
        {"name": "order_delete", "args": {"order_number": "X"}},
        {"name": "order_cancel", "args": {}},
        "yes",
    ):
        broken = {**q, "expected": {**q["expected"], "write": bad}}
        assert [e for e in ev.question_validate(broken) if e.startswith("expected.write")]
