"""Analytics writes two things: the per-intent confidence thresholds calibrated on questions built
from the store itself (after every import and every model promotion), and a draft FAQ proposed
from a group of unanswered questions.

The draft is unpublished, so retrieval does not index it and the assistant cannot use it until an
admin reviews it in the FAQ admin and ticks "published" (or runs the FAQ admin's Publish action).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from apps.analytics.selectors import DRAFT_TAG, UnansweredGroup
from apps.assistant.intents import DEFAULT_THRESHOLDS, INTENTS
from apps.knowledge.models import FAQ

logger = logging.getLogger(__name__)
MIN_CALIBRATION_N = 15
CALIBRATION_SEED = 1000  # evaluate --generated defaults to seed 0 on the other half of the templates


@transaction.atomic
def faq_draft_create(*, group: UnansweredGroup) -> tuple[FAQ, bool]:
    """An unpublished FAQ for the group; (faq, created). A second click returns the same draft."""
    existing = (
        FAQ.objects.select_for_update().filter(extra__analytics_group=group.key, is_published=False).first()
    )
    if existing is not None:
        return existing, False
    # A random suffix: two drafts for the same intent never collide on the unique external_id.
    external_id = f"draft-{slugify(group.intent) or 'faq'}-{secrets.token_hex(4)}"
    faq = FAQ.objects.create(
        external_id=external_id,
        question=group.question,
        answer=group.agent_answer,  # "" when no agent answered: the admin writes it before publishing
        tags=[tag for tag in (group.intent, DRAFT_TAG) if tag and tag != "unknown"],
        is_published=False,
        extra={
            "analytics_group": group.key,
            "source": "analytics: unanswered questions",
            "asked": group.count,
            "examples": group.examples,
            "escalation_reasons": dict(group.reasons),
        },
    )
    return faq, True


# About 400 questions: enough that one wrong answer does not decide a threshold. At the default
# confidence, 186 questions (12 a family) allow no wrong answer at all against a 2% target, so a
# single confident slip drove a whole intent's threshold to 0.94; 405 allow four.
CALIBRATION_PER_FAMILY = 32


def thresholds_calibrate_store(
    *, target: float = 0.02, per_family: int = CALIBRATION_PER_FAMILY
) -> dict[str, Any]:
    """Per-intent thresholds for this store: its own generated questions (the calibration half of
    the templates) run ungated through the ``ask`` code, then the thresholds that maximise what
    the box resolves with confidently-wrong answers ≤ ``target`` are stored (IntentThreshold)."""
    from apps.analytics import evaluation as ev
    from apps.analytics.store_questions import store_questions_build
    from apps.assistant.models import IntentThreshold

    questions = store_questions_build(seed=CALIBRATION_SEED, per_family=per_family, split="calibration")
    with ev.eval_environment(ungated=True, clock=None):
        traces = ev.run_questions(questions=questions)
    result = ev.thresholds_calibrate(
        questions=questions, traces_ungated=traces, target=target, current=ev.current_thresholds()
    )
    # A handful of questions cannot justify moving a threshold (three right answers would take
    # it to 0): an intent with fewer than MIN_CALIBRATION_N gets the default.
    result["kept_default"] = []
    for intent in INTENTS:
        if result["per_intent"].get(intent, {}).get("n", 0) < MIN_CALIBRATION_N:
            result["thresholds"][intent] = DEFAULT_THRESHOLDS.get(intent, 0.5)
            result["kept_default"].append(intent)
    with transaction.atomic():
        for intent, threshold in result["thresholds"].items():
            IntentThreshold.objects.update_or_create(intent=intent, defaults={"threshold": float(threshold)})
    logger.info("thresholds calibrated on %s questions of this store: %s", result["n"], result["thresholds"])
    return result
