"""Retrieval reads: hybrid knowledge search (pgvector HNSW cosine + Postgres full text, RRF)."""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, Max

from apps.retrieval.models import Chunk

RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al. 2009): dampens the top ranks' weight
# A query is cut before embedding and full-text parsing: MiniLM reads ~256 wordpieces anyway, and
# a 100 KB message must not cost a 100 KB tsquery.
MAX_QUERY_CHARS = 2000
KINDS = frozenset(Chunk.Kind.values)


@dataclass(frozen=True)
class SearchHit:
    kind: str
    external_id: str
    title: str
    text: str
    score: float  # fused reciprocal-rank score (higher is better)
    vector_score: float  # cosine similarity of the query and chunk embeddings, in [-1, 1]
    text_rank: float  # ts_rank against the OR of all the query's lexemes; 0 when none matches


@dataclass(frozen=True)
class SearchTimings:
    embed_ms: float  # embedding the query (0 when the caller passed query_embedding)
    query_ms: float  # the database work: one transaction, the hybrid query inside it


_last = threading.local()


def knowledge_search_timings() -> SearchTimings | None:
    """Timings of this thread's last ``knowledge_search`` call."""
    return getattr(_last, "timings", None)


def _clean_query(query: str | None) -> str:
    # Postgres text cannot hold NUL, and lone surrogates cannot be encoded: shoppers paste anything.
    text = (query or "")[:MAX_QUERY_CHARS].replace("\x00", " ")
    return text.encode("utf-8", "replace").decode("utf-8")


def _candidates(k: int) -> int:
    # Each side contributes enough candidates that a chunk ranked well by only one still fuses in.
    return min(max(4 * k, 40), 400)


def vector_literal(embedding: Any) -> str | None:
    values = [float(x) for x in embedding]
    norm = math.sqrt(sum(x * x for x in values))
    if not values or not math.isfinite(norm) or norm == 0.0:
        return None  # cosine distance to a zero vector is NaN: search by text only
    return "[" + ",".join(f"{x:.7g}" for x in values) + "]"


def _kind_filter(kinds: Collection[str] | None, alias: str = "") -> str:
    if kinds is None:
        return "TRUE"
    return f"{alias}kind = ANY(%(kinds)s)"


def search_settings_sql() -> str:
    """Session settings for one search transaction (local to it)."""
    # relaxed_order: with a kinds filter, HNSW keeps scanning until enough rows pass the filter;
    # the outer query re-sorts by exact distance, so the slight misordering does not matter.
    return (
        "SELECT set_config('hnsw.ef_search', %s, true), "
        "set_config('hnsw.iterative_scan', 'relaxed_order', true)"
    )


def vector_search_sql(*, kinds: Collection[str] | None) -> str:
    """Nearest chunks by cosine through the HNSW index (params: qvec, n, kinds)."""
    table = Chunk._meta.db_table
    # Only identifiers from the model's metadata are interpolated; values are bound parameters.
    return (
        f"WITH vec AS MATERIALIZED (SELECT id, embedding <=> %(qvec)s::vector AS distance FROM {table} "  # noqa: S608
        f"WHERE {_kind_filter(kinds)} ORDER BY distance LIMIT %(n)s) "
        "SELECT id, distance FROM vec ORDER BY distance, id"
    )


# Lexemes in more rows than this are left out of the OR-of-terms query (they still count in the
# all-terms query and in ranking): at 100k chunks a near-stop-word such as "size" would make
# Postgres fetch and rank tens of thousands of rows. Frequencies come from ANALYZE (pg_stats), so
# a small store drops nothing.
FTS_COMMON_ROWS = 500
# At most this many rows per full-text branch are fetched and ranked: each is a random heap page,
# so this bounds the cost of any query (see benchmarks/bench_retrieval.py).
FTS_SCAN_LIMIT = 500

# A tsquery OR-ing a text's lexemes, each quoted and escaped (standard_conforming_strings is on).
_LEXEME_OR = (
    "COALESCE((SELECT string_agg('''' || replace(replace(l, '\\', '\\\\'), '''', '''''') || '''', ' | ') "
    "FROM unnest(tsvector_to_array(to_tsvector('english', %(text)s))) AS l {where}), '')::tsquery"
)


def hybrid_search_sql(*, kinds: Collection[str] | None, with_vector: bool) -> str:
    """The whole hybrid query: vector top-n, full-text top-n, fused by reciprocal rank.

    Params: qvec, n, text, rrf_k, k, kinds, common_rows, scan. Full text ranks chunks matching
    every term (websearch syntax) first, then partial matches (an OR of the query's lexemes), by
    ts_rank against the OR of all of them.
    """
    table = Chunk._meta.db_table
    if with_vector:
        vec = (
            f"SELECT id, embedding <=> %(qvec)s::vector AS distance FROM {table} "  # noqa: S608
            f"WHERE {_kind_filter(kinds)} ORDER BY distance LIMIT %(n)s"
        )
        vector_score = "1 - (c.embedding <=> %(qvec)s::vector)"
    else:
        vec = "SELECT NULL::bigint AS id, NULL::float8 AS distance WHERE FALSE"
        vector_score = "NULL::float8"
    kind_c = _kind_filter(kinds, "c.")
    qall = _LEXEME_OR.format(where="")
    qo = _LEXEME_OR.format(where="WHERE NOT EXISTS (SELECT 1 FROM stats WHERE l = ANY(stats.common))")
    # Only identifiers from the model's metadata are interpolated; values are bound parameters.
    return f"""
WITH stats AS MATERIALIZED (
    SELECT COALESCE(array_agg(e.elem) FILTER (
               WHERE e.elem IS NOT NULL AND e.freq * GREATEST(cl.reltuples, 0) > %(common_rows)s),
           '{{}}'::text[]) AS common
    FROM pg_stats s
    JOIN pg_class cl ON cl.oid = to_regclass(quote_ident(s.schemaname) || '.' || quote_ident(s.tablename))
    CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(elem, freq)
    WHERE s.schemaname = current_schema() AND s.tablename = '{table}' AND s.attname = 'search'
), q AS MATERIALIZED (
    SELECT websearch_to_tsquery('english', %(text)s) AS qa, {qall} AS qall, {qo} AS qo
), vec AS MATERIALIZED (
    {vec}
), vec_ranked AS (
    SELECT id, row_number() OVER (ORDER BY distance, id) AS rank FROM vec
), fts_pool AS MATERIALIZED (
    (SELECT c.id, TRUE AS full_match, ts_rank(c.search, q.qall) AS rank_all
     FROM {table} c, q WHERE c.search @@ q.qa AND {kind_c} LIMIT %(scan)s)
    UNION ALL
    (SELECT c.id, FALSE, ts_rank(c.search, q.qall)
     FROM {table} c, q WHERE c.search @@ q.qo AND NOT (c.search @@ q.qa) AND {kind_c} LIMIT %(scan)s)
), fts_ranked AS (
    SELECT id, row_number() OVER (ORDER BY full_match DESC, rank_all DESC, id) AS rank
    FROM fts_pool ORDER BY rank LIMIT %(n)s
), fused AS (
    SELECT COALESCE(v.id, f.id) AS id,
           COALESCE(1.0 / (%(rrf_k)s + v.rank), 0) + COALESCE(1.0 / (%(rrf_k)s + f.rank), 0) AS score
    FROM vec_ranked v FULL OUTER JOIN fts_ranked f ON f.id = v.id
    ORDER BY score DESC LIMIT %(k)s
)
SELECT c.kind, c.external_id, c.title, c.text, fused.score::float8,
       {vector_score} AS vector_score, ts_rank(c.search, q.qall)::float8 AS text_rank
FROM fused JOIN {table} c ON c.id = fused.id, q
ORDER BY fused.score DESC, vector_score DESC NULLS LAST, c.id
"""  # noqa: S608


def search_params(*, query: str, qvec: str | None, k: int, kinds: Collection[str] | None) -> dict[str, Any]:
    return {
        "qvec": qvec,
        "text": query,
        "n": _candidates(k),
        "k": k,
        "rrf_k": RRF_K,
        "common_rows": FTS_COMMON_ROWS,
        "scan": FTS_SCAN_LIMIT,
        "kinds": sorted(kinds) if kinds is not None else None,
    }


def knowledge_search_rows(
    *,
    query: str,
    qvec: str | None,
    k: int,
    kinds: Collection[str] | None,
    ef_search: int,
    using: str = "default",
) -> list[tuple[Any, ...]]:
    """The database part of a knowledge search: one transaction, two statements."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(search_settings_sql(), [str(ef_search)])
        cursor.execute(
            hybrid_search_sql(kinds=kinds, with_vector=qvec is not None),
            search_params(query=query, qvec=qvec, k=k, kinds=kinds),
        )
        return cursor.fetchall()


def knowledge_search(
    *,
    query: str,
    k: int = 5,
    kinds: Collection[str] | None = None,
    query_embedding: Sequence[float] | Any | None = None,
) -> list[SearchHit]:
    """The ``k`` chunks of FAQs, policies and products that best answer ``query``.

    Hybrid: HNSW cosine nearest neighbours and Postgres full text, fused by reciprocal rank.
    The query is embedded once, unless the caller passes ``query_embedding``. Timings of the
    call are in ``knowledge_search_timings()``; the query embedding is timed apart from the
    database query.
    """
    text = _clean_query(query)
    if kinds is not None:
        kinds = [kind for kind in kinds if kind in KINDS]
        if not kinds:
            _last.timings = SearchTimings(embed_ms=0.0, query_ms=0.0)
            return []
    if k <= 0 or (not text.strip() and query_embedding is None):
        _last.timings = SearchTimings(embed_ms=0.0, query_ms=0.0)
        return []

    embed_ms = 0.0
    if query_embedding is None:
        from apps.inference.embeddings import embed_query  # a model backend: loaded when needed

        started = time.perf_counter()
        query_embedding = embed_query(text)
        embed_ms = (time.perf_counter() - started) * 1000
    qvec = vector_literal(query_embedding)

    started = time.perf_counter()
    rows = knowledge_search_rows(
        query=text, qvec=qvec, k=k, kinds=kinds, ef_search=settings.RETRIEVAL_EF_SEARCH
    )
    query_ms = (time.perf_counter() - started) * 1000
    _last.timings = SearchTimings(embed_ms=round(embed_ms, 2), query_ms=round(query_ms, 2))
    return [
        SearchHit(
            kind=kind,
            external_id=external_id,
            title=title,
            text=body,
            score=float(score),
            vector_score=float(vector_score) if vector_score is not None else 0.0,
            text_rank=float(text_rank or 0.0),
        )
        for kind, external_id, title, body, score, vector_score, text_rank in rows
    ]


_vocabulary_lock = threading.Lock()
_vocabulary: tuple[tuple[int, Any], frozenset[str]] | None = None
_WORD_RE = re.compile(r"[a-z]+")


def knowledge_vocabulary() -> frozenset[str]:
    """The words of this store's indexed knowledge (FAQs, policies, product passages), lower case,
    three letters or more. Rebuilt when the index changes (its row count or newest update), so a
    new FAQ's words are known to the next search; one cheap query per call otherwise."""
    global _vocabulary
    stats = Chunk.objects.aggregate(n=Count("id"), newest=Max("updated_at"))
    version = (stats["n"], stats["newest"])
    with _vocabulary_lock:
        if _vocabulary is not None and _vocabulary[0] == version:
            return _vocabulary[1]
    words: set[str] = set()
    for title, text in Chunk.objects.values_list("title", "text").iterator(chunk_size=500):
        words.update(w for w in _WORD_RE.findall(f"{title} {text}".lower()) if len(w) >= 3)
    built = frozenset(words)
    with _vocabulary_lock:
        _vocabulary = (version, built)
    return built
