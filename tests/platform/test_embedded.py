"""The embedded Postgres (pgvector) and Valkey: real servers, shared per data dir, never stale."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, *, env: dict[str, str] | None = None, timeout: float = 60) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


ACQUIRE = (
    "import sys, warnings\n"
    "warnings.simplefilter('ignore')\n"
    "from pathlib import Path\n"
    "from supportbot import embedded\n"
    "print(embedded.postgres_url(Path('{d}')), flush=True)\n"
    "print(embedded.redis_url(Path('{d}')), flush=True)\n"
)


def _pg_running(data_dir: Path) -> bool:
    pid_file = data_dir / "postgres" / "pgdata" / "postmaster.pid"
    if not pid_file.exists():
        return False
    return psutil.pid_exists(int(pid_file.read_text().split()[0]))


def _valkey_running(data_dir: Path) -> bool:
    state = data_dir / "valkey" / "server.json"
    return state.exists() and psutil.pid_exists(json.loads(state.read_text())["pid"])


@pytest.mark.django_db
def test_hnsw_index_is_used_for_vector_search():
    # given a table with a pgvector HNSW index on the embedded server
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE probe (id int, v vector(3))")
        cursor.execute(
            "INSERT INTO probe SELECT i, ARRAY[random(), random(), random()]::vector(3)"
            " FROM generate_series(1, 2000) i"
        )
        cursor.execute("CREATE INDEX ON probe USING hnsw (v vector_cosine_ops)")
        cursor.execute("ANALYZE probe")
        cursor.execute("SET LOCAL enable_seqscan = off")
        # when the nearest neighbours are asked for
        cursor.execute("EXPLAIN SELECT id FROM probe ORDER BY v <=> '[1,0,0]' LIMIT 5")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        version = cursor.fetchone()[0]
    # then the planner uses the HNSW index
    assert "probe_v_idx" in plan, plan
    assert tuple(int(part) for part in version.split(".")[:2]) >= (0, 8)


def test_processes_share_one_server_and_the_last_one_stops_it(tmp_path):
    # given two processes that need the embedded servers of one data dir at the same time
    holder = subprocess.Popen(
        [sys.executable, "-c", ACQUIRE.format(d=tmp_path) + "\nimport time; time.sleep(30)"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    first = [holder.stdout.readline().strip(), holder.stdout.readline().strip()]
    second = _python(ACQUIRE.format(d=tmp_path)).splitlines()
    # then they got the same servers, which outlive the second process while the first runs
    assert first == second
    assert _pg_running(tmp_path)
    assert _valkey_running(tmp_path)
    # when the last user exits cleanly, the servers stop
    holder.send_signal(signal.SIGTERM)
    holder.wait(timeout=30)
    _python(ACQUIRE.format(d=tmp_path))  # join and leave once more: now it is the last user
    deadline = time.monotonic() + 20
    while (_pg_running(tmp_path) or _valkey_running(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _pg_running(tmp_path)
    assert not _valkey_running(tmp_path)


def test_a_crashed_process_leaves_nothing_that_blocks_the_next_start(tmp_path):
    # given a process that started the servers and was killed without any cleanup
    crashed = subprocess.Popen(
        [sys.executable, "-c", ACQUIRE.format(d=tmp_path) + "\nimport time; time.sleep(60)"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    crashed.stdout.readline()
    crashed.stdout.readline()
    crashed.kill()
    crashed.wait()
    users = json.loads((tmp_path / "postgres" / "users.json").read_text())
    assert crashed.pid in users  # its registration is still on disk
    # when another process starts, uses the servers and exits
    use = f"\nimport psycopg\npsycopg.connect(embedded.postgres_url(Path('{tmp_path}'))).execute('select 1')"
    urls = _python(ACQUIRE.format(d=tmp_path) + use)
    # then it worked, and as the only live user it stopped the servers on exit
    assert urls.startswith("postgresql://")
    assert not _pg_running(tmp_path)
    assert not _valkey_running(tmp_path)


def test_nothing_embedded_starts_when_urls_are_configured(tmp_path, settings):
    # given DATABASE_URL and REDIS_URL pointing at servers that already run
    env = {
        "SUPPORTBOT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": settings.DATABASE_URL,
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "supportbot.settings",
    }
    # when a process loads the settings
    out = _python(
        "import django; django.setup(); from django.conf import settings; print(settings.REDIS_URL)", env=env
    )
    # then it uses them and starts nothing under its data dir
    assert out == settings.REDIS_URL
    assert not (tmp_path / "postgres").exists()
    assert not (tmp_path / "valkey").exists()


@pytest.mark.parametrize("key", ["short", "django-insecure-" + "x" * 40, "a" * 64])
def test_a_weak_secret_key_is_refused_with_debug_off(tmp_path, settings, key):
    env = {
        "SUPPORTBOT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": settings.DATABASE_URL,
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": key,
        "DEBUG": "false",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import supportbot.settings"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is weak" in result.stderr


def test_secrets_come_from_file_and_a_key_is_generated_once(tmp_path, settings):
    secret_file = tmp_path / "llm_key"
    secret_file.write_text("sk-from-a-file\n")
    env = {
        "SUPPORTBOT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": settings.DATABASE_URL,
        "REDIS_URL": settings.REDIS_URL,
        "LLM_API_KEY_FILE": str(secret_file),
    }
    env.pop("SECRET_KEY", None)
    code = "import supportbot.settings as s; print(s.LLM_API_KEY); print(s.SECRET_KEY)"
    first = _python(code, env={**env, "SECRET_KEY": ""}).splitlines()
    second = _python(code, env={**env, "SECRET_KEY": ""}).splitlines()
    assert first[0] == "sk-from-a-file"
    assert first[1] == second[1]
    assert len(first[1]) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
