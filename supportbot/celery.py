"""The Celery app: queues ``chat`` (holds the SLM), ``index`` and ``training``."""

import os

from celery import Celery
from celery.signals import celeryd_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")

app = Celery("supportbot")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


_warm = {"chat": False}


@celeryd_init.connect
def _note_queues(options: dict | None = None, **_: object) -> None:
    """Before the pool forks: does this worker serve the chat queue (``-Q chat``)?"""
    queues = (options or {}).get("queues") or ()
    if isinstance(queues, str):
        queues = queues.split(",")
    _warm["chat"] = "chat" in {q.strip() for q in queues}


@worker_process_init.connect
def _warm_chat_worker(**_: object) -> None:
    """Each chat worker process loads and warms its models before its first task (a replaced
    process too), so no shopper waits for a cold model."""
    if not _warm["chat"]:
        return
    from django.db import connections

    from apps.assistant.warmup import warm_up

    warm_up()
    connections.close_all()  # the warm-up's connection belongs to no task
