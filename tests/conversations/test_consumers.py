"""ChatConsumer over the real Valkey channel layer (the assistant is FAKED: tests.conversations.fakes)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync

from apps.conversations import services
from apps.conversations.models import Conversation, Message

pytestmark = pytest.mark.django_db(transaction=True)


async def frames_until(comm, kind: str, wait: float = 5) -> list[dict]:
    """Every frame received up to and including the first of type ``kind``."""
    seen = []
    while True:
        frame = await comm.receive_json_from(timeout=wait)
        seen.append(frame)
        if frame["type"] == kind:
            return seen


async def hello(comm, token: str | None = None) -> dict:
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "hello", "conversation_token": token})
    return (await frames_until(comm, "welcome"))[-1]


def test_hello_creates_conversation_and_resume_reloads_history(make_communicator, enqueued):
    async def scenario():
        # given a first visit
        comm = make_communicator()
        welcome = await hello(comm)
        await comm.send_json_to({"type": "message", "client_msg_id": "m1", "text": "hi <b>there</b>"})
        ack = (await frames_until(comm, "ack"))[-1]
        await comm.disconnect()
        # when the page reloads with the stored token
        comm2 = make_communicator()
        welcome2 = await hello(comm2, token=welcome["conversation_token"])
        await comm2.disconnect()
        return welcome, ack, welcome2

    welcome, ack, welcome2 = async_to_sync(scenario)()
    # then the same conversation comes back with its history, text untouched
    assert welcome["history"] == []
    assert welcome["state"]["owner"] == "bot"
    assert welcome2["conversation_token"] == welcome["conversation_token"]
    assert [m["text"] for m in welcome2["history"]] == ["hi <b>there</b>"]
    assert ack["message_id"] == welcome2["history"][0]["id"]
    assert enqueued == [ack["message_id"]]


def test_unknown_token_starts_a_new_conversation(make_communicator):
    async def scenario():
        comm = make_communicator()
        welcome = await hello(comm, token="not-a-real-token")
        await comm.disconnect()
        return welcome

    welcome = async_to_sync(scenario)()
    assert welcome["conversation_token"] != "not-a-real-token"
    assert Conversation.objects.filter(token=welcome["conversation_token"]).exists()


def test_ack_only_after_message_is_in_postgres_and_reply_enqueued_after_commit(make_communicator, enqueued):
    async def scenario():
        comm = make_communicator()
        await hello(comm)
        await comm.send_json_to({"type": "message", "client_msg_id": "abc", "text": "Do you have size 10?"})
        ack = (await frames_until(comm, "ack"))[-1]
        await comm.disconnect()
        return ack

    ack = async_to_sync(scenario)()
    message = Message.objects.get(pk=ack["message_id"])
    assert message.text == "Do you have size 10?"
    assert message.client_msg_id == "abc"
    assert message.reply_state == Message.ReplyState.PENDING
    assert ack["client_msg_id"] == "abc"
    assert ack["duplicate"] is False
    assert enqueued == [message.pk]


def test_resend_same_client_msg_id_returns_same_ack_and_no_second_reply(make_communicator, enqueued):
    async def scenario():
        comm = make_communicator()
        welcome = await hello(comm)
        await comm.send_json_to({"type": "message", "client_msg_id": "dup-1", "text": "where is my order"})
        first = (await frames_until(comm, "ack"))[-1]
        await comm.disconnect()
        # a reconnecting widget resends what it thinks was not acknowledged
        comm2 = make_communicator()
        await hello(comm2, token=welcome["conversation_token"])
        await comm2.send_json_to({"type": "message", "client_msg_id": "dup-1", "text": "where is my order"})
        second = (await frames_until(comm2, "ack"))[-1]
        await comm2.disconnect()
        return first, second

    first, second = async_to_sync(scenario)()
    assert second["message_id"] == first["message_id"]
    assert second["duplicate"] is True
    assert Message.objects.filter(client_msg_id="dup-1").count() == 1
    # a resend of a still-unanswered message enqueues again (the first enqueue may have failed),
    # yet the tasks together produce exactly one reply
    assert set(enqueued) == {first["message_id"]}
    for message_id in enqueued:
        services.reply_compose(message_id=message_id)
    assert Message.objects.filter(role=Message.Role.ASSISTANT).count() == 1


def test_oversized_frame_gets_error_frame_and_connection_survives(make_communicator, enqueued):
    async def scenario():
        comm = make_communicator()
        await hello(comm)
        await comm.send_to(
            text_data=json.dumps({"type": "message", "client_msg_id": "big", "text": "x" * 5000})
        )
        error = await comm.receive_json_from()
        await comm.send_json_to({"type": "ping"})
        pong = await comm.receive_json_from()
        await comm.disconnect()
        return error, pong

    error, pong = async_to_sync(scenario)()
    assert error["type"] == "error"
    assert error["code"] == "too_large"
    assert pong == {"type": "pong"}
    assert not Message.objects.filter(client_msg_id="big").exists()
    assert enqueued == []


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "malformed"),
        ("[1, 2, 3]", "malformed"),
        ('{"type": 5}', "malformed"),
        ('{"type": "launch_missiles"}', "unknown_type"),
        ('{"type": "message", "client_msg_id": "x", "text": "hi"}', "hello_required"),
    ],
)
def test_bad_frames_get_error_frames_never_a_crash(make_communicator, frame, code):
    async def scenario():
        comm = make_communicator()
        connected, _ = await comm.connect()
        assert connected
        await comm.send_to(text_data=frame)
        error = await comm.receive_json_from()
        await comm.send_to(bytes_data=b"\x00\x01")
        binary_error = await comm.receive_json_from()
        await comm.send_json_to({"type": "ping"})
        pong = await comm.receive_json_from()
        await comm.disconnect()
        return error, binary_error, pong

    error, binary_error, pong = async_to_sync(scenario)()
    assert (error["type"], error["code"]) == ("error", code)
    assert binary_error["code"] == "unsupported"
    assert pong["type"] == "pong"


@pytest.mark.parametrize("origin", [b"https://evil.example", None])
def test_foreign_or_missing_origin_is_rejected(make_communicator, origin):
    async def scenario():
        comm = make_communicator(origin=origin)
        result = await comm.connect()
        await comm.disconnect()
        return result

    connected, code = async_to_sync(scenario)()
    assert connected is False
    assert code == 4003


def test_rate_limit_per_connection(settings, make_communicator, enqueued):
    settings.CHAT_RATE_CONN = (3, 0.01)

    async def scenario():
        comm = make_communicator()
        await hello(comm)  # the hello takes one token
        results = []
        for i in range(4):
            await comm.send_json_to({"type": "message", "client_msg_id": f"r{i}", "text": "hi"})
            frame = await comm.receive_json_from()
            while frame["type"] == "message":  # the echo of an accepted message to the group
                frame = await comm.receive_json_from()
            results.append(frame)
        await comm.disconnect()
        return results

    results = async_to_sync(scenario)()
    kinds = [(f["type"], f.get("code")) for f in results]
    assert kinds[:2] == [("ack", None), ("ack", None)]
    assert kinds[2:] == [("error", "rate_limited"), ("error", "rate_limited")]
    assert results[2]["client_msg_id"] == "r2"
    assert len(enqueued) == 2


def test_rate_limit_per_ip_spans_connections(settings, make_communicator, enqueued):
    settings.CHAT_RATE_IP = (3, 0.01)

    async def scenario():
        first = make_communicator(ip="192.0.2.77")
        second = make_communicator(ip="192.0.2.77")
        await hello(first)
        await hello(second)
        await first.send_json_to({"type": "message", "client_msg_id": "a", "text": "hi"})
        a = await first.receive_json_from()
        await second.send_json_to({"type": "message", "client_msg_id": "b", "text": "hi"})
        b = await second.receive_json_from()
        await first.disconnect()
        await second.disconnect()
        return a, b

    from django.core.cache import cache

    cache._cache.get_client(write=True).delete("supportbot:rl:ip:192.0.2.77")
    a, b = async_to_sync(scenario)()
    assert a["type"] == "ack"
    assert (b["type"], b["code"]) == ("error", "rate_limited")


def test_shopper_sees_streamed_tokens_then_the_stored_answer_with_citations(make_communicator, worker):
    from apps.catalog.models import Product

    Product.objects.create(external_id="trail-runner", name="Trail Runner")

    async def scenario():
        comm = make_communicator()
        await hello(comm)
        await comm.send_json_to({"type": "message", "client_msg_id": "s1", "text": "Is size 10 in stock?"})
        frames = await frames_until(comm, "ack")
        while not any(f["type"] == "message" and f["role"] == "assistant" for f in frames):
            frames.append(await comm.receive_json_from(timeout=10))
        await comm.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    tokens = [f["text"] for f in frames if f["type"] == "token"]
    final = next(f for f in frames if f["type"] == "message" and f["role"] == "assistant")
    assert len(tokens) > 5
    assert "".join(tokens).strip() == final["text"]
    # cited items are links to their pages, labelled by title when the store has them
    assert final["citations"] == [
        {"label": "Trail Runner", "href": "/kb/product/trail-runner/"},
        {"label": "faq-sizing", "href": "/kb/faq/faq-sizing/"},
    ]
    assert "Talk to a person" in final["quick_replies"]
    assert "trace" not in final  # traces are for agents, never for shoppers
    stored = Message.objects.get(pk=final["id"])
    assert stored.trace["intent"] == "size_availability_or_fit"
    assert Message.objects.get(client_msg_id="s1").reply_state == Message.ReplyState.DONE


def test_talk_to_a_person_button_escalates_and_tells_the_shopper(make_communicator, enqueued):
    async def scenario():
        comm = make_communicator()
        await hello(comm)
        await comm.send_json_to({"type": "handoff"})
        frames = await frames_until(comm, "state")
        while not any(f["type"] == "message" and "online" in f["text"] for f in frames):
            frames.append(await comm.receive_json_from())
        await comm.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    state = next(f for f in frames if f["type"] == "state")
    texts = [f["text"] for f in frames if f["type"] == "message"]
    assert state["owner"] == "queue"
    assert state["agents_online"] is False  # no console connected: after-hours capture
    assert any("Connecting you to a person" in t for t in texts)
    conversation = Conversation.objects.get()
    assert conversation.owner == Conversation.Owner.QUEUE
    assert conversation.escalation_reason == "asked_for_human"


def test_after_hours_email_is_stored(make_communicator):
    async def scenario():
        comm = make_communicator()
        await hello(comm)
        await comm.send_json_to({"type": "handoff"})
        await comm.send_json_to({"type": "contact_email", "email": "not an email"})
        frames = await frames_until(comm, "error")
        await comm.send_json_to({"type": "contact_email", "email": "ana@example.com"})
        frames += await frames_until(comm, "message")
        await comm.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    assert any(f.get("code") == "bad_email" for f in frames)
    assert Conversation.objects.get().contact_email == "ana@example.com"


def test_an_idle_socket_outlives_the_redis_read_timeout(make_communicator):
    """redis-py's 5 s read timeout once raced channels_redis's 5 s blocking pop and dropped idle
    sockets; an idle shopper must still get what the worker pushes much later."""
    from channels.layers import get_channel_layer

    async def scenario():
        comm = make_communicator()
        welcome = await hello(comm)
        conversation_id = welcome["state"]["conversation_id"]
        # given a shopper who says nothing for longer than the read timeout
        await comm.receive_nothing(timeout=12, interval=0.5)
        # when the worker pushes an event to the conversation's group
        await get_channel_layer().group_send(
            f"conv.{conversation_id}", {"type": "chat.event", "event": {"type": "typing"}}
        )
        frame = await comm.receive_json_from(timeout=5)
        await comm.disconnect()
        return frame

    # then it arrives on the same, still open socket
    assert async_to_sync(scenario)() == {"type": "typing"}


def test_a_failed_hello_closes_the_socket_so_the_widget_reconnects(make_communicator, monkeypatch):
    # given a server that cannot open the conversation right now (e.g. Redis restarting)
    def unavailable(**kwargs):
        raise ConnectionError("redis is restarting")

    monkeypatch.setattr(services, "conversation_open", unavailable)

    async def scenario():
        comm = make_communicator()
        connected, _ = await comm.connect()
        assert connected
        await comm.send_json_to({"type": "hello"})
        error = await comm.receive_json_from(timeout=5)
        closed = await comm.receive_output(timeout=5)
        return error, closed

    error, closed = async_to_sync(scenario)()
    # then the shopper is told, and the socket is closed for a retry rather than left useless
    assert (error["type"], error["code"]) == ("error", "server_error")
    assert closed == {"type": "websocket.close", "code": 1013}


@pytest.mark.parametrize(
    ("origin", "host", "accepted"),
    [
        (b"http://127.0.0.1:8123", b"127.0.0.1:8123", True),  # the server's own page, any port
        (b"http://evil.example", b"evil.example", False),  # same origin, but not an allowed host
        (b"http://127.0.0.1:9999", b"127.0.0.1:8123", False),  # another port is another origin
    ],
)
def test_pages_served_by_this_server_may_open_the_widget(make_communicator, origin, host, accepted):
    async def scenario():
        comm = make_communicator(origin=origin, headers=[(b"host", host)])
        result = await comm.connect()
        await comm.disconnect()
        return result

    connected, _code = async_to_sync(scenario)()
    assert connected is accepted
