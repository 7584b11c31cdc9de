"""Judge: one confidence in [0, 1] and the route.

confidence = p_intent × slot completeness × retrieval factor × generation factor × fact factor,
where the retrieval factor is 0.5 + 0.5·retrieval score for knowledge answers (1 for answers from
order/catalog tools), the generation factor the geometric-mean token probability of SLM text
(floored at 0.5; 1 for templates), and the fact factor 1 when every number-like token of the
reply sent appears in the tool results, else 0.3. SLM text that fails its checks is never sent: the
template goes out instead, judged as a template but at 0.6× (PHRASE_REFUSED_FACTOR): a model that
cannot restate the passage faithfully is often looking at the wrong passage (measured on the
labelled set: without the factor, more wrong knowledge answers went out).
"""

from __future__ import annotations

import logging

from apps.assistant.intents import DEFAULT_THRESHOLDS

logger = logging.getLogger(__name__)
PHRASE_REFUSED_FACTOR = 0.6


def threshold_for(intent: str) -> float:
    from apps.assistant.models import IntentThreshold

    try:
        row = IntentThreshold.objects.filter(intent=intent).values_list("threshold", flat=True).first()
    except Exception as exc:  # the database is the source; a failure falls back to the default
        logger.warning("threshold lookup failed: %s", exc)
        row = None
    return float(row) if row is not None else DEFAULT_THRESHOLDS.get(intent, 0.5)


def confidence_compute(
    *,
    intent_probability: float,
    slot_completeness: float,
    retrieval_score: float | None,
    gen_confidence: float | None,
    facts_ok: bool,
    phrase_refused: bool = False,
) -> float:
    value = intent_probability * max(0.0, min(1.0, slot_completeness))
    if retrieval_score is not None:
        value *= 0.5 + 0.5 * max(0.0, min(1.0, retrieval_score))
    if gen_confidence is not None:
        value *= max(0.5, min(1.0, gen_confidence))
    if not facts_ok:
        value *= 0.3
    if phrase_refused:
        value *= PHRASE_REFUSED_FACTOR
    return round(max(0.0, min(1.0, value)), 4)
