"""Writes: conversations, shopper messages, the assistant's replies and ownership changes.

Ownership invariant: a conversation has one owner (bot, queue = waiting for a person, agent,
closed). Every change of owner is either a conditional UPDATE or happens under the row lock, and
the assistant's reply is delivered under that same lock, so the bot never speaks while a person
owns the conversation.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.conversations import selectors
from apps.conversations.conf import conf
from apps.conversations.models import Conversation, Message

logger = logging.getLogger(__name__)

QUEUE_GROUP = "helpdesk.queue"
HANDOFF_TEXT = "Connecting you to a person. Someone from our team will be with you shortly."
AFTER_HOURS_TEXT = "No one from our team is online right now. Leave your email and we will get back to you."
TROUBLE_TEXT = "Sorry, I'm having trouble answering right now. " + HANDOFF_TEXT


class OwnershipError(Exception):
    """The conversation is not in a state that allows this change (e.g. already claimed)."""


# --- pushing to websockets -----------------------------------------------------------------------


def group_push(*, group: str, event: dict[str, Any]) -> None:
    """Send one frame to every socket in ``group`` (widgets and consoles, on any web process)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "chat.event", "event": event})
    except Exception:
        # A push is best effort: the row is in Postgres and the history reload shows it.
        logger.exception("group_send to %s failed", group)


def conversation_push(
    *, conversation: Conversation, event: dict[str, Any], agents_only: bool = False
) -> None:
    group_push(group=conversation.agents_group_name if agents_only else conversation.group_name, event=event)


def message_push(*, message: Message) -> None:
    conversation = message.conversation
    if message.role != Message.Role.NOTE and not message.is_draft:
        conversation_push(conversation=conversation, event=selectors.message_payload(message=message))
    # Consoles get every message with its trace, drafts and notes included.
    conversation_push(
        conversation=conversation,
        event=selectors.message_payload(message=message, for_agent=True),
        agents_only=True,
    )


def state_push(*, conversation: Conversation) -> None:
    state = selectors.conversation_state_payload(conversation=conversation)
    conversation_push(conversation=conversation, event=state)
    conversation_push(conversation=conversation, event=state, agents_only=True)
    group_push(
        group=QUEUE_GROUP,
        event={"type": "queue", "item": selectors.queue_item_payload(conversation=conversation)},
    )


# --- conversations and shopper messages ----------------------------------------------------------


def _identity_from_token(customer_token: str | None) -> Any:
    if not customer_token:
        return None
    from apps.orders.identity import customer_token_verify

    return customer_token_verify(token=customer_token)


def conversation_open(*, token: str | None, customer_token: str | None = None) -> Conversation:
    """The widget's conversation: the one its token names, or a new one."""
    conversation = selectors.conversation_get_by_token(token=token or "")
    identity = _identity_from_token(customer_token)
    if conversation is None:
        conversation = Conversation.objects.create(
            customer_email=identity.email if identity else "",
            customer_external_id=(identity.external_id or "") if identity else "",
        )
    elif identity is not None and identity.email != conversation.customer_email:
        # The store vouches for the shopper now (signed in since): later replies may use it.
        Conversation.objects.filter(pk=conversation.pk).update(
            customer_email=identity.email, customer_external_id=identity.external_id or ""
        )
        conversation.customer_email = identity.email
        conversation.customer_external_id = identity.external_id or ""
    return conversation


def reply_enqueue(*, message_id: int) -> None:
    from apps.conversations.tasks import reply_generate

    reply_generate.delay(message_id=message_id)


def message_receive(*, conversation_id: int, text: str, client_msg_id: str = "") -> tuple[Message, bool]:
    """Store a shopper message (once per client_msg_id) and schedule the assistant's reply.

    Returns (message, created). A resend of a known client_msg_id returns the stored message
    and schedules nothing, so a reconnecting widget never gets two replies.
    """
    text = text.strip()[: conf("CHAT_MAX_MESSAGE_CHARS")]
    if client_msg_id:
        existing = Message.objects.filter(
            conversation_id=conversation_id, client_msg_id=client_msg_id
        ).first()
        if existing is not None:
            if existing.reply_state == Message.ReplyState.PENDING:
                # The first try may have been saved but not enqueued (broker down before the
                # ack): enqueue again. Harmless if it was: the reply is claimed only once.
                reply_enqueue(message_id=existing.pk)
            return existing, False
    try:
        with transaction.atomic():
            conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
            reopened = conversation.owner == Conversation.Owner.CLOSED
            if reopened:
                # A new question after resolve starts afresh with the assistant: no handoff loop.
                conversation.owner = Conversation.Owner.BOT
                conversation.agent = None
                conversation.escalation_reason = ""
            bot_answers = conversation.owner == Conversation.Owner.BOT
            message = Message.objects.create(
                conversation=conversation,
                role=Message.Role.SHOPPER,
                text=text,
                client_msg_id=client_msg_id,
                reply_state=Message.ReplyState.PENDING if bot_answers else Message.ReplyState.NONE,
            )
            conversation.save()
            transaction.on_commit(lambda: message_push(message=message))
            if reopened:
                transaction.on_commit(lambda: state_push(conversation=conversation))
            if bot_answers:
                # Enqueue after commit so the worker never looks for a row that is not there yet.
                transaction.on_commit(lambda: reply_enqueue(message_id=message.pk))
    except IntegrityError:
        # Two sockets raced with the same client_msg_id: the first one's row is the message.
        existing = Message.objects.get(conversation_id=conversation_id, client_msg_id=client_msg_id)
        return existing, False
    return message, True


def conversation_escalate(*, conversation_id: int, reason: str, text: str = HANDOFF_TEXT) -> Conversation:
    """Hand a bot-owned conversation to the human queue; the shopper is told, agents notified."""
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("agent")
            .get(pk=conversation_id)
        )
        if conversation.owner in (Conversation.Owner.QUEUE, Conversation.Owner.AGENT):
            return conversation  # already with people: asking twice changes nothing
        _escalate_locked(conversation=conversation, reason=reason)
        message = Message.objects.create(conversation=conversation, role=Message.Role.SYSTEM, text=text)
        transaction.on_commit(lambda: message_push(message=message))
        _after_hours_notice(conversation=conversation)
    return conversation


def _escalate_locked(*, conversation: Conversation, reason: str) -> None:
    conversation.owner = Conversation.Owner.QUEUE
    conversation.agent = None
    conversation.escalation_reason = reason[:200]
    conversation.escalated_at = timezone.now()
    conversation.save()
    transaction.on_commit(lambda: state_push(conversation=conversation))
    transaction.on_commit(
        lambda: group_push(
            group=QUEUE_GROUP,
            event={
                "type": "escalation",
                "item": selectors.queue_item_payload(conversation=conversation),
            },
        )
    )


def _after_hours_notice(*, conversation: Conversation) -> None:
    if not selectors.agents_online():
        notice = Message.objects.create(
            conversation=conversation,
            role=Message.Role.SYSTEM,
            text=AFTER_HOURS_TEXT,
            meta={"after_hours": True},
        )
        transaction.on_commit(lambda: message_push(message=notice))


def conversation_return_to_bot(*, conversation_id: int) -> Conversation:
    """The shopper stops waiting for a person (queue → bot)."""
    updated = Conversation.objects.filter(pk=conversation_id, owner=Conversation.Owner.QUEUE).update(
        owner=Conversation.Owner.BOT, updated_at=timezone.now()
    )
    conversation = Conversation.objects.select_related("agent").get(pk=conversation_id)
    if updated:
        message = Message.objects.create(
            conversation=conversation, role=Message.Role.SYSTEM, text="You're back with the assistant."
        )
        message_push(message=message)
        state_push(conversation=conversation)
    return conversation


def conversation_claim(*, conversation_id: int, agent: Any) -> Conversation:
    """An agent takes the conversation. Exactly one of two racing claims wins (conditional UPDATE)."""
    claimed = Conversation.objects.filter(
        pk=conversation_id, owner__in=[Conversation.Owner.QUEUE, Conversation.Owner.BOT]
    ).update(owner=Conversation.Owner.AGENT, agent=agent, updated_at=timezone.now())
    if claimed != 1:
        raise OwnershipError("This conversation is already taken or closed.")
    conversation = Conversation.objects.select_related("agent").get(pk=conversation_id)
    name = selectors.agent_display_name(agent)
    message = Message.objects.create(
        conversation=conversation, role=Message.Role.SYSTEM, text=f"{name} joined the conversation."
    )
    message_push(message=message)
    state_push(conversation=conversation)
    return conversation


def conversation_hand_back(*, conversation_id: int, agent: Any) -> Conversation:
    """The owning agent returns the conversation to the assistant."""
    updated = Conversation.objects.filter(
        pk=conversation_id, owner=Conversation.Owner.AGENT, agent=agent
    ).update(owner=Conversation.Owner.BOT, agent=None, escalation_reason="", updated_at=timezone.now())
    if updated != 1:
        raise OwnershipError("Only the agent who owns this conversation can hand it back.")
    conversation = Conversation.objects.select_related("agent").get(pk=conversation_id)
    message = Message.objects.create(
        conversation=conversation, role=Message.Role.SYSTEM, text="You're back with the assistant."
    )
    message_push(message=message)
    state_push(conversation=conversation)
    return conversation


def conversation_resolve(*, conversation_id: int, agent: Any) -> Conversation:
    """Close the conversation (agent-owned by this agent, or waiting in the queue)."""
    updated = (
        Conversation.objects.filter(pk=conversation_id)
        .filter(Q(owner=Conversation.Owner.QUEUE) | Q(owner=Conversation.Owner.AGENT, agent=agent))
        .update(owner=Conversation.Owner.CLOSED, agent=None, updated_at=timezone.now())
    )
    if updated != 1:
        raise OwnershipError("This conversation is owned by someone else or already closed.")
    conversation = Conversation.objects.select_related("agent").get(pk=conversation_id)
    message = Message.objects.create(
        conversation=conversation,
        role=Message.Role.SYSTEM,
        text="This conversation was resolved. How did we do?",
        meta={"csat_request": True},
    )
    message_push(message=message)
    state_push(conversation=conversation)
    return conversation


def agent_message_send(*, conversation_id: int, agent: Any, text: str) -> Message:
    """A live reply from the owning agent; the shopper sees it at once."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.owner != Conversation.Owner.AGENT or conversation.agent_id != agent.pk:
            raise OwnershipError("Claim the conversation before replying.")
        message = Message.objects.create(
            conversation=conversation, role=Message.Role.AGENT, text=text.strip(), author=agent
        )
        conversation.save()
        transaction.on_commit(lambda: message_push(message=message))
    return message


def note_add(*, conversation_id: int, agent: Any, text: str) -> Message:
    """An internal note: agents see it, the shopper never does."""
    conversation = Conversation.objects.get(pk=conversation_id)
    message = Message.objects.create(
        conversation=conversation, role=Message.Role.NOTE, text=text.strip(), author=agent
    )
    message_push(message=message)
    return message


def csat_record(*, conversation_id: int, score: int) -> bool:
    """Store the shopper's rating (1..5) once the conversation is resolved."""
    if not 1 <= score <= 5:
        return False
    return bool(
        Conversation.objects.filter(pk=conversation_id, owner=Conversation.Owner.CLOSED).update(csat=score)
    )


def contact_email_leave(*, conversation_id: int, email: str) -> bool:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(email)
    except ValidationError:
        return False
    Conversation.objects.filter(pk=conversation_id).update(
        contact_email=email[:254], updated_at=timezone.now()
    )
    conversation = Conversation.objects.select_related("agent").get(pk=conversation_id)
    message = Message.objects.create(
        conversation=conversation,
        role=Message.Role.SYSTEM,
        text="Thanks! We'll reply to your email as soon as we're back.",
    )
    message_push(message=message)
    state_push(conversation=conversation)
    return True


# --- the assistant's reply (runs in the chat worker) ---------------------------------------------


@dataclass
class _FallbackTurn:
    role: str
    text: str


_ROLE_TO_TURN = {
    Message.Role.SHOPPER: "customer",
    Message.Role.ASSISTANT: "assistant",
    Message.Role.AGENT: "agent",
}


def assistant_reply(
    *, turns: list[tuple[str, str]], identity: Any, on_token: Callable[[str], None], state: dict
) -> Any:
    """The one call into the assistant pipeline (settings.ASSISTANT_REPLY; tests swap in a fake)."""
    module_path, _, name = settings.ASSISTANT_REPLY.rpartition(".")
    module = importlib.import_module(module_path)
    reply = getattr(module, name)
    turn_cls = getattr(module, "Turn", _FallbackTurn)
    return reply(
        turns=[turn_cls(role=role, text=text) for role, text in turns],
        identity=identity,
        on_token=on_token,
        state=state,
    )


class _TokenStream:
    """on_token for the pipeline: pushes tokens only while the bot owns the conversation.

    Ownership is read before every token (a primary-key lookup, well under a millisecond next to
    a token's generation time): the moment an agent claims, the bot falls silent.
    """

    def __init__(self, *, conversation: Conversation, reply_to: int) -> None:
        self.conversation = conversation
        self.reply_to = reply_to
        self.silenced = False

    def __call__(self, text: str) -> None:
        if self.silenced or not text:
            return
        owner = Conversation.objects.filter(pk=self.conversation.pk).values_list("owner", flat=True).first()
        if owner != Conversation.Owner.BOT:
            self.silenced = True
            return
        conversation_push(
            conversation=self.conversation, event={"type": "token", "reply_to": self.reply_to, "text": text}
        )


def reply_compose(*, message_id: int) -> Message | None:
    """Answer one shopper message, once, however often the task is delivered."""
    now = timezone.now()
    stale = now - timedelta(seconds=conf("CHAT_REPLY_STALE_SECONDS"))
    claimed = (
        Message.objects.filter(pk=message_id, role=Message.Role.SHOPPER)
        .filter(
            Q(reply_state=Message.ReplyState.PENDING)
            # A claim this old belongs to a worker that died mid-reply: take it over.
            | Q(reply_state=Message.ReplyState.GENERATING, reply_claimed_at__lt=stale)
        )
        .update(
            reply_state=Message.ReplyState.GENERATING,
            reply_claimed_at=now,
            reply_attempts=F("reply_attempts") + 1,
        )
    )
    if claimed != 1:
        return None  # already handled or being handled: a redelivered task is harmless
    try:
        return _reply_compose_claimed(message_id=message_id)
    except Exception:
        # Release the claim so the task's retry can take it; the shopper's message is not lost.
        Message.objects.filter(pk=message_id, reply_state=Message.ReplyState.GENERATING).update(
            reply_state=Message.ReplyState.PENDING
        )
        group_push(
            group=f"conv.{_conversation_id_of(message_id)}",
            event={"type": "typing", "who": "assistant", "on": False},
        )
        raise


def _conversation_id_of(message_id: int) -> int | None:
    return Message.objects.filter(pk=message_id).values_list("conversation_id", flat=True).first()


def _reply_compose_claimed(*, message_id: int) -> Message | None:
    message = Message.objects.select_related("conversation").get(pk=message_id)
    conversation = message.conversation
    if message.reply_attempts > conf("CHAT_REPLY_MAX_ATTEMPTS"):
        reply_give_up(message_id=message_id, reason="error: reply failed repeatedly")
        return None
    if conversation.owner != Conversation.Owner.BOT:
        Message.objects.filter(pk=message_id).update(reply_state=Message.ReplyState.DONE)
        return None
    history = (
        conversation.messages.filter(role__in=list(_ROLE_TO_TURN), created_at__lte=message.created_at)
        .exclude(meta__contains={"draft": True})
        .order_by("created_at", "pk")
    )
    turns = [(_ROLE_TO_TURN[m.role], m.text) for m in history]
    identity = None
    if conversation.customer_email:
        from apps.orders.identity import CustomerIdentity

        identity = CustomerIdentity(
            email=conversation.customer_email,
            external_id=conversation.customer_external_id or None,
            source="token",
        )
    # reply_to lets the widget restart a half-streamed answer when a retry streams it again.
    conversation_push(
        conversation=conversation,
        event={"type": "typing", "who": "assistant", "on": True, "reply_to": message_id},
    )
    stream = _TokenStream(conversation=conversation, reply_to=message_id)
    reply = assistant_reply(turns=turns, identity=identity, on_token=stream, state=dict(conversation.state))
    return reply_deliver(message_id=message_id, reply=reply)


def reply_deliver(*, message_id: int, reply: Any) -> Message:
    """Save the assistant's reply; send it only if the bot still owns the conversation (row lock)."""
    trace = dict(getattr(reply, "trace", None) or {})
    route = getattr(reply, "route", "") or trace.get("route", "")
    handoff = bool(getattr(reply, "handoff", False)) or route == "human"
    answer = (getattr(reply, "answer", "") or "").strip() or (HANDOFF_TEXT if handoff else "")
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("agent")
            .get(pk=message.conversation_id)
        )
        draft = conversation.owner != Conversation.Owner.BOT
        assistant = Message.objects.create(
            conversation=conversation,
            role=Message.Role.ASSISTANT,
            text=answer,
            trace=trace,
            meta={
                "reply_to": message.pk,
                "route": route,
                "draft": draft,
                "quick_replies": [str(q)[:80] for q in (getattr(reply, "quick_replies", None) or [])][:6],
            },
        )
        message.reply_state = Message.ReplyState.DONE
        message.save(update_fields=["reply_state"])
        if not draft:
            conversation.state = dict(getattr(reply, "state", None) or {})
            conversation.intent = str(trace.get("intent") or "")[:50]
            if handoff:
                reason = str(trace.get("escalation_reason") or "asked_for_human")
                _escalate_locked(conversation=conversation, reason=reason)
                _after_hours_notice(conversation=conversation)
            else:
                conversation.save()
        transaction.on_commit(lambda: message_push(message=assistant))
        transaction.on_commit(
            lambda: conversation_push(
                conversation=conversation, event={"type": "typing", "who": "assistant", "on": False}
            )
        )
    return assistant


def reply_give_up(*, message_id: int, reason: str) -> None:
    """The reply cannot be produced: hand the conversation to a person and tell the shopper."""
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return
    Message.objects.filter(pk=message_id).update(reply_state=Message.ReplyState.FAILED)
    conversation_escalate(conversation_id=message.conversation_id, reason=reason, text=TROUBLE_TEXT)
    conversation = Conversation.objects.get(pk=message.conversation_id)
    conversation_push(conversation=conversation, event={"type": "typing", "who": "assistant", "on": False})
