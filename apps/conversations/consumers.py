"""The widget's websocket: parse, authorise, delegate to services, push. Nothing else.

Client frames: hello {conversation_token?, customer_token?} (first), message {client_msg_id, text},
handoff, back_to_assistant, csat {score}, contact_email {email}, ping.
Server frames: welcome, ack, message, token, typing, state, error {code, detail}, pong.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.http.request import validate_host

from apps.conversations import limits, selectors, services
from apps.conversations.conf import conf

logger = logging.getLogger(__name__)

RATE_LIMITED_TYPES = {"message", "handoff", "back_to_assistant", "csat", "contact_email", "hello"}


def origin_allowed(origin: str | None, host: str | None = None) -> bool:
    """A store site listed in WIDGET_ALLOWED_ORIGINS, or a page this server itself served
    (same host and port, the host one of ALLOWED_HOSTS: e.g. the demo shop on any port)."""
    allowed = settings.WIDGET_ALLOWED_ORIGINS
    if "*" in allowed:
        return True
    if not origin:
        return False
    if origin.rstrip("/").lower() in {o.rstrip("/").lower() for o in allowed}:
        return True
    netloc = urlsplit(origin).netloc.lower()
    if host and netloc == host.lower():
        hostname = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
        return validate_host(hostname, settings.ALLOWED_HOSTS)
    return False


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class ChatConsumer(AsyncJsonWebsocketConsumer):
    conversation_id: int | None = None
    group: str | None = None

    async def connect(self) -> None:
        if not origin_allowed(_header(self.scope, b"origin"), _header(self.scope, b"host")):
            # Close before accepting: the browser sees a failed handshake (HTTP 403).
            await self.close(code=4003)
            return
        client = self.scope.get("client") or ("unknown", 0)
        self.ip = str(client[0])
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def error(self, code: str, detail: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail, **extra})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.error("unsupported", "Send JSON text frames.")
            return
        if len(text_data.encode("utf-8")) > conf("CHAT_MAX_FRAME_BYTES"):
            await self.error("too_large", f"Frames are limited to {conf('CHAT_MAX_FRAME_BYTES')} bytes.")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.error("malformed", "The frame is not valid JSON.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.error("malformed", "A frame is a JSON object with a string 'type'.")
            return
        kind = content["type"]
        if kind == "ping":
            await self.send_json({"type": "pong"})
            return
        if kind in RATE_LIMITED_TYPES and not await self._rate_ok():
            await self.error(
                "rate_limited",
                "Too many messages; wait a moment.",
                client_msg_id=content.get("client_msg_id"),
            )
            return
        handler = getattr(self, f"on_{kind}", None)
        if handler is None:
            await self.error("unknown_type", "Unknown frame type.")
            return
        if kind != "hello" and self.conversation_id is None:
            await self.error("hello_required", "Send a hello frame first.")
            return
        try:
            await handler(content)
        except Exception:
            logger.exception("chat frame %s failed", kind)
            await self.error("server_error", "Something went wrong; please try again.")
            if kind == "hello":
                # Without a hello nothing else can work on this socket (e.g. Redis was restarting):
                # close it, so the widget reconnects with backoff and says hello again.
                await self.close(code=1013)

    @database_sync_to_async
    def _rate_ok(self) -> bool:
        conn_burst, conn_rate = conf("CHAT_RATE_CONN")
        ip_burst, ip_rate = conf("CHAT_RATE_IP")
        try:
            return limits.rate_allow(
                key=f"conn:{self.channel_name}", burst=conn_burst, per_second=conn_rate
            ) and limits.rate_allow(key=f"ip:{self.ip}", burst=ip_burst, per_second=ip_rate)
        except Exception:
            # Redis is down: fail open (Postgres still takes the message) rather than drop chat.
            logger.warning("rate limiter unavailable; allowing the frame", exc_info=True)
            return True

    async def on_hello(self, content: dict[str, Any]) -> None:
        token = content.get("conversation_token")
        customer_token = content.get("customer_token")
        welcome = await self._open(
            token if isinstance(token, str) else None,
            customer_token if isinstance(customer_token, str) else None,
        )
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        self.conversation_id = welcome.pop("_id")
        self.group = f"conv.{self.conversation_id}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json(welcome)

    @database_sync_to_async
    def _open(self, token: str | None, customer_token: str | None) -> dict[str, Any]:
        conversation = services.conversation_open(token=token, customer_token=customer_token)
        return {**selectors.conversation_welcome_payload(conversation=conversation), "_id": conversation.pk}

    async def on_message(self, content: dict[str, Any]) -> None:
        text = content.get("text")
        client_msg_id = content.get("client_msg_id") or ""
        if not isinstance(text, str) or not text.strip():
            await self.error("bad_message", "A message needs some text.", client_msg_id=None)
            return
        if not isinstance(client_msg_id, str) or len(client_msg_id) > 64:
            await self.error("bad_message", "client_msg_id must be a string of at most 64 characters.")
            return
        try:
            message_id, created = await self._receive(text, client_msg_id)
        except Exception:
            # Postgres or the broker is unreachable: no ack, so the widget keeps the message
            # and sends it again; the server deduplicates by client_msg_id.
            logger.exception("message not stored or not scheduled")
            await self.error("unavailable", "Temporarily unavailable; retrying.", client_msg_id=client_msg_id)
            return
        # The row is committed before this ack leaves: an acknowledged message is never lost.
        await self.send_json(
            {
                "type": "ack",
                "client_msg_id": client_msg_id or None,
                "message_id": message_id,
                "duplicate": not created,
            }
        )

    @database_sync_to_async
    def _receive(self, text: str, client_msg_id: str) -> tuple[int, bool]:
        assert self.conversation_id is not None
        message, created = services.message_receive(
            conversation_id=self.conversation_id, text=text, client_msg_id=client_msg_id
        )
        return message.pk, created

    async def on_handoff(self, content: dict[str, Any]) -> None:
        await database_sync_to_async(services.conversation_escalate)(
            conversation_id=self.conversation_id, reason="asked_for_human"
        )

    async def on_back_to_assistant(self, content: dict[str, Any]) -> None:
        await database_sync_to_async(services.conversation_return_to_bot)(
            conversation_id=self.conversation_id
        )

    async def on_csat(self, content: dict[str, Any]) -> None:
        score = content.get("score")
        ok = isinstance(score, int) and await database_sync_to_async(services.csat_record)(
            conversation_id=self.conversation_id, score=score
        )
        await self.send_json(
            {"type": "csat_saved"}
            if ok
            else {
                "type": "error",
                "code": "bad_csat",
                "detail": "Rate 1 to 5 after the conversation is resolved.",
            }
        )

    async def on_contact_email(self, content: dict[str, Any]) -> None:
        email = content.get("email")
        ok = isinstance(email, str) and await database_sync_to_async(services.contact_email_leave)(
            conversation_id=self.conversation_id, email=email.strip()
        )
        if not ok:
            await self.error("bad_email", "That does not look like an email address.")

    async def chat_event(self, event: dict[str, Any]) -> None:
        await self.send_json(event["event"])
