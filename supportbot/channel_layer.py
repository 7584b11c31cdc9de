"""The Redis channel layer, with a blocking pop that ends well inside redis-py's read timeout.

channels_redis waits 5 s in BZPOPMIN per receive; redis-py 8 gives every read a 5 s socket
timeout by default. With the two equal, an idle websocket's receive loop raced the timeout and
crashed the connection every few seconds. A shorter pop keeps the default read timeout (which
is what makes a vanished Redis server noticed quickly, so clients reconnect).
"""

from channels_redis.core import RedisChannelLayer


class ChannelLayer(RedisChannelLayer):
    brpop_timeout = 3
