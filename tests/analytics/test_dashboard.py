"""The analytics dashboard: every metric on a hand-made month of conversations, permissions, the
draft-FAQ flow (unpublished, so not searchable until approved), and HTML/SVG escaping."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.analytics import charts, selectors
from apps.analytics.selectors import TierResolution
from apps.conversations.models import Message
from apps.knowledge.models import FAQ
from apps.orders.roles import STORE_ADMIN, SUPPORT_AGENT
from tests.analytics.dashboard_factories import (
    anchor_now,
    conversation_make,
    exchange_make,
    month_make,
)

pytestmark = pytest.mark.django_db

DASHBOARD = "admin:analytics_dashboard_changelist"
DRAFT = "admin:analytics_dashboard_faq_draft"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> do you sell gift cards?'
HOSTILE_CODE = "<svg onload=alert(2)>"
CHART_SVG = '<svg xmlns="http://www.w3.org/2000/svg" class="chart'


@pytest.fixture
def prices(settings: Any) -> Any:
    settings.LLM_PRICE_PROMPT_PER_MTOK = 1.0
    settings.LLM_PRICE_COMPLETION_PER_MTOK = 2.0
    return settings


@pytest.fixture
def month(prices: Any) -> dict[str, Any]:
    return month_make()


def since(month: dict[str, Any], days: int = 30):
    return selectors.period_start(days=days, now=month["anchor"])


# --- metrics -------------------------------------------------------------------------------------
def test_period_is_today_and_the_days_before_from_local_midnight(month) -> None:
    start = since(month, 7)
    assert timezone.localtime(start).time().isoformat() == "00:00:00"
    assert timezone.localtime(month["anchor"]).date() - timezone.localtime(start).date() == timedelta(days=6)
    assert selectors.period_clean("90") == 90
    assert selectors.period_clean("13") == 30
    assert selectors.period_clean("'; DROP TABLE") == 30


def test_conversations_per_day(month) -> None:
    daily = selectors.conversation_daily_counts(since=since(month), now=month["anchor"])

    assert len(daily) == 30
    assert daily[-1] == (timezone.localtime(month["anchor"]).date(), 3)  # C1, C8, C9
    assert [n for _, n in daily[-6:]] == [1, 0, 1, 2, 1, 3]  # 5, 4, 3, 2, 1, 0 days ago
    assert sum(n for _, n in daily) == 8  # C7 is 40 days old
    assert (
        sum(n for _, n in selectors.conversation_daily_counts(since=since(month, 90), now=month["anchor"]))
        == 9
    )


def test_resolution_rate_by_route(month) -> None:
    tiers = selectors.route_resolution_rates(since=since(month))

    assert tiers == [
        TierResolution("slm", reached=7, resolved=3),  # C1, C2, C6 (C8 only has a draft)
        TierResolution("llm", reached=1, resolved=1),  # C3
        TierResolution("human", reached=4, resolved=1),  # C4, C5, C8, C9; C4 closed by the agent
    ]
    assert tiers[0].rate == pytest.approx(3 / 7)
    assert tiers[2].percent == pytest.approx(25.0)


def test_reply_routes_and_escalation_reasons_exclude_drafts(month) -> None:
    assert selectors.reply_route_counts(since=since(month)) == {"slm": 4, "clarify": 1, "llm": 1, "human": 3}
    assert selectors.escalation_reason_counts(since=since(month)) == [
        ("low_confidence", 2),
        ("asked_for_human", 1),
        ("error", 1),
        ("out_of_scope", 1),
    ]
    assert selectors.escalation_reason_counts(since=since(month, 90))[0] == ("low_confidence", 3)


def test_csat(month) -> None:
    csat = selectors.csat_summary(since=since(month))
    assert (csat.average, csat.count) == (4.0, 2)
    assert csat.distribution == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}

    csat90 = selectors.csat_summary(since=since(month, 90))
    assert (csat90.average, csat90.count, csat90.distribution[1]) == (3.0, 3, 1)


def test_latency_percentiles_ignore_malformed_values(month) -> None:
    latency = selectors.latency_percentiles(since=since(month))

    # first_token of 10 replies, one a string: 0 10 50 100 100 200 300 500 1000 -> p50 100,
    # p95 = 500 + 0.6 * (1000 - 500); total (one null): 20 30 100 100 200 400 500 600 2000.
    assert latency.replies == 10
    assert latency.first_token_p50 == pytest.approx(100)
    assert latency.first_token_p95 == pytest.approx(800)
    assert latency.total_p50 == pytest.approx(200)
    assert latency.total_p95 == pytest.approx(1440)


def test_tokens_and_cost_saved_versus_llm_only(month) -> None:
    costs = selectors.token_cost_summary(since=since(month))

    assert costs.tokens == {
        "slm_prompt": 1800,  # the draft's 1000 included: the work was done
        "slm_prompt_cached": 150,
        "slm_completion": 65,
        "llm_prompt": 400,
        "llm_completion": 100,
    }
    # $1 / $2 per million: LLM-only (1800 + 150) * 1 + 65 * 2; spent 400 * 1 + 100 * 2.
    assert costs.llm_only_cost == pytest.approx(2080e-6)
    assert costs.llm_actual_cost == pytest.approx(600e-6)
    assert costs.saved == pytest.approx(1480e-6)


def test_unanswered_questions_grouped(month) -> None:
    groups = selectors.unanswered_question_groups(since=since(month))

    assert [(g.key, g.count) for g in groups] == [
        ("shipping_delivery|canada+ship", 2),
        ("complaint_or_human|email+order", 1),  # 3 days ago
        ("out_of_scope|paris+weather", 1),  # 5 days ago; the error (C9) is not a knowledge gap
    ]
    ship = groups[0]
    assert ship.question == "Do you ship to Canada?"  # the shorter of two equally frequent forms
    assert sorted(ship.examples) == ["Do you ship to Canada?", "can you ship to canada??"]
    assert ship.reasons == [("low_confidence", 2)]
    assert ship.agent_answer == "Yes, we ship to Canada in 5-7 days. Mail me at [email]"
    person = groups[1]
    assert person.question == "I want to talk to a person about order [order number], my email [email]"
    assert person.reasons == [("asked_for_human", 1)]
    assert person.agent_answer == ""


def test_question_normalisation() -> None:
    text = "Where's ORDER #W2611340?? email Me@Example.com, 2 pairs, ref 88231-A"
    assert selectors.question_normalise(text) == "where s order email pairs ref"
    assert selectors.question_keywords("shipping shipped ships to the returns") == ["ship", "return"]
    assert selectors.question_redact(text) == (
        "Where's ORDER [order number]?? email [email], 2 pairs, ref [order number]"
    )


def test_dashboard_get_assembles_the_period(month) -> None:
    data = selectors.dashboard_get(days=7, now=month["anchor"])
    assert data.days == 7
    assert data.conversations == 8
    assert len(data.daily) == 7


# --- charts --------------------------------------------------------------------------------------
def test_charts_escape_labels_and_titles() -> None:
    for chart in (charts.bar_chart, charts.hbar_chart, charts.line_chart):
        svg = str(chart(data=[(HOSTILE, 3.0), ("ok & fine", 1.0)], title='<b>"title"</b>'))
        assert svg.startswith("<svg")
        assert svg.endswith("</svg>")
        assert "<script" not in svg
        assert "<img" not in svg
        assert "<b>" not in svg
        assert "&lt;script&gt;" in svg
        assert "ok &amp; fine" in svg
        assert "&lt;b&gt;&quot;title&quot;&lt;/b&gt;" in svg


def test_bar_heights_are_proportional() -> None:
    svg = str(charts.bar_chart(data=[("a", 10), ("b", 5), ("c", 0)], title="t", height=220))
    heights = [float(h) for h in re.findall(r'<rect class="bar"[^>]* height="([0-9.]+)"', svg)]
    assert heights == [168.0, 84.0, 0.0]  # plot height 220 - 18 - 34
    assert "No data" in str(charts.line_chart(data=[], title="t"))


# --- the page and permissions ------------------------------------------------------------------
def _user(username: str, *, staff: bool = True, perms: tuple[str, ...] = (), group: str | None = None):
    user = get_user_model().objects.create_user(username, password="pw-123456789", is_staff=staff)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture
def admin_client_(client):
    admin = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-123456789")
    client.force_login(admin)
    return client


def test_anonymous_and_non_staff_are_sent_to_the_login(client) -> None:
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))

    client.force_login(_user("shopper", staff=False))
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_the_permission_get_403(client) -> None:
    agent = _user("agent1", group=SUPPORT_AGENT, perms=("knowledge.add_faq",))
    client.force_login(agent)

    assert client.get(reverse(DASHBOARD)).status_code == 403
    assert client.post(reverse(DRAFT), {"group": "x", "days": "30"}).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "Analytics dashboard" not in index
    assert FAQ.objects.count() == 0


@pytest.mark.parametrize(
    ("perms", "group"),
    [(("analytics.view_analytics",), None), ((), STORE_ADMIN)],
    ids=["permission", "store-admin-group"],
)
def test_view_analytics_permission_or_store_admins_see_it(client, perms, group) -> None:
    client.force_login(_user("viewer", perms=perms, group=group))

    response = client.get(reverse(DASHBOARD))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Conversations per day" in page
    assert "Create draft FAQ" not in page  # no knowledge.add_faq: no button
    assert 'href="/admin/analytics/dashboard/"' in client.get(reverse("admin:index")).content.decode()


def test_url_is_under_admin_analytics() -> None:
    assert reverse(DASHBOARD) == "/admin/analytics/dashboard/"


def test_page_renders_every_section(month, admin_client_) -> None:
    response = admin_client_.get(reverse(DASHBOARD), {"days": "7"})

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(CHART_SVG) == 6  # daily, tiers, routes, reasons, csat, latency
    assert 'data-days="7"' in page
    assert 'class="selected" data-days="7"' in page
    assert re.search(r'id="kpi-conversations">8<', page)
    assert 'id="cost-saved">$0.0015<' in page
    assert "LLM_PRICE_PROMPT_PER_MTOK" in page  # the formula is on the page
    assert "Do you ship to Canada?" in page
    assert page.count("Create draft FAQ") == 3
    assert "bob@example.com" not in page
    assert "#W123456" not in page


def test_period_filter_changes_the_numbers(month, admin_client_) -> None:
    page90 = admin_client_.get(reverse(DASHBOARD), {"days": "90"}).content.decode()
    page_bad = admin_client_.get(reverse(DASHBOARD), {"days": "1000"}).content.decode()
    assert re.search(r'id="kpi-conversations">9<', page90)
    assert 'class="selected" data-days="30"' in page_bad


def test_hostile_question_and_reason_are_escaped_in_page_and_svg(admin_client_) -> None:
    anchor = anchor_now()
    conversation = conversation_make(anchor=anchor, days_ago=0)
    exchange_make(
        conversation=conversation,
        question=HOSTILE,
        route="human",
        intent="product_question",
        reason=f"{HOSTILE_CODE}: detail",
    )

    page = admin_client_.get(reverse(DASHBOARD)).content.decode()

    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<svg onload" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page  # the question, as text
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    reasons_svg = next(s for s in svgs if "Escalation reasons" in s)
    assert "&lt;svg onload=alert(2)&gt;" in reasons_svg


# --- draft FAQ flow ------------------------------------------------------------------------------
@pytest.fixture
def fake_search(settings: Any):
    settings.EMBEDDING_BACKEND = "apps.inference.embeddings.FakeEmbedder"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "analytics-tests"}
    }
    from apps.inference.embeddings import embedder_reset

    cache.clear()
    embedder_reset()
    yield
    embedder_reset()
    cache.clear()


def _found(query: str) -> list[str]:
    from apps.retrieval.selectors import knowledge_search
    from apps.retrieval.services import index_refresh

    index_refresh()
    return [hit.external_id for hit in knowledge_search(query=query, k=10)]


def test_create_draft_faq_is_unpublished_and_unsearchable_until_approved(
    month, admin_client_, fake_search
) -> None:
    FAQ.objects.create(external_id="faq-returns", question="How do I return?", answer="Within 30 days.")
    key = "shipping_delivery|canada+ship"

    # when the admin clicks "Create draft FAQ" on the group
    response = admin_client_.post(reverse(DRAFT), {"group": key, "days": "30"})

    # then an unpublished FAQ exists, prefilled, and its change form opens
    faq = FAQ.objects.get(extra__analytics_group=key)
    assert response.status_code == 302
    assert response.url == reverse("admin:knowledge_faq_change", args=[faq.pk])
    assert faq.is_published is False
    assert faq.external_id.startswith("draft-shipping_delivery-")
    assert faq.question == "Do you ship to Canada?"
    assert faq.answer == "Yes, we ship to Canada in 5-7 days. Mail me at [email]"
    assert faq.extra["asked"] == 2
    form = admin_client_.get(response.url).content.decode()
    assert re.search(r'<input type="checkbox" name="is_published" id="id_is_published"\s*>', form)

    # a second click opens the same draft
    again = admin_client_.post(reverse(DRAFT), {"group": key, "days": "30"})
    assert again.url == response.url
    assert FAQ.objects.filter(extra__analytics_group=key).count() == 1

    # the dashboard now links to the draft instead of offering a new one
    page = admin_client_.get(reverse(DASHBOARD)).content.decode()
    assert "Open draft FAQ" in page
    assert page.count("Create draft FAQ") == 2

    # not searchable while a draft
    assert faq.external_id not in _found("ship to Canada")

    # when the admin approves it in the FAQ change form (ticks "Is published")
    saved = admin_client_.post(
        response.url,
        {
            "external_id": faq.external_id,
            "question": faq.question,
            "answer": "Yes: Canada in 5-7 business days.",
            "tags": "shipping_delivery",
            "is_published": "on",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]

    # then it goes live
    faq.refresh_from_db()
    assert faq.is_published is True
    assert faq.external_id in _found("ship to Canada")


def test_draft_of_a_group_no_longer_in_the_period(month, admin_client_) -> None:
    response = admin_client_.post(reverse(DRAFT), {"group": "nope|x", "days": "7"})
    assert response.status_code == 302
    assert response.url == reverse(DASHBOARD) + "?days=7"
    assert FAQ.objects.count() == 0
    assert admin_client_.get(reverse(DRAFT)).status_code == 405


def test_draft_needs_the_add_faq_permission(month, client) -> None:
    client.force_login(_user("viewer", perms=("analytics.view_analytics",)))
    response = client.post(reverse(DRAFT), {"group": "shipping_delivery|canada+ship", "days": "30"})
    assert response.status_code == 403
    assert FAQ.objects.count() == 0


def test_dashboard_runs_a_fixed_number_of_queries(month, django_assert_num_queries) -> None:
    # daily, tiers, routes, reasons, csat, latency, tokens, unanswered rows, their drafts
    with django_assert_num_queries(9):
        selectors.dashboard_get(days=30, now=month["anchor"])


def test_a_reply_without_a_usable_reply_to_takes_the_last_question_before_it() -> None:
    anchor = anchor_now()
    conversation = conversation_make(anchor=anchor, days_ago=0)
    _, reply = exchange_make(
        conversation=conversation, question="Can I pay with crypto?", route="human", reason="low_confidence"
    )
    Message.objects.filter(pk=reply.pk).update(meta={"reply_to": "junk"})

    groups = selectors.unanswered_question_groups(since=selectors.period_start(days=7, now=anchor))

    assert [g.question for g in groups] == ["Can I pay with crypto?"]
