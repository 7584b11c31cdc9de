"""Celery tasks of the chat queue: ids in, one service call; retries live here."""

from __future__ import annotations

from celery import Task, shared_task

from apps.conversations import services


@shared_task(bind=True, acks_late=True, max_retries=2, queue="chat", reject_on_worker_lost=True)
def reply_generate(self: Task, *, message_id: int) -> None:
    try:
        services.reply_compose(message_id=message_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            # Out of retries: a person takes over and the shopper is told, never silence.
            services.reply_give_up(message_id=message_id, reason=f"error: {type(exc).__name__}")
            return
        raise self.retry(exc=exc, countdown=1 + self.request.retries) from exc
