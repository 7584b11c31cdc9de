"""Retrieval writes: chunking sources, (re)embedding what changed, and scheduling refreshes."""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q

from apps.catalog.models import Product
from apps.knowledge.models import FAQ, Policy
from apps.retrieval.models import Chunk

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500  # characters: well inside MiniLM's 256-wordpiece window, one idea per chunk
CHUNK_OVERLAP = 100  # characters carried into the next chunk so a sentence cut at a border is found
FAQ_CHUNK_SIZE = 1200  # an FAQ answer is one idea: split only the rare very long one
EMBED_BATCH = 64

REFRESH_LOCK_KEY = "retrieval:index-refresh:lock"
REFRESH_LOCK_TTL = 30 * 60  # longer than any refresh; a crashed holder frees it by expiry
REFRESH_QUEUED_KEY = "retrieval:index-refresh:queued"
REFRESH_QUEUED_TTL = 10 * 60


@dataclass(frozen=True)
class ChunkDraft:
    title: str
    text: str


@dataclass(frozen=True)
class SourceDraft:
    kind: str
    external_id: str
    updated_at: datetime
    chunks: list[ChunkDraft]


# --- chunking ---------------------------------------------------------------------------------

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _pieces(text: str, size: int) -> Iterator[tuple[str, bool]]:
    """Paragraphs, else sentences, else word runs, each at most ``size`` characters.

    Yields (piece, starts_paragraph) so the packer can rebuild paragraph breaks.
    """
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph) <= size:
            yield paragraph, True
            continue
        first = True
        for sentence in _SENTENCE_END.split(paragraph):
            if len(sentence) <= size:
                yield sentence, first
                first = False
                continue
            run = ""
            for word in sentence.split():
                while len(word) > size:  # a pathological "word" (a URL, a table row): cut it
                    if run:
                        yield run, first
                        first, run = False, ""
                    yield word[:size], first
                    first, word = False, word[size:]
                if run and len(run) + 1 + len(word) > size:
                    yield run, first
                    first, run = False, ""
                run = f"{run} {word}" if run else word
            if run:
                yield run, first
                first = False


def _tail(text: str, overlap: int) -> str:
    """The last ``overlap`` characters of a chunk, starting on a word boundary."""
    if overlap <= 0 or len(text) <= overlap:
        return ""
    tail = text[-overlap:]
    cut = tail.find(" ")
    return tail[cut + 1 :].strip() if cut >= 0 else ""


def text_split(text: str, *, size: int = CHUNK_SIZE, overlap: int = CHUNK_OVERLAP) -> list[str]:
    """Split text into chunks of about ``size`` characters on paragraph/sentence borders.

    Consecutive chunks share up to ``overlap`` characters, so a fact near a border is whole
    in at least one of them.
    """
    chunks: list[str] = []
    current = ""
    for piece, new_paragraph in _pieces(text, size):
        joiner = "\n\n" if new_paragraph else " "
        if current and len(current) + len(joiner) + len(piece) > size:
            chunks.append(current)
            tail = _tail(current, overlap)
            current = f"{tail} {piece}" if tail and len(tail) + 1 + len(piece) <= size else piece
            continue
        current = f"{current}{joiner}{piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks


def markdown_sections(body: str) -> list[tuple[str, str]]:
    """(heading, content) pairs of a markdown body; text before the first heading has ""."""
    sections: list[tuple[str, str]] = []
    heading, lines = "", []
    for line in body.splitlines():
        match = _HEADING.match(line)
        if match:
            if any(part.strip() for part in lines):
                sections.append((heading, "\n".join(lines).strip()))
            heading, lines = match.group(2).strip(), []
        else:
            lines.append(line)
    if any(part.strip() for part in lines) or not sections:
        sections.append((heading, "\n".join(lines).strip()))
    return sections


def faq_chunks(*, question: str, answer: str) -> list[ChunkDraft]:
    texts = text_split(answer, size=FAQ_CHUNK_SIZE) or [""]
    return [ChunkDraft(title=question.strip(), text=text) for text in texts]


def policy_chunks(*, title: str, body: str) -> list[ChunkDraft]:
    drafts: list[ChunkDraft] = []
    for heading, content in markdown_sections(body):
        section_title = f"{title} — {heading}" if heading and heading != title else title
        for text in text_split(content):
            drafts.append(ChunkDraft(title=section_title, text=text))
    # A policy with an empty body is still findable by its title.
    return drafts or [ChunkDraft(title=title, text="")]


def _attributes_text(attributes: Any) -> str:
    if isinstance(attributes, dict):
        parts = []
        for key, value in attributes.items():
            if isinstance(value, list | tuple):
                value = ", ".join(str(item) for item in value)
            parts.append(f"{key}: {value}")
        return "; ".join(parts)
    return str(attributes) if attributes else ""


def product_chunks(
    *, name: str, category: str, description: str, attributes: Any, size_chart: str
) -> list[ChunkDraft]:
    parts = []
    if category:
        parts.append(f"Category: {category}")
    if description.strip():
        parts.append(description.strip())
    attributes_text = _attributes_text(attributes)
    if attributes_text:
        parts.append(f"Attributes: {attributes_text}")
    if size_chart.strip():
        parts.append(f"Size chart:\n{size_chart.strip()}")
    texts = text_split("\n\n".join(parts)) or [""]
    return [ChunkDraft(title=name.strip(), text=text) for text in texts]


# --- sources ---------------------------------------------------------------------------------


def embedding_model_name() -> str:
    """The name recorded with each embedding; changing the backend makes every chunk stale.

    Read from settings, not from the loaded model, so the staleness check never loads a model.
    """
    return settings.EMBEDDING_BACKEND


def chunk_hash(*, title: str, text: str, model: str) -> str:
    return hashlib.sha256(f"{model}\x00{title}\x00{text}".encode()).hexdigest()


def embed_input(*, title: str, text: str) -> str:
    return f"{title}\n{text}" if text else title


def _sources(*, targets: dict[str, set[str]] | None) -> list[SourceDraft]:
    """Chunk drafts of the given sources (all of them when ``targets`` is None)."""

    def wanted(kind: str) -> set[str] | None:
        return None if targets is None else targets.get(kind, set())

    drafts: list[SourceDraft] = []
    ids = wanted(Chunk.Kind.FAQ)
    if ids is None or ids:
        faqs = FAQ.objects.filter(is_published=True)
        if ids is not None:
            faqs = faqs.filter(external_id__in=ids)
        for faq in faqs.only("external_id", "question", "answer", "updated_at"):
            drafts.append(
                SourceDraft(
                    Chunk.Kind.FAQ,
                    faq.external_id,
                    faq.updated_at,
                    faq_chunks(question=faq.question, answer=faq.answer),
                )
            )
    ids = wanted(Chunk.Kind.POLICY)
    if ids is None or ids:
        policies = Policy.objects.all()
        if ids is not None:
            policies = policies.filter(external_id__in=ids)
        for policy in policies.only("external_id", "title", "body", "updated_at"):
            drafts.append(
                SourceDraft(
                    Chunk.Kind.POLICY,
                    policy.external_id,
                    policy.updated_at,
                    policy_chunks(title=policy.title, body=policy.body),
                )
            )
    ids = wanted(Chunk.Kind.PRODUCT)
    if ids is None or ids:
        products = Product.objects.all()
        if ids is not None:
            products = products.filter(external_id__in=ids)
        fields = ("external_id", "name", "category", "description", "attributes", "size_chart", "updated_at")
        for product in products.only(*fields):
            drafts.append(
                SourceDraft(
                    Chunk.Kind.PRODUCT,
                    product.external_id,
                    product.updated_at,
                    product_chunks(
                        name=product.name,
                        category=product.category,
                        description=product.description,
                        attributes=product.attributes,
                        size_chart=product.size_chart,
                    ),
                )
            )
    return drafts


def _stale_sql(*, limit_one: bool) -> str:
    """Sources whose chunks are missing, outdated or orphaned: one round trip, index lookups only."""
    chunk = Chunk._meta.db_table
    # Only identifiers from the models' metadata and the fixed kinds are interpolated into the SQL
    # of this module; every value is a bound parameter.
    sides = []
    for kind, table, published in (
        (Chunk.Kind.FAQ, FAQ._meta.db_table, "s.is_published"),
        (Chunk.Kind.POLICY, Policy._meta.db_table, "TRUE"),
        (Chunk.Kind.PRODUCT, Product._meta.db_table, "TRUE"),
    ):
        # A source with no chunk built from its current version (or with another model).
        sides.append(
            f"SELECT '{kind}'::text AS kind, s.external_id::text FROM {table} s "  # noqa: S608
            f"WHERE {published} AND NOT EXISTS (SELECT 1 FROM {chunk} c WHERE c.kind = '{kind}' "
            f"AND c.external_id = s.external_id AND c.source_updated_at = s.updated_at "
            f"AND c.embedding_model = %(model)s)"
        )
        # A chunk whose source is gone, unpublished or newer.
        sides.append(
            f"SELECT DISTINCT c.kind::text, c.external_id::text FROM {chunk} c WHERE c.kind = '{kind}' "  # noqa: S608
            f"AND (c.embedding_model <> %(model)s OR NOT EXISTS (SELECT 1 FROM {table} s "
            f"WHERE {published} AND s.external_id = c.external_id AND s.updated_at = c.source_updated_at))"
        )
    sql = "\nUNION ALL\n".join(f"({side})" for side in sides)
    return f"SELECT EXISTS ({sql})" if limit_one else sql


def index_is_stale() -> bool:
    """True when some FAQ, policy or product changed since it was indexed (one cheap query)."""
    with connection.cursor() as cursor:
        cursor.execute(_stale_sql(limit_one=True), {"model": embedding_model_name()})
        return bool(cursor.fetchone()[0])


def _stale_targets(*, model: str) -> dict[str, set[str]]:
    targets: dict[str, set[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_stale_sql(limit_one=False), {"model": model})
        for kind, external_id in cursor.fetchall():
            targets.setdefault(kind, set()).add(external_id)
    return targets


def _embed(texts: Sequence[str]) -> list[Any]:
    from apps.inference.embeddings import embed  # a model backend: loaded only when needed

    vectors: list[Any] = []
    for start in range(0, len(texts), EMBED_BATCH):
        vectors.extend(embed(list(texts[start : start + EMBED_BATCH])))
    return vectors


def _keys(rows: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
    kinds, ids = [], []
    for kind, external_id in rows:
        kinds.append(kind)
        ids.append(external_id)
    return kinds, ids


def index_refresh(*, full: bool = False) -> dict[str, Any]:
    """Bring the chunk index in line with the published FAQs, policies and products.

    Cheap when nothing changed: one query finds the stale sources. Only chunks whose content
    hash changed are embedded; chunks of deleted or unpublished sources are removed.
    ``full`` re-chunks every source, catching edits that bypassed ``updated_at`` (queryset
    ``update()``, raw SQL); unchanged chunks are still not re-embedded.
    """
    started = time.perf_counter()
    model = embedding_model_name()
    targets = None if full else _stale_targets(model=model)
    result: dict[str, Any] = {
        "full": full,
        "sources": 0,
        "embedded": 0,
        "unchanged": 0,
        "deleted": 0,
        "embed_ms": 0.0,
    }
    if targets is not None and not targets:
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        return result

    sources = _sources(targets=targets)
    result["sources"] = len(sources)
    existing_qs = Chunk.objects.all()
    if targets is not None:
        wanted = Q()
        for kind, eids in targets.items():
            wanted |= Q(kind=kind, external_id__in=eids)
        existing_qs = existing_qs.filter(wanted)
    existing = {
        (kind, eid, pos): digest
        for kind, eid, pos, digest in existing_qs.values_list(
            "kind", "external_id", "position", "content_hash"
        )
    }

    new_rows: list[Chunk] = []
    for source in sources:
        for position, draft in enumerate(source.chunks):
            digest = chunk_hash(title=draft.title, text=draft.text, model=model)
            if existing.get((source.kind, source.external_id, position)) == digest:
                result["unchanged"] += 1
                continue
            new_rows.append(
                Chunk(
                    kind=source.kind,
                    external_id=source.external_id,
                    position=position,
                    title=draft.title,
                    text=draft.text,
                    content_hash=digest,
                    embedding_model=model,
                    source_updated_at=source.updated_at,
                )
            )

    # Embed outside the transaction: it is the slow part and must not hold row locks.
    embed_started = time.perf_counter()
    if new_rows:
        vectors = _embed([embed_input(title=row.title, text=row.text) for row in new_rows])
        for row, vector in zip(new_rows, vectors, strict=True):
            row.embedding = vector
    result["embed_ms"] = round((time.perf_counter() - embed_started) * 1000, 1)
    result["embedded"] = len(new_rows)

    source_kinds, source_ids = _keys((s.kind, s.external_id) for s in sources)
    table = Chunk._meta.db_table
    with transaction.atomic():
        if new_rows:
            Chunk.objects.bulk_create(
                new_rows,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["kind", "external_id", "position"],
                update_fields=[
                    "title",
                    "text",
                    "embedding",
                    "content_hash",
                    "embedding_model",
                    "source_updated_at",
                    "updated_at",
                ],
            )
        with connection.cursor() as cursor:
            # Unchanged chunks of a changed source now belong to its current version.
            cursor.execute(
                f"UPDATE {table} c SET source_updated_at = v.ts FROM unnest(%s::text[], %s::text[], "  # noqa: S608
                "%s::timestamptz[]) AS v(kind, external_id, ts) WHERE c.kind = v.kind "
                "AND c.external_id = v.external_id AND c.source_updated_at IS DISTINCT FROM v.ts",
                [source_kinds, source_ids, [s.updated_at for s in sources]],
            )
            # Positions past a source's new chunk count (it got shorter).
            cursor.execute(
                f"DELETE FROM {table} c USING unnest(%s::text[], %s::text[], %s::int[]) "  # noqa: S608
                "AS v(kind, external_id, n) WHERE c.kind = v.kind AND c.external_id = v.external_id "
                "AND c.position >= v.n",
                [source_kinds, source_ids, [len(s.chunks) for s in sources]],
            )
            deleted = cursor.rowcount
            # Chunks whose source is gone or unpublished: among the targets, or anywhere on a full run.
            if targets is None:
                cursor.execute(
                    f"DELETE FROM {table} c WHERE NOT EXISTS (SELECT 1 FROM unnest(%s::text[], %s::text[]) "  # noqa: S608
                    "AS v(kind, external_id) WHERE c.kind = v.kind AND c.external_id = v.external_id)",
                    [source_kinds, source_ids],
                )
            else:
                live = {(s.kind, s.external_id) for s in sources}
                gone_kinds, gone_ids = _keys(
                    (kind, eid) for kind, eids in targets.items() for eid in eids if (kind, eid) not in live
                )
                cursor.execute(
                    f"DELETE FROM {table} c USING unnest(%s::text[], %s::text[]) AS v(kind, external_id) "  # noqa: S608
                    "WHERE c.kind = v.kind AND c.external_id = v.external_id",
                    [gone_kinds, gone_ids],
                )
            deleted += cursor.rowcount
    result["deleted"] = deleted
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    logger.info("index refresh: %s", result)
    return result


# --- background refresh ---------------------------------------------------------------------


def index_refresh_enqueue() -> None:
    """Queue one background refresh; a burst of saves (an import, an admin bulk edit) queues one.

    The queued task refreshes everything stale when it runs, so one pending task covers every
    change committed before it starts; the flag is cleared as it starts.
    """
    if not cache.add(REFRESH_QUEUED_KEY, 1, timeout=REFRESH_QUEUED_TTL):
        return
    from apps.retrieval.tasks import index_refresh_task

    try:
        index_refresh_task.delay()
    except Exception:
        cache.delete(REFRESH_QUEUED_KEY)  # let the next change try again
        raise


def index_refresh_exclusive(*, full: bool = False) -> dict[str, Any] | None:
    """``index_refresh`` under a cache lock so one runs at a time; None if another holds it."""
    token = uuid.uuid4().hex
    if not cache.add(REFRESH_LOCK_KEY, token, timeout=REFRESH_LOCK_TTL):
        return None
    try:
        # Cleared before reading the sources: a change committed from now on queues a new task.
        cache.delete(REFRESH_QUEUED_KEY)
        return index_refresh(full=full)
    finally:
        if cache.get(REFRESH_LOCK_KEY) == token:
            cache.delete(REFRESH_LOCK_KEY)
