from channels.auth import AuthMiddlewareStack
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from apps.helpdesk.consumers import AgentConsumer

# Session auth for the console, and only from this site's own pages (no cross-site hijacking).
websocket_urlpatterns = [
    path("ws/helpdesk/", AllowedHostsOriginValidator(AuthMiddlewareStack(AgentConsumer.as_asgi()))),
]
