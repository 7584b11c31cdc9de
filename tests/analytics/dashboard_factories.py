"""Conversations and assistant replies with traces, for the analytics dashboard tests.

``created_at`` fields are auto_now_add: the helpers set them afterwards with update(), relative
to an anchor the test also passes to the selectors, so day boundaries never depend on the clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.conversations.models import Conversation, Message


class ConversationFactory(DjangoModelFactory):
    class Meta:
        model = Conversation

    owner = Conversation.Owner.BOT


class MessageFactory(DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    role = Message.Role.SHOPPER
    text = factory.Sequence(lambda n: f"message {n}")


def anchor_now() -> datetime:
    """Today at noon (site time zone): far from midnight whatever the clock says."""
    return timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)


def conversation_make(*, anchor: datetime, days_ago: int, **fields: Any) -> Conversation:
    conversation = ConversationFactory(**fields)
    Conversation.objects.filter(pk=conversation.pk).update(created_at=anchor - timedelta(days=days_ago))
    conversation.refresh_from_db()
    return conversation


def trace_make(
    *,
    route: str = "slm",
    intent: str = "order_status",
    confidence: float = 0.9,
    reason: str | None = None,
    first_token: Any = 100,
    total: Any = 200,
    tokens: dict[str, Any] | None = None,
) -> dict[str, Any]:
    full_tokens = {
        "slm_prompt": 0,
        "slm_prompt_cached": 0,
        "slm_completion": 0,
        "llm_prompt": 0,
        "llm_completion": 0,
    }
    full_tokens.update(tokens or {})
    return {
        "route": route,
        "intent": intent,
        "sub_intent": None,
        "slots": {},
        "confidence": confidence,
        "answer": "",
        "citations": [],
        "tool_calls": [],
        "escalation_reason": reason,
        "latency_ms": {"understand": 10, "first_token": first_token, "total": total},
        "tokens": full_tokens,
        "model": {"slm": "fake", "slm_file": None, "adapter_file": None, "llm": None},
    }


def exchange_make(
    *,
    conversation: Conversation,
    question: str,
    minutes: int = 0,
    draft: bool = False,
    **trace: Any,
) -> tuple[Message, Message]:
    """A shopper question and the assistant's reply to it (meta.reply_to, trace), ``minutes`` in."""
    at = conversation.created_at + timedelta(minutes=minutes)
    asked = MessageFactory(conversation=conversation, role=Message.Role.SHOPPER, text=question)
    made = trace_make(**trace)
    reply = MessageFactory(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        text="…",
        trace=made,
        meta={"reply_to": asked.pk, "route": made["route"], "draft": draft},
    )
    Message.objects.filter(pk=asked.pk).update(created_at=at)
    Message.objects.filter(pk=reply.pk).update(created_at=at + timedelta(seconds=2))
    reply.refresh_from_db()
    return asked, reply


def agent_message_make(*, conversation: Conversation, text: str, minutes: int) -> Message:
    agent = get_user_model().objects.get_or_create(username="dash-agent", defaults={"is_staff": True})[0]
    message = MessageFactory(conversation=conversation, role=Message.Role.AGENT, text=text, author=agent)
    Message.objects.filter(pk=message.pk).update(
        created_at=conversation.created_at + timedelta(minutes=minutes)
    )
    return message


def agent_user() -> Any:
    return get_user_model().objects.get_or_create(username="dash-agent", defaults={"is_staff": True})[0]


def month_make() -> dict[str, Any]:
    """Nine conversations; eight in the last 30 days (one of them 40 days old)."""
    anchor = anchor_now()
    agent = agent_user()
    c = {}
    # C1: the SLM answers; a second reply carries a malformed trace (strings where numbers go).
    c[1] = conversation_make(anchor=anchor, days_ago=0)
    exchange_make(
        conversation=c[1],
        question="where is my order #W2611340?",
        first_token=100,
        total=200,
        tokens={"slm_prompt": 100, "slm_prompt_cached": 50, "slm_completion": 20},
    )
    exchange_make(
        conversation=c[1],
        question="thanks",
        minutes=1,
        first_token="fast",
        total=None,
        tokens={"slm_prompt": "lots"},
    )
    # C2: a clarifying question, then the SLM answer.
    c[2] = conversation_make(anchor=anchor, days_ago=1)
    exchange_make(
        conversation=c[2],
        question="is size 10 in stock",
        route="clarify",
        intent="size_availability_or_fit",
        first_token=200,
        total=400,
        tokens={"slm_prompt": 200, "slm_completion": 10},
    )
    exchange_make(
        conversation=c[2],
        question="the trail runner",
        minutes=1,
        intent="size_availability_or_fit",
        first_token=300,
        total=600,
        tokens={"slm_prompt": 100, "slm_prompt_cached": 100, "slm_completion": 30},
    )
    # C3: unsure, the LLM tier answers.
    c[3] = conversation_make(anchor=anchor, days_ago=2)
    exchange_make(
        conversation=c[3],
        question="Do you ship to Canada?",
        route="llm",
        intent="shipping_delivery",
        confidence=0.3,
        reason="low_confidence: below the intent's threshold",
        first_token=1000,
        total=2000,
        tokens={"slm_prompt": 300, "llm_prompt": 400, "llm_completion": 100},
    )
    # C4: unsure, handed to a person, who answers and closes it; rated 5.
    c[4] = conversation_make(
        anchor=anchor, days_ago=2, owner=Conversation.Owner.CLOSED, csat=5, escalated_at=anchor
    )
    exchange_make(
        conversation=c[4],
        question="can you ship to canada??",
        route="human",
        intent="shipping_delivery",
        confidence=0.2,
        reason="low_confidence",
        first_token=500,
        total=500,
        tokens={"slm_prompt": 100, "slm_completion": 5},
    )
    agent_message_make(
        conversation=c[4], text="Yes, we ship to Canada in 5-7 days. Mail me at sam@store.example", minutes=3
    )
    # C5: asked for a person, still waiting in the queue.
    c[5] = conversation_make(anchor=anchor, days_ago=3, owner=Conversation.Owner.QUEUE, escalated_at=anchor)
    exchange_make(
        conversation=c[5],
        question="I want to talk to a person about order #W123456, my email bob@example.com",
        route="human",
        intent="complaint_or_human",
        reason="asked_for_human",
        first_token=50,
        total=100,
    )
    # C6: out of scope, declined politely on the box; (closed and) rated 3.
    c[6] = conversation_make(anchor=anchor, days_ago=5, owner=Conversation.Owner.CLOSED, csat=3)
    exchange_make(
        conversation=c[6],
        question="what's the weather in Paris?",
        intent="out_of_scope",
        confidence=0.1,
        reason="out_of_scope",
        first_token=100,
        total=100,
    )
    # C7: 40 days old: only in the 90-day period.
    c[7] = conversation_make(anchor=anchor, days_ago=40, owner=Conversation.Owner.CLOSED, csat=1)
    exchange_make(
        conversation=c[7],
        question="old question",
        route="llm",
        reason="low_confidence",
        first_token=9000,
        total=9000,
        tokens={"slm_prompt": 5000, "llm_prompt": 7000, "llm_completion": 7000},
    )
    # C8: an agent owns it; the bot's reply is a draft (never sent).
    c[8] = conversation_make(
        anchor=anchor, days_ago=0, owner=Conversation.Owner.AGENT, agent=agent, escalated_at=anchor
    )
    exchange_make(
        conversation=c[8],
        question="hello?",
        draft=True,
        first_token=10,
        total=20,
        tokens={"slm_prompt": 1000},
    )
    agent_message_make(conversation=c[8], text="Hi, Sam here.", minutes=1)
    # C9: the pipeline failed: handed to a person with an error (not a knowledge gap).
    c[9] = conversation_make(anchor=anchor, days_ago=0, owner=Conversation.Owner.QUEUE, escalated_at=anchor)
    exchange_make(
        conversation=c[9],
        question="asdf",
        route="human",
        intent="out_of_scope",
        confidence=0.0,
        reason="error: RuntimeError",
        first_token=0,
        total=30,
    )
    return {"anchor": anchor, "conversations": c}
