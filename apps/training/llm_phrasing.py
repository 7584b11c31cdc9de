"""Optional phrasing diversity from the LLM tier: paraphrases of template questions.

Only runs when an LLM endpoint is configured. Paraphrases keep their template id and entities, so
the held-out split stays disjoint; texts go out through the redacting client (order numbers and
emails never leave the box). Any failure just means fewer paraphrases.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING

from apps.training import prompt_format as fmt

if TYPE_CHECKING:
    from apps.training.dataset import Example

logger = logging.getLogger(__name__)
MAX_CALLS = 40
INSTRUCTION = (
    "Rewrite the online-shop customer message below in {n} different ways a real shopper might type "
    "it (casual, short, typos welcome). Keep every number and placeholder exactly. One per line, no "
    "numbering.\n\nMessage: {text}"
)


def llm_paraphrases(*, examples: list[Example], seed: int, per_call: int = 3) -> list[Example]:
    from apps.inference.llm import LLMUnavailable, llm_complete_redacted, llm_configured

    if not llm_configured():
        return []
    from apps.training.dataset import Example

    rng = random.Random(seed)
    pool = [ex for ex in examples if ex.job == "understand" and ex.source == "template"]
    out: list[Example] = []
    for ex in rng.sample(pool, min(MAX_CALLS, len(pool))):
        try:
            result, _ = llm_complete_redacted(
                messages=[{"role": "user", "content": INSTRUCTION.format(n=per_call, text=ex.user_text)}],
                max_tokens=150,
            )
        except LLMUnavailable as exc:
            logger.warning("LLM paraphrasing stopped: %s", exc)
            break
        for line in result.text.splitlines()[:per_call]:
            text = line.strip(' -*\t"')
            if not text or len(text) > 300:
                continue
            prompt, completion = fmt.understand_pair(text=text, intent=ex.intent)
            out.append(
                Example("understand", ex.template, ex.intent, prompt, completion, ex.entities, "llm", text)
            )
    return out
