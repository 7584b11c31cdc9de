"""Chat fixtures: a FAKE assistant (tests.conversations.fakes), websocket communicators on the
real Valkey channel layer, and a stand-in for the Celery worker that runs the real task code."""

from __future__ import annotations

import threading
import uuid

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import connection

from apps.conversations import services
from tests.conversations import fakes

ORIGIN = b"http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _fake_assistant(settings):
    settings.ASSISTANT_REPLY = "tests.conversations.fakes.fake_reply"
    settings.WIDGET_ALLOWED_ORIGINS = [ORIGIN.decode()]
    # Generous buckets so tests do not trip over each other; the rate test lowers them.
    settings.CHAT_RATE_CONN = (1000, 100.0)
    settings.CHAT_RATE_IP = (1000, 100.0)
    fakes.CALLS.clear()
    fakes.HOOK = None
    yield
    fakes.HOOK = None


@pytest.fixture
def ws_app():
    from supportbot.routing import websocket_urlpatterns

    return URLRouter(websocket_urlpatterns)


@pytest.fixture
def make_communicator(ws_app):
    def make(*, origin: bytes | None = ORIGIN, ip: str | None = None, path: str = "/ws/chat/", headers=()):
        hdrs = list(headers)
        if origin is not None:
            hdrs.append((b"origin", origin))
        comm = WebsocketCommunicator(ws_app, path, headers=hdrs)
        # A fresh client address per communicator keeps per-IP buckets of tests apart.
        comm.scope["client"] = (ip or f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.9", 40000)
        return comm

    return make


@pytest.fixture
def enqueued(monkeypatch):
    """Record reply_generate enqueues instead of sending them to the broker."""
    ids: list[int] = []
    monkeypatch.setattr(services, "reply_enqueue", lambda *, message_id: ids.append(message_id))
    return ids


@pytest.fixture
def worker(monkeypatch):
    """Run the real reply task body in a thread, as the Celery worker would (after commit)."""
    threads: list[threading.Thread] = []

    def run(message_id: int) -> None:
        from apps.conversations.tasks import reply_generate

        try:
            reply_generate.apply(kwargs={"message_id": message_id})
        finally:
            connection.close()

    def enqueue(*, message_id: int) -> None:
        t = threading.Thread(target=run, args=(message_id,))
        threads.append(t)
        t.start()

    monkeypatch.setattr(services, "reply_enqueue", enqueue)
    yield threads
    for t in threads:
        t.join(timeout=10)
