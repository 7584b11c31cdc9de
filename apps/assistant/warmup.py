"""Worker start: load the models and run one question through the reply path before the first
shopper's.

A context's first prompt is evaluated whole (about 0.7 s on two cores for the respond head), and
the first reply also loads the intent model and builds the catalog index. Warming at start moves
those costs from the first shopper of a worker's life to the worker's boot.
"""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)

# A question every store can be asked; its answer is thrown away.
WARM_QUESTION = "how long does shipping take"


def warm_respond_prompt() -> str:
    """The respond context is left holding this prompt (benchmarks warm raw llama.cpp alike)."""
    from apps.assistant.prompts import respond_prompt

    return respond_prompt(question="hello", passage="Hello.")


def warm_up() -> None:
    """Answer ``WARM_QUESTION`` in a rolled-back transaction (the model, the intent model, the
    catalog index, the embedder and the knowledge index are then loaded), and fill the respond
    context's head when replies are phrased by the model. Failures are logged, never raised: the
    first request then pays."""
    started = time.perf_counter()
    warmed = []
    try:
        from django.db import transaction

        from apps.assistant.pipeline import Turn, reply

        with transaction.atomic():
            reply(turns=[Turn("customer", WARM_QUESTION)], llm="off")
            transaction.set_rollback(True)
        warmed.append("reply path")
    except Exception as exc:
        logger.warning("reply path warm-up failed: %s", exc)
    try:
        from apps.assistant.pipeline import slm_phrases
        from apps.inference.backends import slm

        backend = slm()
        if slm_phrases(backend):
            backend.complete(prompt=warm_respond_prompt(), max_tokens=1, context="respond")
            warmed.append("respond context")
    except Exception as exc:
        logger.warning("SLM warm-up failed: %s", exc)
    logger.info("warmed up %s in %.1f s", ", ".join(warmed) or "nothing", time.perf_counter() - started)
