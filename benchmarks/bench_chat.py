"""Chat transport benchmark on loopback: time to first token and lost messages for 1, 10 and 50
concurrent shoppers, then 1,000 idle websockets on one Daphne process (memory, CPU).

It runs a real Daphne process and a real Celery chat worker on a scratch database. With
``--assistant fake`` (default) the FAKE assistant (tests.conversations.fakes; FAKE_TOKEN_DELAY seconds
per word) answers, so the figures are the platform's own overhead (websocket, Postgres, broker,
channel layer), not the model's. With ``--assistant real`` the real pipeline answers
(settings.ASSISTANT_REPLY default, the real SLM and embedder): the scratch database gets the demo
store (seed_demo + index_knowledge), the worker is warmed with one untimed message, and shoppers ask
demo-store questions picked from that database (size availability, order status as number then
email, FAQ). The LLM tier is switched off (LLM_BASE_URL emptied): loopback only, SLM figures.
Bounded: every wait has a timeout, and the scratch database is dropped at the end.

    .venv/bin/python -m benchmarks.bench_chat [--assistant fake|real] [--shoppers 1,10,50]
        [--questions 3] [--idle 1000 (0 skips the idle phase)] [--out benchmarks/results/chat.json]
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


async def shopper(
    port: int,
    origin: str,
    ip: str,
    questions: int,
    limit_s: float,
    script: list[tuple[str, list[str]]] | None = None,
) -> dict:
    """One shopper. Without a script: ``questions`` fake-path questions in one conversation. With a
    script: one new conversation per (kind, messages) item, each message timed on its own."""
    if script is None:
        script = [("fake", [f"Is size {9 + i} in stock?" for i in range(questions)])]
        fresh_conversations = False
    else:
        fresh_conversations = True
    expected = sum(len(texts) for _, texts in script)
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
                return {"ttft": [], "total": [], "lost": expected, "reconnects": reconnects, "kinds": []}
            await asyncio.sleep(0.5 * 2**reconnects)
    ttft, totals, kinds, lost = [], [], [], 0
    for n, (kind, texts) in enumerate(script):
        if fresh_conversations and n > 0:
            # A hello without a token opens a new conversation on the same socket: one question's
            # state (or a handoff) never leaks into the next.
            try:
                async with asyncio.timeout(limit_s):
                    await ws.send({"type": "hello"})
                    while (await ws.recv())["type"] != "welcome":
                        pass
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                lost += sum(len(t) for _, t in script[n:])
                break
        for text in texts:
            cid = uuid.uuid4().hex
            sent = time.perf_counter()
            await ws.send({"type": "message", "client_msg_id": cid, "text": text})
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
                            kinds.append(kind)
                            break
            except TimeoutError:
                lost += 1
    ws.close()
    return {"ttft": ttft, "total": totals, "lost": lost, "reconnects": reconnects, "kinds": kinds}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def run_load(
    port: int,
    origin: str,
    concurrency: int,
    questions: int,
    limit_s: float = 120,
    scripts: list[list[tuple[str, list[str]]]] | None = None,
) -> dict:
    started = time.perf_counter()
    results = await asyncio.gather(
        *[
            shopper(
                port,
                origin,
                f"127.0.{i // 250}.{i % 250 + 2}",
                questions,
                limit_s,
                scripts[i] if scripts else None,
            )
            for i in range(concurrency)
        ]
    )
    wall = time.perf_counter() - started
    ttft = [t for r in results for t in r["ttft"]]
    total = [t for r in results for t in r["total"]]
    messages = (
        sum(len(texts) for script in scripts for _, texts in script) if scripts else concurrency * questions
    )
    row = {
        "shoppers": concurrency,
        "messages": messages,
        "answered": len(total),
        "lost": sum(r["lost"] for r in results),
        "handshake_retries": sum(r["reconnects"] for r in results),
        "ttft_ms_p50": round(statistics.median(ttft) * 1000, 1) if ttft else None,
        "ttft_ms_p95": round(pct(ttft, 95) * 1000, 1),
        "reply_ms_p50": round(statistics.median(total) * 1000, 1) if total else None,
        "replies_per_minute": round(len(total) / wall * 60, 1),
        "wall_s": round(wall, 1),
    }
    if scripts:
        by_kind: dict[str, list[float]] = {}
        for r in results:
            for kind, t in zip(r["kinds"], r["total"], strict=True):
                by_kind.setdefault(kind, []).append(t)
        row["reply_ms_p50_by_kind"] = {
            kind: round(statistics.median(ts) * 1000, 1) for kind, ts in sorted(by_kind.items())
        }
        row["reply_ms_p95"] = round(pct(total, 95) * 1000, 1)
    return row


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


KINDS = ("size", "order", "faq")
# Untimed warm-up: a knowledge question, so the SLM and the embedder are both loaded before timing.
WARM_UP_TEXT = "do you ship internationally?"


def demo_questions() -> dict[str, list[list[str]]]:
    """Shopper questions built from the seeded demo store. Runs in a child process whose
    DATABASE_URL is the scratch database (this process's ORM points at the main one)."""
    django.setup()
    from apps.catalog.models import Product
    from apps.knowledge.models import FAQ
    from apps.orders.models import Order

    size: list[list[str]] = []
    size_phrasings = [
        "do you have the {name} in size {size}?",
        "is the {name} in stock in a {size}",
        "{name} size {size} available?",
        "any {name} left in {size}?",
    ]
    products = Product.objects.filter(variants__size__regex=r"^\d").distinct().order_by("name")
    for i, product in enumerate(products.prefetch_related("variants")[:16]):
        variants = [v for v in product.variants.all() if v.size]
        # Alternate a size that is in stock with one that is not, when the product has both.
        wanted = [v for v in variants if v.in_stock != (i % 2 == 1)] or variants
        text = size_phrasings[i % len(size_phrasings)]
        size.append([text.format(name=product.name.lower() if i % 2 else product.name, size=wanted[0].size)])

    order: list[list[str]] = []
    number_phrasings = ["where is my order {n}?", "hi, has order {n} shipped yet", "status of {n} please"]
    email_phrasings = ["{e}", "my email is {e}", "it's {e}"]
    orders = Order.objects.select_related("customer").order_by("external_id")
    by_status: dict[str, list[Order]] = {}
    for o in orders[:200]:
        by_status.setdefault(o.status, []).append(o)
    # Round-robin over statuses: shipped, delivered, processing... all get asked about.
    picked = [o for group in zip(*by_status.values(), strict=False) for o in group][:16]
    for i, o in enumerate(picked):
        order.append(
            [
                number_phrasings[i % len(number_phrasings)].format(n=o.external_id),
                email_phrasings[i % len(email_phrasings)].format(e=o.customer.email),
            ]
        )

    faq: list[list[str]] = [
        ["how long do i have to return something?"],
        ["whats your returns window"],
        ["how much is shipping"],
        ["can i exchange for a different size"],
    ]
    for f in FAQ.objects.filter(is_published=True).order_by("external_id")[:12]:
        if f.question.strip().lower().rstrip("?") != WARM_UP_TEXT.rstrip("?"):
            faq.append([f.question.strip().lower()])
    if not size or not order:
        raise RuntimeError("the scratch database holds no demo products or orders: seed_demo failed?")
    return {"size": size, "order": order, "faq": faq}


def scratch_summary() -> dict:
    """What the real pipeline did, from the assistant messages' traces in the scratch database."""
    django.setup()
    from collections import Counter

    from apps.conversations.models import Message

    traces = list(
        Message.objects.filter(role=Message.Role.ASSISTANT).order_by("pk").values_list("trace", flat=True)
    )
    model = next(((t or {}).get("model") for t in traces if (t or {}).get("model", {}).get("slm")), None)
    return {
        "model": model,
        "replies": len(traces),
        "routes": dict(Counter((t or {}).get("route") or "?" for t in traces)),
        "intents": dict(Counter((t or {}).get("intent") or "?" for t in traces)),
        # Did the number-then-email conversations really reach the order (not a mismatch reply)?
        "order_verify_calls": dict(
            Counter(
                "ok" if call.get("ok") else "failed"
                for t in traces
                for call in (t or {}).get("tool_calls") or []
                if call.get("name") == "order_verify"
            )
        ),
    }


def _child_json(func: str, env: dict, timeout: float) -> dict:
    """Run one of this module's functions in a child process on the scratch database."""
    code = f"import json, benchmarks.bench_chat as b; print(json.dumps(b.{func}()))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def shopper_scripts(
    pool: dict[str, list[list[str]]], concurrency: int, questions: int
) -> list[list[tuple[str, list[str]]]]:
    """Shopper i's question j is of kind KINDS[(i + j) % 3]; each kind's pool is walked in turn."""
    used = dict.fromkeys(KINDS, 0)
    scripts = []
    for i in range(concurrency):
        script = []
        for j in range(questions):
            kind = KINDS[(i + j) % len(KINDS)]
            script.append((kind, pool[kind][used[kind] % len(pool[kind])]))
            used[kind] += 1
        scripts.append(script)
    return scripts


def _shopper_counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a comma list of integers: {text!r}") from exc
    if not counts or min(counts) < 1 or max(counts) > 1000:
        raise argparse.ArgumentTypeError("shopper counts are between 1 and 1000")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assistant", choices=("fake", "real"), default="fake")
    parser.add_argument("--out", help="default benchmarks/results/chat.json (chat_real.json with real)")
    parser.add_argument("--shoppers", type=_shopper_counts, default=[1, 10, 50], help="e.g. 1,10,50")
    parser.add_argument("--questions", type=int, default=3, help="questions per shopper")
    parser.add_argument("--idle", type=int, default=1000, help="idle websockets; 0 skips the idle phase")
    parser.add_argument("--token-delay", default="0.02", help="fake assistant only: seconds per word")
    parser.add_argument(
        "--reply-timeout", type=float, help="seconds before a message counts as lost (120 fake, 600 real)"
    )
    args = parser.parse_args()
    real = args.assistant == "real"
    out = Path(args.out or ROOT / "benchmarks" / "results" / ("chat_real.json" if real else "chat.json"))
    # A solo worker answers one message at a time: with the real model the 50th shopper waits
    # behind 49 replies, so the real default leaves room for that queue.
    limit_s = args.reply_timeout or (600.0 if real else 120.0)

    django.setup()
    import psycopg
    from django.conf import settings

    if real and settings.ASSISTANT_REPLY.startswith("tests."):
        # An ASSISTANT_REPLY left in the environment by a test session would make "real" a lie.
        raise SystemExit(f"--assistant real, but ASSISTANT_REPLY is {settings.ASSISTANT_REPLY}: unset it")
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
    if real:
        env["ASSISTANT_REPLY"] = settings.ASSISTANT_REPLY
        # Loopback only, and the SLM's figures: never escalate to a remote LLM during the run.
        for key in ("LLM_BASE_URL", "LLM_BASE_URL_FILE", "FAKE_TOKEN_DELAY"):
            env.pop(key, None)
    procs: list[subprocess.Popen] = []
    report: dict = (
        {"assistant": f"REAL ({settings.ASSISTANT_REPLY}, model unknown)", "llm": "off"}
        if real
        else {"assistant": "FAKE (tests.conversations.fakes)", "token_delay_s": float(args.token_delay)}
    )
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT, env=env, check=True, timeout=600,
        )  # fmt: skip
        pool: dict[str, list[list[str]]] = {}
        if real:
            started = time.perf_counter()
            for command in (["seed_demo", "-v", "0"], ["index_knowledge"]):
                subprocess.run(
                    [sys.executable, "manage.py", *command],
                    cwd=ROOT, env=env, check=True, timeout=900, stdout=subprocess.DEVNULL,
                )  # fmt: skip
            pool = _child_json("demo_questions", env, timeout=300)
            report["seed_and_index_s"] = round(time.perf_counter() - started, 1)
            report["question_pool"] = {kind: len(pool[kind]) for kind in KINDS}
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
        if real:
            # One solo worker, so one warm-up message: the model and embedder load here, untimed.
            warm = asyncio.run(shopper(port, origin, "127.2.0.2", 1, 600, [("warm_up", [WARM_UP_TEXT])]))
            if not warm["total"]:
                raise TimeoutError("the chat worker did not answer the warm-up message within 600 s")
            report["warm_up_s"] = round(warm["total"][0], 1)
            print(json.dumps({"warm_up_s": report["warm_up_s"]}), flush=True)
        report["load"] = []
        for concurrency in args.shoppers:
            scripts = shopper_scripts(pool, concurrency, args.questions) if real else None
            row = asyncio.run(run_load(port, origin, concurrency, args.questions, limit_s, scripts))
            print(json.dumps(row), flush=True)
            report["load"].append(row)
        if args.idle > 0:
            report["idle"] = asyncio.run(run_idle(port, origin, args.idle, procs[0].pid))
            print(json.dumps(report["idle"]), flush=True)
        if real:
            summary = _child_json("scratch_summary", env, timeout=120)
            model = summary.get("model") or {}
            report["assistant"] = f"REAL ({settings.ASSISTANT_REPLY}, {model.get('slm') or 'model unknown'})"
            report["real_pipeline"] = summary
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
    out.write_text(json.dumps(report, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
