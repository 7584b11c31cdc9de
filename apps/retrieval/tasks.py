"""Retrieval tasks: thin wrappers over services, on the "index" queue."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from apps.retrieval.services import index_refresh_exclusive

LOCK_RETRY_SECONDS = 10


@shared_task(bind=True, queue="index", acks_late=True, max_retries=30)
def index_refresh_task(self: Task, *, full: bool = False) -> dict[str, Any]:
    result = index_refresh_exclusive(full=full)
    if result is None:
        # Another refresh holds the lock and may have read the sources before the latest change:
        # run again after it rather than drop this one.
        raise self.retry(countdown=LOCK_RETRY_SECONDS)
    return result
