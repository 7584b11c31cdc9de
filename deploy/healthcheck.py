"""Container health checks for the Supportbot processes (compose healthcheck, Kubernetes exec probe).

    python deploy/healthcheck.py web [PORT]       GET /helpdesk/login/ on this Daphne; 200 = healthy
    python deploy/healthcheck.py worker NAME      Celery remote-control ping of NAME@<this hostname>

The web check sends a Host header taken from ALLOWED_HOSTS: Django answers 400 to any other host,
so probing with the container's own address would report a healthy process as broken. The worker
check asks the worker itself over the broker, so a worker that lost Redis reports unhealthy too.
Standard library only for the web check: it runs every few seconds and must stay cheap.
"""

from __future__ import annotations

import http.client
import os
import socket
import sys


def _probe_host() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "localhost").split(","):
        host = host.strip()
        if not host or host == "*":
            continue
        # ".example.com" allows example.com and its subdomains.
        return host.lstrip(".")
    return "localhost"


def web(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/helpdesk/login/", headers={"Host": _probe_host()})
        status = conn.getresponse().status
    except OSError as exc:
        print(f"web unhealthy: {exc}")
        return 1
    finally:
        conn.close()
    if status != 200:
        print(f"web unhealthy: HTTP {status}")
        return 1
    return 0


def worker(name: str) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from supportbot.celery import app

    node = f"{name}@{socket.gethostname()}"
    replies = app.control.ping(destination=[node], timeout=5.0)
    if not any(node in reply for reply in replies):
        print(f"worker unhealthy: no pong from {node}")
        return 1
    return 0


def main(argv: list[str]) -> int:
    if len(argv) >= 1 and argv[0] == "web":
        return web(int(argv[1]) if len(argv) > 1 else 8000)
    if len(argv) == 2 and argv[0] == "worker":
        return worker(argv[1])
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
