"""Reads: conversations, their history, and the wire form of messages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.conversations import limits
from apps.conversations.models import Conversation, Message


def conversation_get_by_token(*, token: str) -> Conversation | None:
    if not token or len(token) > 64:
        return None
    return Conversation.objects.select_related("agent").filter(token=token).first()


def agent_display_name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_short_name() or user.get_username()


def agents_online() -> bool:
    return limits.presence_count() > 0


def _citation_titles(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Readable titles of cited items (one query per kind), so links read as words, not ids."""
    from apps.catalog.models import Product
    from apps.knowledge.models import FAQ, Policy

    titles: dict[tuple[str, str], str] = {}
    for kind, model, field in (
        ("product", Product, "name"),
        ("faq", FAQ, "question"),
        ("policy", Policy, "title"),
    ):
        ids = [ident for k, ident in pairs if k == kind]
        if ids:
            for ident, title in model.objects.filter(external_id__in=ids).values_list("external_id", field):
                titles[(kind, ident)] = str(title)[:80]
    return titles


def citation_links(trace: dict | None) -> list[dict[str, str]]:
    """Citations of a trace as label + href the widget shows as links (FAQ, policy, product pages)."""
    cited = []
    for citation in (trace or {}).get("citations") or []:
        if isinstance(citation, dict):
            kind, ident = str(citation.get("kind", "")), str(citation.get("id", ""))
            if kind in ("faq", "policy", "product") and ident and (kind, ident) not in cited:
                cited.append((kind, ident))
    titles = _citation_titles(set(cited)) if cited else {}
    return [{"label": titles.get((k, i), i), "href": f"/kb/{k}/{i}/"} for k, i in cited]


def message_payload(*, message: Message, for_agent: bool = False) -> dict[str, Any]:
    """One message as a JSON frame. Shoppers never get notes, drafts or traces."""
    payload: dict[str, Any] = {
        "type": "message",
        "id": message.pk,
        "role": message.role,
        "text": message.text,
        "client_msg_id": message.client_msg_id or None,
        "created_at": message.created_at.isoformat() if message.created_at else None,
        "agent_name": agent_display_name(message.author) if message.role == Message.Role.AGENT else None,
        "quick_replies": list(message.meta.get("quick_replies") or []),
        "reply_to": message.meta.get("reply_to"),
        "citations": citation_links(message.trace) if message.role == Message.Role.ASSISTANT else [],
    }
    if for_agent:
        payload["conversation_id"] = message.conversation_id
        payload["draft"] = message.is_draft
        payload["trace"] = message.trace
        payload["reply_state"] = message.reply_state
    return payload


def conversation_history(*, conversation: Conversation, for_agent: bool = False) -> QuerySet[Message]:
    qs = conversation.messages.select_related("author")
    if not for_agent:
        qs = qs.exclude(role=Message.Role.NOTE).exclude(meta__contains={"draft": True})
    return qs.order_by("created_at", "pk")


def conversation_state_payload(*, conversation: Conversation) -> dict[str, Any]:
    return {
        "type": "state",
        "conversation_id": conversation.pk,
        "owner": conversation.owner,
        "agent_name": agent_display_name(conversation.agent) if conversation.agent_id else None,
        "agents_online": agents_online() if conversation.owner == Conversation.Owner.QUEUE else None,
        "csat": conversation.csat,
        "contact_email_left": bool(conversation.contact_email),
    }


def conversation_welcome_payload(*, conversation: Conversation) -> dict[str, Any]:
    return {
        "type": "welcome",
        "conversation_token": conversation.token,
        "state": conversation_state_payload(conversation=conversation),
        "history": [message_payload(message=m) for m in conversation_history(conversation=conversation)],
    }


def queue_item_payload(*, conversation: Conversation) -> dict[str, Any]:
    """What the agent queue shows for one conversation."""
    last = conversation.messages.filter(role=Message.Role.SHOPPER).order_by("-created_at", "-pk").first()
    since = conversation.escalated_at or conversation.created_at
    return {
        "id": conversation.pk,
        "owner": conversation.owner,
        "agent_name": agent_display_name(conversation.agent) if conversation.agent_id else None,
        "reason": conversation.escalation_reason,
        "intent": conversation.intent,
        "shopper": conversation.customer_email or conversation.contact_email or f"Visitor #{conversation.pk}",
        "last_message": (last.text[:200] if last else ""),
        "waiting_since": since.isoformat() if since else None,
        "wait_seconds": int((timezone.now() - since).total_seconds()) if since else 0,
    }


def queue_list(*, limit: int = 100) -> list[Conversation]:
    """Conversations waiting for or held by an agent, the longest-waiting first."""
    return list(
        Conversation.objects.filter(owner__in=[Conversation.Owner.QUEUE, Conversation.Owner.AGENT])
        .select_related("agent")
        .order_by("escalated_at", "pk")[:limit]
    )


def conversations_recent(*, limit: int = 30) -> list[Conversation]:
    return list(Conversation.objects.select_related("agent").order_by("-updated_at")[:limit])
