"""Reads for the agent console."""

from __future__ import annotations

from typing import Any

from apps.helpdesk.models import CannedReply

AGENT_GROUP = "Support agent"


def user_is_agent(*, user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_staff or user.groups.filter(name=AGENT_GROUP).exists())


def canned_replies() -> list[CannedReply]:
    return list(CannedReply.objects.all())
