"""The process supervisor behind `make run`: web, chat worker and background worker as one unit.

It starts each process, restarts one that dies (with backoff, up to a limit), and on Ctrl-C or
SIGTERM stops them all: SIGTERM first, SIGKILL for whatever still runs after a grace period.
The embedded Postgres and Valkey stop by themselves when their last user process exits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field


@dataclass
class Program:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = 0.0

    def start(self) -> None:
        env = {**os.environ, **self.env}
        self.process = subprocess.Popen(self.argv, env=env)  # noqa: S603 - our own argv
        self.started_at = time.monotonic()

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()


class Supervisor:
    grace_seconds = 15.0
    max_restarts = 5

    def __init__(self, programs: list[Program], *, log=print) -> None:  # type: ignore[no-untyped-def]
        self.programs = programs
        self.log = log
        self._stopping = False

    def _on_signal(self, signum: int, _frame: object) -> None:
        self._stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        for program in self.programs:
            program.start()
            self.log(f"started {program.name} (pid {program.process.pid})")  # type: ignore[union-attr]
        status = 0
        while not self._stopping:
            time.sleep(0.5)
            for program in self.programs:
                code = program.exited()
                if code is None or self._stopping:
                    continue
                if program.restarts >= self.max_restarts:
                    self.log(f"{program.name} exited with {code} too often; stopping everything")
                    self._stopping = True
                    status = 1
                    break
                # A process that ran for a while before dying gets a fresh restart budget.
                if time.monotonic() - program.started_at > 60:
                    program.restarts = 0
                program.restarts += 1
                delay = min(2**program.restarts, 30)
                self.log(f"{program.name} exited with {code}; restarting in {delay}s")
                time.sleep(delay)
                program.start()
        self.stop()
        return status

    def stop(self) -> None:
        self.log("stopping ...")
        for program in self.programs:
            if program.exited() is None:
                program.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
        deadline = time.monotonic() + self.grace_seconds
        for program in self.programs:
            if program.process is None:
                continue
            try:
                program.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.log(f"{program.name} did not stop in time; killing it")
                program.process.kill()
                program.process.wait()
        self.log("all stopped")


def platform_programs(*, host: str, port: int, chat_concurrency: int = 1) -> list[Program]:
    """Daphne, a chat worker (holds the SLM) and a background worker at lower CPU priority."""
    python = sys.executable
    return [
        Program(
            "web",
            [python, "-m", "daphne", "-b", host, "-p", str(port), "supportbot.asgi:application"],
        ),
        Program(
            "chat-worker",
            [
                python,
                "-m",
                "celery",
                "-A",
                "supportbot",
                "worker",
                "-Q",
                "chat",
                "-n",
                "chat@%h",
                "-c",
                str(chat_concurrency),
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
            ],
        ),
        Program(
            "background-worker",
            # nice: a fine-tune or a re-index never stalls chat replies on a small machine.
            [
                "nice",
                "-n",
                "10",
                python,
                "-m",
                "celery",
                "-A",
                "supportbot",
                "worker",
                "-Q",
                "index,training",
                "-n",
                "background@%h",
                "-c",
                "1",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
            ],
        ),
    ]
