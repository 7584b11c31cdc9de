"""Per-app settings with defaults (override any of them in Django settings)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Largest websocket frame a widget may send, in bytes of UTF-8 text.
    "CHAT_MAX_FRAME_BYTES": 4096,
    # Longest shopper message kept, in characters.
    "CHAT_MAX_MESSAGE_CHARS": 2000,
    # Token buckets (burst, refill per second): one per connection, one per client IP over all
    # web processes (kept in Redis so two Daphne processes share it).
    "CHAT_RATE_CONN": (8, 1.0),
    "CHAT_RATE_IP": (30, 2.0),
    # A reply claimed longer ago than this is presumed dead (worker killed) and may be retaken.
    # Keep it below the broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT, 120 s), after
    # which the unacknowledged task is redelivered.
    "CHAT_REPLY_STALE_SECONDS": int(os.environ.get("CHAT_REPLY_STALE_SECONDS", "60")),
    # After this many attempts at one reply, the conversation goes to a human instead.
    "CHAT_REPLY_MAX_ATTEMPTS": 3,
    # An agent console that has not pinged for this long no longer counts as online.
    "HELPDESK_PRESENCE_TTL_SECONDS": 60,
}


def conf(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
