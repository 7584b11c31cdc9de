"""Conversations between a shopper and the store: who owns each one, and every message in it."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


def conversation_token_new() -> str:
    # The widget's bearer credential for one conversation: unguessable, URL-safe.
    return secrets.token_urlsafe(32)


class Conversation(models.Model):
    class Owner(models.TextChoices):
        BOT = "bot", "Assistant"
        QUEUE = "queue", "Waiting for a person"  # nobody speaks: an agent has been asked for
        AGENT = "agent", "Agent"
        CLOSED = "closed", "Closed"

    token = models.CharField(max_length=64, unique=True, default=conversation_token_new, editable=False)
    owner = models.CharField(max_length=10, choices=Owner.choices, default=Owner.BOT, db_index=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Reply.state of the assistant (slots, verification) carried from one message to the next.
    state = models.JSONField(default=dict, blank=True)
    # Identity the store vouched for with a signed customer token (empty: anonymous shopper).
    customer_email = models.CharField(max_length=254, blank=True, default="")
    customer_external_id = models.CharField(max_length=200, blank=True, default="")
    # Left by the shopper when no agent was online (after-hours capture).
    contact_email = models.EmailField(blank=True, default="")
    intent = models.CharField(max_length=50, blank=True, default="")
    escalation_reason = models.CharField(max_length=200, blank=True, default="")
    escalated_at = models.DateTimeField(null=True, blank=True)
    csat = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5), name="conversation_csat_1_5"
            ),
            # The one-owner invariant in the schema: an agent-owned conversation names its agent.
            models.CheckConstraint(
                condition=~Q(owner="agent") | Q(agent__isnull=False), name="conversation_agent_owner_named"
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk} ({self.owner})"

    @property
    def group_name(self) -> str:
        return f"conv.{self.pk}"

    @property
    def agents_group_name(self) -> str:
        return f"conv.{self.pk}.agents"


class Message(models.Model):
    class Role(models.TextChoices):
        SHOPPER = "shopper"
        ASSISTANT = "assistant"
        AGENT = "agent"
        SYSTEM = "system"
        NOTE = "note"  # internal: agents only, never sent to the shopper

    class ReplyState(models.TextChoices):
        NONE = "", "No reply expected"
        PENDING = "pending"
        GENERATING = "generating"
        DONE = "done"
        FAILED = "failed"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=Role.choices)
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The widget's id for a shopper message: a resend after a reconnect is recognised, not answered twice.
    client_msg_id = models.CharField(max_length=64, blank=True, default="")
    reply_state = models.CharField(max_length=10, choices=ReplyState.choices, blank=True, default="")
    reply_attempts = models.PositiveSmallIntegerField(default=0)
    reply_claimed_at = models.DateTimeField(null=True, blank=True)
    # Assistant messages: the pipeline's trace (ASK_TRACE fields), quick replies; draft = not sent.
    trace = models.JSONField(null=True, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "client_msg_id"],
                condition=~Q(client_msg_id=""),
                name="message_client_msg_id_unique",
            )
        ]
        indexes = [
            models.Index(fields=["reply_state"], condition=~Q(reply_state=""), name="message_reply_open")
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:40]}"

    @property
    def is_draft(self) -> bool:
        return bool(self.meta.get("draft"))
