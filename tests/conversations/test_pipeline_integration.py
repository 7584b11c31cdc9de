"""The chat worker's one call into the real assistant pipeline (with the FAKE SLM and embedder
from apps.inference, so no model is loaded): the reply, its trace and the state are stored."""

from __future__ import annotations

import pytest

from apps.conversations import services
from apps.conversations.models import Conversation, Message


@pytest.mark.django_db
def test_reply_compose_calls_the_real_pipeline(settings, enqueued, monkeypatch):
    settings.ASSISTANT_REPLY = "apps.assistant.pipeline.reply"
    settings.SLM_BACKEND = "apps.inference.backends.FakeSLM"
    settings.EMBEDDING_BACKEND = "apps.inference.embeddings.FakeEmbedder"
    monkeypatch.setattr(services, "group_push", lambda **kwargs: None)
    from apps.inference import backends, embeddings

    for cached in (getattr(backends, "slm", None), getattr(embeddings, "embedder", None)):
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()  # pick up the fake backends set above
    conversation = Conversation.objects.create()
    message, _ = services.message_receive(
        conversation_id=conversation.pk, text="hi there", client_msg_id="p1"
    )
    reply = services.reply_compose(message_id=message.pk)
    assert reply is not None
    assert reply.role == Message.Role.ASSISTANT
    assert reply.trace["route"] in {"slm", "llm", "human", "clarify"}
    assert 0 <= reply.trace["confidence"] <= 1
    assert Message.objects.get(pk=message.pk).reply_state == Message.ReplyState.DONE
