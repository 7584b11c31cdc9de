"""Ownership invariant, claim race, redelivery and faults.

The assistant is FAKED here (tests.conversations.fakes)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from apps.conversations import limits, services
from apps.conversations.models import Conversation, Message
from apps.conversations.tasks import reply_generate
from tests.conversations import fakes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agents():
    group = Group.objects.get_or_create(name="Support agent")[0]
    users = []
    for name in ("sam", "kim"):
        user = get_user_model().objects.create_user(name, password="pw-123456789", first_name=name.title())
        user.groups.add(group)
        users.append(user)
    return users


@pytest.fixture
def pushes(monkeypatch):
    """Every frame sent to a channel-layer group, by group (the real layer is used in test_consumers)."""
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(services, "group_push", lambda *, group, event: sent.append((group, event)))
    return sent


def shopper_says(conversation: Conversation, text: str, cid: str) -> Message:
    message, _ = services.message_receive(conversation_id=conversation.pk, text=text, client_msg_id=cid)
    return message


def to_shopper(pushes, conversation) -> list[dict]:
    return [e for g, e in pushes if g == f"conv.{conversation.pk}"]


def test_bot_answers_when_it_owns_the_conversation(enqueued, pushes):
    conversation = Conversation.objects.create()
    message = shopper_says(conversation, "size 10?", "a")
    reply = services.reply_compose(message_id=message.pk)
    assert reply is not None
    assert reply.role == Message.Role.ASSISTANT
    assert not reply.is_draft
    assert any(e["type"] == "token" for e in to_shopper(pushes, conversation))
    conversation.refresh_from_db()
    assert conversation.state == {"turns_seen": 1}
    assert conversation.intent == "size_availability_or_fit"


def test_bot_never_replies_while_an_agent_owns_the_conversation(enqueued, pushes, agents):
    # given an agent owns the conversation
    conversation = Conversation.objects.create()
    services.conversation_claim(conversation_id=conversation.pk, agent=agents[0])
    # when the shopper writes
    message = shopper_says(conversation, "size 10?", "b")
    # then no reply is even scheduled, and a stray task changes nothing
    assert enqueued == []
    assert message.reply_state == Message.ReplyState.NONE
    assert services.reply_compose(message_id=message.pk) is None
    assert not Message.objects.filter(role=Message.Role.ASSISTANT).exists()
    assert fakes.CALLS == []


def test_agent_claims_mid_reply_bot_answer_becomes_a_draft_and_is_not_sent(enqueued, pushes, agents):
    conversation = Conversation.objects.create()
    message = shopper_says(conversation, "size 10?", "c")
    pushes.clear()
    # the agent claims while the assistant is still thinking
    fakes.HOOK = lambda: services.conversation_claim(conversation_id=conversation.pk, agent=agents[0])
    draft = services.reply_compose(message_id=message.pk)
    assert draft is not None
    assert draft.is_draft
    shopper_frames = to_shopper(pushes, conversation)
    assert not any(e["type"] == "token" for e in shopper_frames)
    assert not any(e["type"] == "message" and e["role"] == "assistant" for e in shopper_frames)
    # the agents still see the draft with its trace
    agent_frames = [e for g, e in pushes if g == f"conv.{conversation.pk}.agents"]
    assert any(e.get("draft") and e["trace"]["intent"] for e in agent_frames if e["type"] == "message")
    conversation.refresh_from_db()
    assert conversation.owner == Conversation.Owner.AGENT
    assert conversation.state == {}


def test_claim_race_exactly_one_wins(agents):
    conversation = Conversation.objects.create(owner=Conversation.Owner.QUEUE)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def claim(agent):
        barrier.wait()
        try:
            services.conversation_claim(conversation_id=conversation.pk, agent=agent)
            results[agent.username] = "won"
        except services.OwnershipError:
            results[agent.username] = "lost"
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results.values()) == ["lost", "won"]
    conversation.refresh_from_db()
    winner = next(name for name, r in results.items() if r == "won")
    assert conversation.agent.username == winner
    assert Message.objects.filter(role=Message.Role.SYSTEM, text__contains="joined").count() == 1


def test_redelivered_task_does_not_reply_twice(enqueued, pushes):
    conversation = Conversation.objects.create()
    message = shopper_says(conversation, "hello", "d")
    reply_generate.apply(kwargs={"message_id": message.pk})
    reply_generate.apply(kwargs={"message_id": message.pk})  # late-ack redelivery
    assert Message.objects.filter(role=Message.Role.ASSISTANT).count() == 1
    assert len(fakes.CALLS) == 1


def test_reply_of_a_worker_killed_mid_reply_is_retaken_after_it_goes_stale(enqueued, pushes):
    conversation = Conversation.objects.create()
    message = shopper_says(conversation, "hello", "e")
    # a worker claimed it and died (no row written after the claim)
    Message.objects.filter(pk=message.pk).update(
        reply_state=Message.ReplyState.GENERATING, reply_claimed_at=timezone.now(), reply_attempts=1
    )
    assert services.reply_compose(message_id=message.pk) is None  # fresh claim: still someone's
    Message.objects.filter(pk=message.pk).update(reply_claimed_at=timezone.now() - timedelta(minutes=5))
    reply = services.reply_compose(message_id=message.pk)
    assert reply is not None
    assert reply.role == Message.Role.ASSISTANT


def test_reply_that_keeps_dying_goes_to_a_human_and_the_shopper_is_told(enqueued, pushes):
    conversation = Conversation.objects.create()
    message = shopper_says(conversation, "hello", "f")
    Message.objects.filter(pk=message.pk).update(
        reply_state=Message.ReplyState.GENERATING,
        reply_claimed_at=timezone.now() - timedelta(minutes=5),
        reply_attempts=3,
    )
    services.reply_compose(message_id=message.pk)
    conversation.refresh_from_db()
    assert conversation.owner == Conversation.Owner.QUEUE
    assert Message.objects.get(pk=message.pk).reply_state == Message.ReplyState.FAILED
    assert any(e["type"] == "message" and "trouble" in e["text"] for e in to_shopper(pushes, conversation))


def test_assistant_failure_retries_then_hands_to_a_human_not_silence(enqueued, pushes):
    # "boom" makes the fake assistant raise, as a dead LLM endpoint or a model crash would
    conversation = Conversation.objects.create()
    message = shopper_says(conversation, "boom", "g")
    reply_generate.apply(kwargs={"message_id": message.pk})
    assert len(fakes.CALLS) == 3  # first try plus two retries
    conversation.refresh_from_db()
    assert conversation.owner == Conversation.Owner.QUEUE
    assert conversation.escalation_reason.startswith("error")
    shopper_texts = [e["text"] for e in to_shopper(pushes, conversation) if e["type"] == "message"]
    assert any("Connecting you to a person" in t for t in shopper_texts)
    assert Message.objects.get(pk=message.pk).reply_state == Message.ReplyState.FAILED


def test_route_human_hands_off_and_notifies_the_agent_queue(enqueued, pushes):
    conversation = Conversation.objects.create()
    message = shopper_says(conversation, "I want a person", "h")
    reply = services.reply_compose(message_id=message.pk)
    conversation.refresh_from_db()
    assert conversation.owner == Conversation.Owner.QUEUE
    assert conversation.escalation_reason == "asked_for_human"
    # the handoff message reaches the shopper, the queue hears of the escalation
    assert any(e["type"] == "message" and e["id"] == reply.pk for e in to_shopper(pushes, conversation))
    escalations = [e for g, e in pushes if g == services.QUEUE_GROUP and e["type"] == "escalation"]
    assert escalations[0]["item"]["id"] == conversation.pk
    assert escalations[0]["item"]["reason"] == "asked_for_human"
    # and while it waits for a person, the bot stays quiet
    waiting = shopper_says(conversation, "hello?", "i")
    assert waiting.reply_state == Message.ReplyState.NONE
    assert enqueued == [message.pk]


def test_after_hours_notice_only_when_no_agent_is_online(enqueued, pushes):
    online = Conversation.objects.create()
    limits.presence_touch(channel_name="test-console-1", ttl_seconds=30)
    try:
        services.conversation_escalate(conversation_id=online.pk, reason="asked_for_human")
    finally:
        limits.presence_leave(channel_name="test-console-1")
    offline = Conversation.objects.create()
    services.conversation_escalate(conversation_id=offline.pk, reason="asked_for_human")
    assert not online.messages.filter(meta__contains={"after_hours": True}).exists()
    assert offline.messages.filter(meta__contains={"after_hours": True}).exists()


def test_resolve_then_a_new_question_goes_to_the_bot_without_a_handoff_loop(enqueued, pushes, agents):
    conversation = Conversation.objects.create(owner=Conversation.Owner.QUEUE)
    services.conversation_claim(conversation_id=conversation.pk, agent=agents[0])
    services.conversation_resolve(conversation_id=conversation.pk, agent=agents[0])
    assert services.csat_record(conversation_id=conversation.pk, score=5)
    assert not services.csat_record(conversation_id=conversation.pk, score=9)
    message = shopper_says(conversation, "one more thing", "j")
    conversation.refresh_from_db()
    assert conversation.owner == Conversation.Owner.BOT
    assert conversation.agent is None
    assert conversation.csat == 5
    assert enqueued == [message.pk]


def test_hand_back_only_by_the_owning_agent(enqueued, pushes, agents):
    sam, kim = agents
    conversation = Conversation.objects.create(owner=Conversation.Owner.QUEUE)
    services.conversation_claim(conversation_id=conversation.pk, agent=sam)
    with pytest.raises(services.OwnershipError):
        services.conversation_hand_back(conversation_id=conversation.pk, agent=kim)
    with pytest.raises(services.OwnershipError):
        services.agent_message_send(conversation_id=conversation.pk, agent=kim, text="hi")
    services.conversation_hand_back(conversation_id=conversation.pk, agent=sam)
    conversation.refresh_from_db()
    assert conversation.owner == Conversation.Owner.BOT
    message = shopper_says(conversation, "size 10?", "k")
    assert enqueued == [message.pk]
