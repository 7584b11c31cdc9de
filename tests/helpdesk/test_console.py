"""Agent console: access, escaping, claim/reply/note/hand back/resolve, and the live queue socket.
The assistant is FAKED (tests.conversations.fakes) where a reply is generated."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.conversations import services as chat
from apps.conversations.models import Conversation, Message
from apps.helpdesk.models import CannedReply
from tests.conversations.test_consumers import frames_until, hello

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_console_requires_a_signed_in_agent(client, make_agent, db):
    url = reverse("helpdesk:console")
    assert client.get(url).status_code == 302  # to the login page
    shopper = get_user_model().objects.create_user("nobody", password="pw-123456789")
    client.force_login(shopper)
    assert client.get(url).status_code == 403
    client.force_login(make_agent())
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_shopper_text_and_trace_are_escaped_in_the_console(client, make_agent, enqueued):
    conversation = Conversation.objects.create(owner=Conversation.Owner.QUEUE, escalation_reason=XSS)
    Message.objects.create(conversation=conversation, role=Message.Role.SHOPPER, text=XSS)
    Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        text="draft " + XSS,
        trace={"intent": XSS, "tool_calls": [{"name": XSS, "args": {"q": XSS}, "ok": True}], "route": "slm"},
        meta={"draft": True},
    )
    CannedReply.objects.create(title=XSS, text=XSS)
    client.force_login(make_agent())
    for url in (reverse("helpdesk:console"), reverse("helpdesk:conversation", args=[conversation.pk])):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(" in html


@pytest.mark.django_db
def test_second_claim_fails_cleanly(client, make_agent, enqueued):
    conversation = Conversation.objects.create(owner=Conversation.Owner.QUEUE)
    sam, kim = make_agent("sam", "Sam"), make_agent("kim", "Kim")
    url = reverse("helpdesk:claim", args=[conversation.pk])
    client.force_login(sam)
    first = client.post(url, HTTP_ACCEPT="application/json").json()
    assert (first["ok"], first["error"]) == (True, None)
    # the response carries the new state, so the page is right even if its websocket missed it
    assert (first["state"]["owner"], first["state"]["agent_name"]) == ("agent", "Sam")
    client.force_login(kim)
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert "already taken" in response.json()["error"]
    assert response.json()["state"]["agent_name"] == "Sam"
    conversation.refresh_from_db()
    assert conversation.agent == sam


@pytest.mark.django_db
def test_reply_note_hand_back_and_resolve_through_the_console(client, make_agent, enqueued):
    conversation = Conversation.objects.create(owner=Conversation.Owner.QUEUE)
    client.force_login(make_agent())
    post = lambda name, **data: client.post(  # noqa: E731
        reverse(f"helpdesk:{name}", args=[conversation.pk]), data, HTTP_ACCEPT="application/json"
    )
    assert post("reply", text="hi").status_code == 409  # not claimed yet
    assert post("claim").status_code == 200
    assert post("reply", text="Hi, I'm Sam.").status_code == 200
    assert post("note", text="customer is upset").status_code == 200
    assert post("hand_back").status_code == 200
    assert Conversation.objects.get().owner == Conversation.Owner.BOT
    assert post("resolve").status_code == 409  # bot-owned: nothing for this agent to resolve
    assert post("claim").status_code == 200
    assert post("resolve").status_code == 200
    assert Conversation.objects.get().owner == Conversation.Owner.CLOSED
    roles = list(conversation.messages.values_list("role", flat=True))
    assert roles.count("agent") == 1
    assert roles.count("note") == 1


def test_agent_reply_reaches_shopper_live_and_notes_never_do(
    make_communicator, make_agent, enqueued, transactional_db
):
    agent = make_agent()

    async def scenario():
        from channels.db import database_sync_to_async

        comm = make_communicator()
        welcome = await hello(comm)
        conversation = await database_sync_to_async(Conversation.objects.get)(
            token=welcome["conversation_token"]
        )
        await comm.send_json_to({"type": "handoff"})
        await frames_until(comm, "state")
        await database_sync_to_async(chat.conversation_claim)(conversation_id=conversation.pk, agent=agent)
        await database_sync_to_async(chat.note_add)(
            conversation_id=conversation.pk, agent=agent, text="secret note"
        )
        await database_sync_to_async(chat.agent_message_send)(
            conversation_id=conversation.pk, agent=agent, text="Hi, Sam here"
        )
        frames = []
        while not any(f["type"] == "message" and f["role"] == "agent" for f in frames):
            frames.append(await comm.receive_json_from(timeout=5))
        await comm.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    agent_msg = next(f for f in frames if f["type"] == "message" and f["role"] == "agent")
    assert agent_msg["text"] == "Hi, Sam here"
    assert agent_msg["agent_name"] == "Sam"
    states = [f for f in frames if f["type"] == "state"]
    assert states[-1]["owner"] == "agent"
    assert states[-1]["agent_name"] == "Sam"
    assert not any("secret note" in str(f) for f in frames)


def _session_headers(client, user):
    client.force_login(user)
    return [
        (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
        (b"origin", b"http://testserver"),
    ]


def test_agent_socket_rejects_anonymous_and_gets_live_escalations(
    client, make_communicator, make_agent, enqueued, transactional_db
):
    agent = make_agent()
    headers = _session_headers(client, agent)

    async def scenario():
        from channels.db import database_sync_to_async

        anonymous = make_communicator(path="/ws/helpdesk/", origin=b"http://testserver")
        rejected = await anonymous.connect()
        console = make_communicator(path="/ws/helpdesk/", origin=None, headers=headers)
        connected, _ = await console.connect()
        snapshot = await console.receive_json_from()
        online = await database_sync_to_async(chat.selectors.agents_online)()
        conversation = await database_sync_to_async(Conversation.objects.create)()
        await database_sync_to_async(chat.conversation_escalate)(
            conversation_id=conversation.pk, reason="low_confidence"
        )
        frames = await frames_until(console, "escalation")
        await console.send_json_to({"type": "watch", "conversation_id": conversation.pk})
        frames += await frames_until(console, "watching")
        await database_sync_to_async(chat.note_add)(
            conversation_id=conversation.pk, agent=agent, text="note!"
        )
        frames += await frames_until(console, "message")
        await console.disconnect()
        offline = await database_sync_to_async(chat.selectors.agents_online)()
        return rejected, connected, snapshot, online, offline, frames

    rejected, connected, snapshot, online, offline, frames = async_to_sync(scenario)()
    assert rejected == (False, 4003)
    assert connected
    assert snapshot == {"type": "queue_snapshot", "items": []}
    assert online is True
    assert offline is False
    escalation = next(f for f in frames if f["type"] == "escalation")
    assert escalation["item"]["reason"] == "low_confidence"
    assert escalation["item"]["owner"] == "queue"
    assert frames[-1]["role"] == "note"
    assert frames[-1]["text"] == "note!"


def test_agent_socket_rejects_foreign_origin(client, make_communicator, make_agent, transactional_db):
    headers = _session_headers(client, make_agent())[:1] + [(b"origin", b"https://evil.example")]

    async def scenario():
        comm = make_communicator(path="/ws/helpdesk/", origin=None, headers=headers)
        result = await comm.connect()
        await comm.disconnect()
        return result

    connected, _ = async_to_sync(scenario)()
    assert connected is False
