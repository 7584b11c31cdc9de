"""Websocket routes of every app, collected in one place for the ASGI router."""

from apps.conversations.routing import websocket_urlpatterns as conversations_ws
from apps.helpdesk.routing import websocket_urlpatterns as helpdesk_ws

websocket_urlpatterns: list = [*conversations_ws, *helpdesk_ws]
