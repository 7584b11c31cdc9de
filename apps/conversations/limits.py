"""Redis-backed rate limits and agent presence, shared by every web process."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache

# Token bucket, atomic in Redis: refill by elapsed time, take one token if there is one.
_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local data = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(data[1]) or burst
local ts = tonumber(data[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 2)
return allowed
"""

PRESENCE_KEY = "supportbot:helpdesk:agents_online"


def _redis() -> Any:
    # The cache's own client: same Redis, same connection pool, no extra settings.
    return cache._cache.get_client(write=True)  # type: ignore[attr-defined]


def rate_allow(*, key: str, burst: int, per_second: float) -> bool:
    """Take one token from the bucket ``key``; False when it is empty."""
    client = _redis()
    allowed = client.eval(_BUCKET_LUA, 1, f"supportbot:rl:{key}", per_second, burst, time.time())
    return bool(int(allowed))


def presence_touch(*, channel_name: str, ttl_seconds: int) -> None:
    _redis().zadd(PRESENCE_KEY, {channel_name: time.time() + ttl_seconds})


def presence_leave(*, channel_name: str) -> None:
    _redis().zrem(PRESENCE_KEY, channel_name)


def presence_count() -> int:
    client = _redis()
    # Consoles that died without a disconnect age out instead of counting forever.
    client.zremrangebyscore(PRESENCE_KEY, "-inf", time.time())
    return int(client.zcard(PRESENCE_KEY))
