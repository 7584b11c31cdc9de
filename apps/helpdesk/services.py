"""Agent actions: each checks the agent, then calls the conversations service that owns the change."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation, Message
from apps.helpdesk.models import CannedReply
from apps.helpdesk.selectors import user_is_agent

OwnershipError = conversation_services.OwnershipError


def _check_agent(agent: Any) -> None:
    if not user_is_agent(user=agent):
        raise PermissionDenied("Support agents only.")


def agent_claim(*, agent: Any, conversation_id: int) -> Conversation:
    _check_agent(agent)
    return conversation_services.conversation_claim(conversation_id=conversation_id, agent=agent)


def agent_hand_back(*, agent: Any, conversation_id: int) -> Conversation:
    _check_agent(agent)
    return conversation_services.conversation_hand_back(conversation_id=conversation_id, agent=agent)


def agent_resolve(*, agent: Any, conversation_id: int) -> Conversation:
    _check_agent(agent)
    return conversation_services.conversation_resolve(conversation_id=conversation_id, agent=agent)


def agent_reply(*, agent: Any, conversation_id: int, text: str) -> Message:
    _check_agent(agent)
    if not text.strip():
        raise ValueError("Write a reply first.")
    return conversation_services.agent_message_send(
        conversation_id=conversation_id, agent=agent, text=text[:4000]
    )


def agent_note(*, agent: Any, conversation_id: int, text: str) -> Message:
    _check_agent(agent)
    if not text.strip():
        raise ValueError("Write a note first.")
    return conversation_services.note_add(conversation_id=conversation_id, agent=agent, text=text[:4000])


def canned_reply_create(*, title: str, text: str) -> CannedReply:
    return CannedReply.objects.create(title=title, text=text)
