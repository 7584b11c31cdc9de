"""Analytics writes exactly one thing: a draft FAQ proposed from a group of unanswered questions.

The draft is unpublished, so retrieval does not index it and the assistant cannot use it until an
admin reviews it in the FAQ admin and ticks "published" (or runs the FAQ admin's Publish action).
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.text import slugify

from apps.analytics.selectors import DRAFT_TAG, UnansweredGroup
from apps.knowledge.models import FAQ


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
