"""Which Celery workers warm the models at start: those serving the chat queue, nothing else.

The warm-up itself is replaced by a recorder here (tests/assistant/test_warmup.py runs it)."""

from __future__ import annotations

import pytest

from supportbot import celery as celery_app


@pytest.mark.parametrize(
    ("queues", "warms"),
    [
        (["chat"], True),
        ("chat", True),
        ("index,chat", True),
        (["index", "training"], False),
        (None, False),
    ],
)
def test_only_chat_workers_warm_up(monkeypatch, queues, warms):
    calls = []
    monkeypatch.setattr("apps.assistant.warmup.warm_up", lambda: calls.append("warm"))
    monkeypatch.setitem(celery_app._warm, "chat", False)
    celery_app._note_queues(options={"queues": queues})
    celery_app._warm_chat_worker()
    assert calls == (["warm"] if warms else [])
