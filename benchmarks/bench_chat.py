"""Chat transport benchmark on loopback: time to first token and lost messages for 1, 10 and 50
concurrent shoppers, then 1,000 idle websockets on one Daphne process (memory, CPU).

It runs a real Daphne process and a real Celery chat worker on a scratch database, with the
FAKE assistant (tests.conversations.fakes; FAKE_TOKEN_DELAY seconds per word) so the figures are
the platform's own overhead (websocket, Postgres, broker, channel layer), not the model's.
Bounded: every wait has a timeout, and the scratch database is dropped at the end.

    .venv/bin/python -m benchmarks.bench_chat [--out benchmarks/results/chat.json]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")


class WS:
    """A minimal websocket client (RFC 6455 text frames), enough for a load test."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int, origin: str, local_ip: str) -> WS:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(local_ip, 0))
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /ws/chat/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {origin}\r\n\r\n"
            ).encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head.split(b"\r\n", 1)[0].decode())
        return cls(reader, writer)

    async def send(self, obj: dict) -> None:
        data = json.dumps(obj).encode()
        mask = os.urandom(4)
        n = len(data)
        header = bytearray([0x81])
        if n < 126:
            header.append(0x80 | n)
        else:
            header.append(0x80 | 126)
            header += n.to_bytes(2, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.writer.write(bytes(header) + mask + masked)
        await self.writer.drain()

    async def recv(self) -> dict:
        while True:
            b1, b2 = await self.reader.readexactly(2)
            n = b2 & 0x7F
            if n == 126:
                n = int.from_bytes(await self.reader.readexactly(2), "big")
            elif n == 127:
                n = int.from_bytes(await self.reader.readexactly(8), "big")
            data = await self.reader.readexactly(n)
            if b1 & 0x0F == 1:
                return json.loads(data)
            if b1 & 0x0F == 8:
                raise ConnectionError("closed by server")

    def close(self) -> None:
        self.writer.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def shopper(port: int, origin: str, ip: str, questions: int, limit_s: float) -> dict:
    reconnects = 0
    while True:  # as the widget does: reconnect with backoff when a handshake fails
        try:
            ws = await WS.connect(port, origin, ip)
            await ws.send({"type": "hello"})
            while (await ws.recv())["type"] != "welcome":
                pass
            break
        except (OSError, asyncio.IncompleteReadError):
            reconnects += 1
            if reconnects > 5:
                return {"ttft": [], "total": [], "lost": questions, "reconnects": reconnects}
            await asyncio.sleep(0.5 * 2**reconnects)
    ttft, totals, lost = [], [], 0
    for i in range(questions):
        cid = uuid.uuid4().hex
        sent = time.perf_counter()
        await ws.send({"type": "message", "client_msg_id": cid, "text": f"Is size {9 + i} in stock?"})
        first = None
        try:
            async with asyncio.timeout(limit_s):
                while True:
                    frame = await ws.recv()
                    if frame["type"] == "token" and first is None:
                        first = time.perf_counter() - sent
                    if frame["type"] == "message" and frame["role"] == "assistant":
                        totals.append(time.perf_counter() - sent)
                        ttft.append(first if first is not None else totals[-1])
                        break
        except TimeoutError:
            lost += 1
    ws.close()
    return {"ttft": ttft, "total": totals, "lost": lost, "reconnects": reconnects}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def run_load(port: int, origin: str, concurrency: int, questions: int) -> dict:
    started = time.perf_counter()
    results = await asyncio.gather(
        *[
            shopper(port, origin, f"127.0.{i // 250}.{i % 250 + 2}", questions, 120)
            for i in range(concurrency)
        ]
    )
    wall = time.perf_counter() - started
    ttft = [t for r in results for t in r["ttft"]]
    total = [t for r in results for t in r["total"]]
    return {
        "shoppers": concurrency,
        "messages": concurrency * questions,
        "answered": len(total),
        "lost": sum(r["lost"] for r in results),
        "handshake_retries": sum(r["reconnects"] for r in results),
        "ttft_ms_p50": round(statistics.median(ttft) * 1000, 1) if ttft else None,
        "ttft_ms_p95": round(pct(ttft, 95) * 1000, 1),
        "reply_ms_p50": round(statistics.median(total) * 1000, 1) if total else None,
        "replies_per_minute": round(len(total) / wall * 60, 1),
        "wall_s": round(wall, 1),
    }


async def run_idle(port: int, origin: str, n: int, daphne_pid: int) -> dict:
    import psutil

    proc = psutil.Process(daphne_pid)
    rss_before = proc.memory_info().rss
    sockets, failed = [], 0

    async def open_one(i: int) -> WS | None:
        try:
            ws = await WS.connect(port, origin, f"127.1.{i // 200}.{i % 200 + 2}")
            await ws.send({"type": "hello"})
            async with asyncio.timeout(30):
                while (await ws.recv())["type"] != "welcome":
                    pass
            return ws
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            return None

    # Ramp up in batches of 50, as real traffic arrives, rather than 1,000 handshakes at once.
    for start in range(0, n, 50):
        batch = await asyncio.gather(*[open_one(i) for i in range(start, min(n, start + 50))])
        sockets += [ws for ws in batch if ws is not None]
        failed += sum(ws is None for ws in batch)
    proc.cpu_percent(None)
    await asyncio.sleep(10)
    cpu = proc.cpu_percent(None)
    rss_after = proc.memory_info().rss
    for ws in sockets:
        ws.close()
    return {
        "idle_websockets": len(sockets),
        "failed_to_open": failed,
        "daphne_rss_mb_before": round(rss_before / 2**20, 1),
        "daphne_rss_mb_with_idle": round(rss_after / 2**20, 1),
        "kb_per_socket": round((rss_after - rss_before) / n / 1024, 1),
        "daphne_cpu_percent_idle_10s": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "chat.json"))
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--token-delay", default="0.02")
    args = parser.parse_args()

    django.setup()
    import psycopg
    from django.conf import settings

    name = f"bench_chat_{os.getpid()}"
    parts = urlsplit(settings.DATABASE_URL)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    port = _free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path="/" + name)),
        "REDIS_URL": settings.REDIS_URL,
        "ASSISTANT_REPLY": "tests.conversations.fakes.fake_reply",
        "FAKE_TOKEN_DELAY": args.token_delay,
        "WIDGET_ALLOWED_ORIGINS": origin,
        "PYTHONPATH": str(ROOT),
    }
    procs: list[subprocess.Popen] = []
    report: dict = {"assistant": "FAKE (tests.conversations.fakes)", "token_delay_s": float(args.token_delay)}
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        logs = ROOT / "benchmarks" / "results"
        logs.mkdir(parents=True, exist_ok=True)
        procs.append(
            subprocess.Popen(
                [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port),
                 "--websocket_connect_timeout", "30", "supportbot.asgi:application"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                stderr=open(logs / "chat-daphne.log", "w"),  # noqa: SIM115
            )
        )  # fmt: skip
        procs.append(
            subprocess.Popen(
                [str(BIN / "celery"), "-A", "supportbot", "worker", "-Q", "chat", "-P", "solo",
                 "-l", "warning", "-n", f"bench-{port}@%h", "--without-gossip", "--without-mingle"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                stderr=open(logs / "chat-worker.log", "w"),  # noqa: SIM115
            )
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("daphne did not start")
            time.sleep(0.2)
        time.sleep(3)  # the worker connects to the broker
        report["load"] = []
        for concurrency in (1, 10, 50):
            row = asyncio.run(run_load(port, origin, concurrency, args.questions))
            print(json.dumps(row), flush=True)
            report["load"].append(row)
        report["idle"] = asyncio.run(run_idle(port, origin, args.idle, procs[0].pid))
        print(json.dumps(report["idle"]), flush=True)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
