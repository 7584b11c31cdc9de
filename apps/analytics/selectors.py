"""Dashboard reads: every metric is aggregated in Postgres; only the question grouping runs in Python.

Traces are the ``trace`` JSON of assistant messages (ASK_TRACE.md). Numbers inside them are read
with ``JsonNumber`` (jsonb ``->`` plus ``jsonb_typeof``), so a malformed trace counts as missing
instead of failing the page with a cast error.

Scope: a period is "today and the N-1 days before it" in the site's time zone. Conversation
metrics take conversations created in the period; reply metrics take assistant messages created in
it. Drafts (replies composed while an agent owned the conversation, never sent) count for latency
and tokens (the work was done) but not for routes, escalations or unanswered questions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    Aggregate,
    Avg,
    BigIntegerField,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce, Trim, TruncDate
from django.utils import timezone

from apps.conversations.models import Conversation, Message
from apps.knowledge.models import FAQ

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
TIERS = ("slm", "llm", "human")
REPLY_ROUTES = ("slm", "clarify", "llm", "human")
# Codes that mean "the assistant did not know", whatever the route ended up being.
UNSURE_CODES = ("low_confidence", "out_of_scope")
# A human handoff caused by a failure of the system, not by a gap in the knowledge.
FAILURE_CODES = ("error", "bad_input")
UNANSWERED_SCAN_LIMIT = 5000  # newest unanswered replies grouped; keeps the page fast on big stores
GROUPS_SHOWN = 25
DRAFT_TAG = "analytics-draft"


# --- SQL helpers -------------------------------------------------------------------------------
class JsonNumber(Func):
    """A number at a path inside a jsonb column, or NULL when missing or not a number."""

    output_field = FloatField()

    def __init__(self, column: str, *path: str, integer: bool = False) -> None:
        expression: Any = F(column)
        for key in path:
            expression = KeyTransform(key, expression)
        self.sql_type = "bigint" if integer else "double precision"
        super().__init__(expression, output_field=BigIntegerField() if integer else FloatField())

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        # jsonb -> number casts accept only numbers; jsonb_typeof keeps strings/objects out.
        return (
            f"(CASE WHEN jsonb_typeof({sql}) = 'number' THEN ({sql})::{self.sql_type} END)",
            (*params, *params),
        )


class Percentiles(Aggregate):
    """Postgres ``percentile_cont(ARRAY[...]) WITHIN GROUP (ORDER BY x)``: NULLs are ignored."""

    function = "percentile_cont"
    template = (
        "%(function)s(ARRAY[%(fractions)s]::double precision[]) WITHIN GROUP (ORDER BY %(expressions)s)"
    )

    def __init__(self, expression: Any, *, fractions: Sequence[float], **extra: Any) -> None:
        # float() of our own constants: nothing user-supplied reaches the SQL text.
        literal = ", ".join(repr(float(f)) for f in fractions)
        super().__init__(expression, fractions=literal, output_field=ArrayField(FloatField()), **extra)


class SplitPart(Func):
    function = "split_part"
    output_field = TextField()


def _reason_code() -> Trim:
    # "low_confidence: the LLM tier was unsure" -> "low_confidence"
    return Trim(SplitPart(KeyTextTransform("escalation_reason", "trace"), Value(":"), Value(1)))


# --- period ------------------------------------------------------------------------------------
def period_clean(value: Any) -> int:
    """The period in days from a query parameter: one of PERIODS, else the default."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def period_start(*, days: int, now: datetime | None = None) -> datetime:
    """Local midnight ``days - 1`` days before today: the period is today and the days before it."""
    today = timezone.localtime(now or timezone.now()).date()
    first = today - timedelta(days=days - 1)
    return timezone.make_aware(datetime.combine(first, time.min))


def _replies(*, since: datetime) -> QuerySet[Message]:
    return Message.objects.filter(role=Message.Role.ASSISTANT, created_at__gte=since, trace__isnull=False)


def _sent_replies(*, since: datetime) -> QuerySet[Message]:
    # Containment, not meta__draft: a missing key would make NOT (NULL) drop the row.
    return _replies(since=since).exclude(meta__contains={"draft": True})


# --- metrics -----------------------------------------------------------------------------------
def conversation_daily_counts(*, since: datetime, now: datetime | None = None) -> list[tuple[date, int]]:
    """Conversations started per local day, every day of the period (zero days included)."""
    rows = (
        Conversation.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    counts = {row["day"]: row["n"] for row in rows}
    first = timezone.localtime(since).date()
    last = timezone.localtime(now or timezone.now()).date()
    return [
        (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
        for i in range((last - first).days + 1)
    ]


@dataclass(frozen=True)
class TierResolution:
    tier: str
    reached: int  # conversations that got to this tier
    resolved: int  # ... and ended there (never went further up)

    @property
    def rate(self) -> float | None:
        return self.resolved / self.reached if self.reached else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else 100.0 * self.rate


def route_resolution_rates(*, since: datetime) -> list[TierResolution]:
    """Per tier, how many conversations reached it and how many were resolved there.

    SLM: conversations with a sent assistant reply; resolved when no reply went to the LLM tier
    and no person was involved. LLM: a reply was routed to the LLM tier; resolved when no person
    was involved afterwards. Human: escalated to the queue, handed off, or answered by an agent;
    resolved when an agent closed it.
    """
    replies = Message.objects.filter(conversation=OuterRef("pk"), role=Message.Role.ASSISTANT).exclude(
        meta__contains={"draft": True}
    )
    agent_messages = Message.objects.filter(conversation=OuterRef("pk"), role=Message.Role.AGENT)
    qs = Conversation.objects.filter(created_at__gte=since).annotate(
        has_reply=Exists(replies),
        llm_reply=Exists(replies.filter(trace__route="llm")),
        human_reply=Exists(replies.filter(trace__route="human")),
        agent_spoke=Exists(agent_messages),
    )
    human = Q(escalated_at__isnull=False) | Q(human_reply=True) | Q(agent_spoke=True)
    llm = Q(llm_reply=True)
    totals = qs.aggregate(
        slm_reached=Count("pk", filter=Q(has_reply=True)),
        slm_resolved=Count("pk", filter=Q(has_reply=True) & ~llm & ~human),
        llm_reached=Count("pk", filter=llm),
        llm_resolved=Count("pk", filter=llm & ~human),
        human_reached=Count("pk", filter=human),
        human_resolved=Count("pk", filter=human & Q(owner=Conversation.Owner.CLOSED)),
    )
    return [TierResolution(t, totals[f"{t}_reached"], totals[f"{t}_resolved"]) for t in TIERS]


def reply_route_counts(*, since: datetime) -> dict[str, int]:
    """Sent assistant replies per trace route (slm, clarify, llm, human; anything else as is)."""
    rows = (
        _sent_replies(since=since)
        .annotate(route=Coalesce(KeyTextTransform("route", "trace"), Value(""), output_field=TextField()))
        .values("route")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(REPLY_ROUTES, 0)
    for row in rows:
        counts[row["route"] or "unknown"] = counts.get(row["route"] or "unknown", 0) + row["n"]
    return counts


def escalation_reason_counts(*, since: datetime) -> list[tuple[str, int]]:
    """Sent replies per escalation code (the part of ``escalation_reason`` before ":"), most first."""
    rows = (
        _sent_replies(since=since)
        .annotate(code=_reason_code())
        .exclude(code__isnull=True)
        .exclude(code="")
        .values("code")
        .annotate(n=Count("pk"))
        .order_by("-n", "code")
    )
    return [(row["code"], row["n"]) for row in rows]


@dataclass(frozen=True)
class CsatSummary:
    average: float | None
    count: int
    distribution: dict[int, int]  # score 1..5 -> conversations


def csat_summary(*, since: datetime) -> CsatSummary:
    qs = Conversation.objects.filter(created_at__gte=since, csat__isnull=False)
    totals = qs.aggregate(
        average=Avg("csat"),
        count=Count("pk"),
        **{f"s{s}": Count("pk", filter=Q(csat=s)) for s in range(1, 6)},
    )
    return CsatSummary(
        average=totals["average"],
        count=totals["count"],
        distribution={s: totals[f"s{s}"] for s in range(1, 6)},
    )


@dataclass(frozen=True)
class LatencySummary:
    replies: int
    first_token_p50: float | None
    first_token_p95: float | None
    total_p50: float | None
    total_p95: float | None


def latency_percentiles(*, since: datetime) -> LatencySummary:
    """p50/p95 of the traces' ``latency_ms.first_token`` and ``latency_ms.total`` (percentile_cont)."""
    totals = _replies(since=since).aggregate(
        replies=Count("pk"),
        first_token=Percentiles(JsonNumber("trace", "latency_ms", "first_token"), fractions=(0.5, 0.95)),
        total=Percentiles(JsonNumber("trace", "latency_ms", "total"), fractions=(0.5, 0.95)),
    )
    first_token = totals["first_token"] or [None, None]
    total = totals["total"] or [None, None]
    return LatencySummary(totals["replies"], first_token[0], first_token[1], total[0], total[1])


TOKEN_KEYS = ("slm_prompt", "slm_prompt_cached", "slm_completion", "llm_prompt", "llm_completion")


@dataclass(frozen=True)
class TokenCosts:
    tokens: dict[str, int]
    price_prompt_per_mtok: float
    price_completion_per_mtok: float

    @property
    def llm_only_cost(self) -> float:
        """Every SLM token priced at the LLM's per-token prices: the same traffic on the LLM tier.

        Cached prompt tokens count: an LLM-only deployment would have sent the whole prompt.
        """
        prompt = self.tokens["slm_prompt"] + self.tokens["slm_prompt_cached"]
        return (
            prompt * self.price_prompt_per_mtok
            + self.tokens["slm_completion"] * self.price_completion_per_mtok
        ) / 1e6

    @property
    def llm_actual_cost(self) -> float:
        return (
            self.tokens["llm_prompt"] * self.price_prompt_per_mtok
            + self.tokens["llm_completion"] * self.price_completion_per_mtok
        ) / 1e6

    @property
    def saved(self) -> float:
        return self.llm_only_cost - self.llm_actual_cost


def token_cost_summary(*, since: datetime) -> TokenCosts:
    """Token totals over every reply in the period (drafts too: the tokens were spent) and cost."""
    totals = _replies(since=since).aggregate(
        **{key: Coalesce(Sum(JsonNumber("trace", "tokens", key)), 0.0) for key in TOKEN_KEYS}
    )
    return TokenCosts(
        tokens={key: round(totals[key]) for key in TOKEN_KEYS},
        price_prompt_per_mtok=float(settings.LLM_PRICE_PROMPT_PER_MTOK),
        price_completion_per_mtok=float(settings.LLM_PRICE_COMPLETION_PER_MTOK),
    )


# --- unanswered questions ----------------------------------------------------------------------
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "#W2611340", "W2611340", "order 1042-77": a token with a run of 4+ digits, optionally lettered.
_ORDER = re.compile(r"#\s?[\w-]*\d[\w-]*|\b[a-z]{0,4}-?\d{4,}[\w-]*\b", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[^a-z]+")
STOPWORDS = frozenset(
    """a about after again all am an and any anyone anything are as at be been before being but by
    can cant could did do does dont for from get got had has have hello help hey hi how i id if im in
    into is it its ive just know let like me mine my need no not now of ok okay on or our please pls
    plz so some than thank thanks that the their them then there these they this those thx to too u
    ur us want was we were what whats when where which who why will with would yes yet you your
    youre""".split()
)


def question_normalise(text: str) -> str:
    """Lower-case, emails, order numbers and digits removed, punctuation to spaces."""
    text = _EMAIL.sub(" ", text.lower())
    text = _ORDER.sub(" ", text)
    text = _DIGITS.sub(" ", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def question_redact(text: str) -> str:
    """The question as shown and proposed as an FAQ: the shopper's email and order numbers masked."""
    text = _EMAIL.sub("[email]", text)
    return " ".join(_ORDER.sub("[order number]", text).split())


def _stem(word: str) -> str:
    # Deliberately crude: "shipping"/"shipped"/"ships" -> "ship", "returns" -> "return".
    for suffix in ("ing", "ed", "es", "s"):
        if suffix == "s" and word.endswith(("ss", "is", "us")):
            break  # "dress", "paris", "status" are not plurals
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl":
                word = word[:-1]
            break
    return word


def question_keywords(text: str) -> list[str]:
    """Content words of a normalised question (stop words out, crudely stemmed), in order, once."""
    seen: dict[str, None] = {}
    for word in text.split():
        if len(word) > 1 and word not in STOPWORDS:
            seen.setdefault(_stem(word), None)
    return list(seen)


@dataclass
class UnansweredGroup:
    key: str  # "<intent>|<kw1>+<kw2>": also stored on a draft FAQ made from the group
    intent: str
    keywords: list[str]
    count: int
    question: str  # the most typical question, redacted
    examples: list[str]
    reasons: list[tuple[str, int]]
    agent_answer: str  # the best agent answer given to one of them, redacted ("" if none)
    last_asked: datetime
    draft_faq_id: int | None = None
    draft_published: bool = False
    _normalised: Counter[str] = field(default_factory=Counter, repr=False)
    _wordings: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _reasons: Counter[str] = field(default_factory=Counter, repr=False)


def _unanswered_rows(*, since: datetime, limit: int) -> list[dict[str, Any]]:
    shopper = Message.objects.filter(role=Message.Role.SHOPPER)
    # The shopper message this reply answers (meta.reply_to), else the last one before it.
    asked = shopper.filter(pk=OuterRef("reply_to")).values("text")[:1]
    before = (
        shopper.filter(conversation=OuterRef("conversation_id"), created_at__lte=OuterRef("created_at"))
        .order_by("-created_at", "-pk")
        .values("text")[:1]
    )
    agent_answer = (
        Message.objects.filter(
            conversation=OuterRef("conversation_id"),
            role=Message.Role.AGENT,
            created_at__gte=OuterRef("created_at"),
        )
        .order_by("created_at", "pk")
        .values("text")[:1]
    )
    route = KeyTextTransform("route", "trace")
    qs = (
        _sent_replies(since=since)
        .annotate(route=route, code=_reason_code())
        .filter(
            Q(code__in=UNSURE_CODES)
            | (Q(route="human") & (Q(code__isnull=True) | ~Q(code__in=FAILURE_CODES)))
        )
        .annotate(
            # bigint, not float: the shopper-message lookup below stays a primary-key probe.
            reply_to=JsonNumber("meta", "reply_to", integer=True),
            intent=Coalesce(KeyTextTransform("intent", "trace"), Value(""), output_field=TextField()),
        )
        .annotate(
            question=Coalesce(Subquery(asked), Subquery(before), Value(""), output_field=TextField()),
            agent_answer=Coalesce(Subquery(agent_answer), Value(""), output_field=TextField()),
            csat=F("conversation__csat"),
        )
        .order_by("-created_at", "-pk")
        .values("pk", "created_at", "intent", "code", "question", "agent_answer", "csat")
    )
    return list(qs[:limit])


def _group_key(intent: str, keywords: Sequence[str]) -> str:
    return f"{intent or 'unknown'}|{'+'.join(sorted(keywords)) or '-'}"


def unanswered_question_groups(
    *, since: datetime, limit: int = UNANSWERED_SCAN_LIMIT, top: int = GROUPS_SHOWN
) -> list[UnansweredGroup]:
    """Questions the assistant could not answer with confidence, grouped, biggest group first.

    Unanswered: a sent reply whose escalation code is low_confidence or out_of_scope, or that
    handed the shopper to a person (system failures excepted). Grouping: the same intent and the
    same two keywords, chosen per question as its words most frequent over all unanswered questions
    in the period (ties: alphabetical), after normalising (lower-case; emails, order numbers and
    digits removed; stop words out).
    """
    rows = _unanswered_rows(since=since, limit=limit)
    normalised = [question_normalise(row["question"]) for row in rows]
    words = [question_keywords(text) for text in normalised]
    frequency = Counter(word for ws in words for word in ws)
    groups: dict[str, UnansweredGroup] = {}
    answers: dict[str, list[tuple[int, datetime, str]]] = {}
    for row, norm, ws in zip(rows, normalised, words, strict=True):
        if not row["question"].strip():
            continue
        keywords = sorted(sorted(ws, key=lambda w: (-frequency[w], w))[:2])
        key = _group_key(row["intent"], keywords)
        group = groups.get(key)
        if group is None:
            group = groups[key] = UnansweredGroup(
                key=key,
                intent=row["intent"] or "unknown",
                keywords=keywords,
                count=0,
                question="",
                examples=[],
                reasons=[],
                agent_answer="",
                last_asked=row["created_at"],
            )
        group.count += 1
        group._normalised[norm] += 1
        redacted = question_redact(row["question"].strip())
        group._wordings.setdefault(norm, []).append(redacted)
        if redacted not in group.examples and len(group.examples) < 3:
            group.examples.append(redacted)
        group._reasons[row["code"] or "handed_to_human"] += 1
        if row["agent_answer"].strip():
            answers.setdefault(key, []).append(
                (row["csat"] or 0, row["created_at"], row["agent_answer"].strip())
            )

    for key, group in groups.items():
        # The most typical question: the most frequent normalised form, its shortest wording.
        top_form = max(group._normalised.items(), key=lambda item: (item[1], -len(item[0])))[0]
        group.question = min(group._wordings[top_form], key=len)
        group.reasons = sorted(group._reasons.items(), key=lambda item: (-item[1], item[0]))
        if key in answers:
            # The best agent answer: from the best-rated conversation, then the most recent.
            group.agent_answer = question_redact(max(answers[key], key=lambda a: (a[0], a[1]))[2])

    ranked = sorted(groups.values(), key=lambda g: (-g.count, -g.last_asked.timestamp(), g.key))[:top]
    drafts = (
        FAQ.objects.filter(extra__analytics_group__in=[g.key for g in ranked])
        .order_by("pk")
        .values("pk", "is_published", "extra__analytics_group")
    )
    by_key = {row["extra__analytics_group"]: row for row in drafts}
    for group in ranked:
        if group.key in by_key:
            group.draft_faq_id = by_key[group.key]["pk"]
            group.draft_published = by_key[group.key]["is_published"]
    return ranked


def unanswered_group_get(*, since: datetime, key: str) -> UnansweredGroup | None:
    """One group of the period by its key (the dashboard's "create draft FAQ" button sends it)."""
    for group in unanswered_question_groups(since=since, top=10_000):
        if group.key == key:
            return group
    return None


# --- the page ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DashboardData:
    days: int
    since: datetime
    daily: list[tuple[date, int]]
    conversations: int
    tiers: list[TierResolution]
    reply_routes: dict[str, int]
    reasons: list[tuple[str, int]]
    csat: CsatSummary
    latency: LatencySummary
    costs: TokenCosts
    unanswered: list[UnansweredGroup]


def dashboard_get(*, days: int, now: datetime | None = None) -> DashboardData:
    since = period_start(days=days, now=now)
    daily = conversation_daily_counts(since=since, now=now)
    return DashboardData(
        days=days,
        since=since,
        daily=daily,
        conversations=sum(n for _, n in daily),
        tiers=route_resolution_rates(since=since),
        reply_routes=reply_route_counts(since=since),
        reasons=escalation_reason_counts(since=since),
        csat=csat_summary(since=since),
        latency=latency_percentiles(since=since),
        costs=token_cost_summary(since=since),
        unanswered=unanswered_question_groups(since=since),
    )
