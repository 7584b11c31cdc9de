"""The agent console's websocket: live queue, escalation notifications, and watched conversations."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.conversations import limits, selectors
from apps.conversations.conf import conf
from apps.conversations.models import Conversation
from apps.conversations.services import QUEUE_GROUP
from apps.helpdesk.selectors import user_is_agent


class AgentConsumer(AsyncJsonWebsocketConsumer):
    watching: set[str]

    async def connect(self) -> None:
        self.watching = set()
        user = self.scope.get("user")
        if not await database_sync_to_async(user_is_agent)(user=user):
            await self.close(code=4003)
            return
        await self.channel_layer.group_add(QUEUE_GROUP, self.channel_name)
        await self.accept()
        await self._presence()
        await self.send_json({"type": "queue_snapshot", "items": await self._queue()})

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(QUEUE_GROUP, self.channel_name)
        for group in self.watching:
            await self.channel_layer.group_discard(group, self.channel_name)
        await database_sync_to_async(limits.presence_leave)(channel_name=self.channel_name)

    @database_sync_to_async
    def _presence(self) -> None:
        limits.presence_touch(
            channel_name=self.channel_name, ttl_seconds=conf("HELPDESK_PRESENCE_TTL_SECONDS")
        )

    @database_sync_to_async
    def _queue(self) -> list[dict[str, Any]]:
        return [selectors.queue_item_payload(conversation=c) for c in selectors.queue_list()]

    @database_sync_to_async
    def _exists(self, conversation_id: int) -> bool:
        return Conversation.objects.filter(pk=conversation_id).exists()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "code": "malformed", "detail": "JSON object expected."})
            return
        kind = content.get("type")
        if kind == "ping":
            await self._presence()
            await self.send_json({"type": "pong"})
        elif kind == "watch" and isinstance(content.get("conversation_id"), int):
            conversation_id = content["conversation_id"]
            if await self._exists(conversation_id):
                group = f"conv.{conversation_id}.agents"
                self.watching.add(group)
                await self.channel_layer.group_add(group, self.channel_name)
                await self.send_json({"type": "watching", "conversation_id": conversation_id})
        else:
            await self.send_json({"type": "error", "code": "unknown_type", "detail": "Unknown frame type."})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data)
        except ValueError:
            await self.send_json(
                {"type": "error", "code": "malformed", "detail": "The frame is not valid JSON."}
            )

    async def chat_event(self, event: dict[str, Any]) -> None:
        await self.send_json(event["event"])
