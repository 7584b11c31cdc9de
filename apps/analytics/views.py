"""The analytics dashboard in Django admin, and its "create a draft FAQ" button.

Views parse, authorise and delegate: the numbers come from ``selectors``, the one write from
``services``. Both views are mounted by ``apps.analytics.admin`` (admin_view: staff login).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.analytics import charts, selectors, services
from apps.orders.roles import STORE_ADMIN

VIEW_PERMISSION = "analytics.view_analytics"


def analytics_allowed(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Active staff with the "view analytics" permission, superusers, or Store admins."""
    if not (user.is_active and getattr(user, "is_staff", False)):
        return False
    if user.has_perm(VIEW_PERMISSION):  # superusers have every permission
        return True
    # Store admins see it even before `setup_roles` has granted the new permission to the group.
    return user.groups.filter(name=STORE_ADMIN).exists()  # type: ignore[union-attr]


def _percent(value: float) -> str:
    return f"{value:.0f}%"


def _ms(value: float) -> str:
    return f"{value:,.0f} ms"


def _charts(data: selectors.DashboardData) -> dict[str, str]:
    every = max(1, len(data.daily) // 10)
    daily = [(day.strftime("%b %d"), float(n)) for day, n in data.daily]
    tiers = [(f"{t.tier.upper()} ({t.resolved}/{t.reached})", 100.0 * (t.rate or 0.0)) for t in data.tiers]
    latency = data.latency
    latency_bars = [
        (label, value)
        for label, value in (
            ("first token p50", latency.first_token_p50),
            ("first token p95", latency.first_token_p95),
            ("total p50", latency.total_p50),
            ("total p95", latency.total_p95),
        )
        if value is not None
    ]
    return {
        "daily": charts.line_chart(data=daily, title="Conversations per day", label_every=every, width=1000),
        "tiers": charts.hbar_chart(
            data=tiers, title="Resolution rate by route", value_format=_percent, max_value=100
        ),
        "routes": charts.hbar_chart(
            data=[(route, float(n)) for route, n in data.reply_routes.items()], title="Replies by route"
        ),
        "reasons": charts.hbar_chart(
            data=[(code, float(n)) for code, n in data.reasons], title="Escalation reasons"
        ),
        "csat": charts.bar_chart(
            data=[(f"{score} ★", float(n)) for score, n in data.csat.distribution.items()],
            title="CSAT distribution",
            width=320,
        ),
        "latency": charts.bar_chart(
            data=latency_bars, title="Latency percentiles", value_format=_ms, width=420
        ),
    }


def dashboard(request: HttpRequest, *, site: admin.AdminSite) -> HttpResponse:
    if not analytics_allowed(request.user):
        raise PermissionDenied
    days = selectors.period_clean(request.GET.get("days"))
    data = selectors.dashboard_get(days=days)
    can_add_faq = request.user.has_perm("knowledge.add_faq")
    context: dict[str, Any] = {
        **site.each_context(request),
        "title": "Analytics dashboard",
        "data": data,
        "charts": _charts(data),
        "periods": selectors.PERIODS,
        "today": timezone.localdate(),
        "can_add_faq": can_add_faq,
        "draft_url": reverse("admin:analytics_dashboard_faq_draft"),
        "faq_change_url": reverse("admin:knowledge_faq_changelist"),
    }
    request.current_app = site.name
    return TemplateResponse(request, "admin/analytics/dashboard.html", context)


@require_POST
def faq_draft(request: HttpRequest, *, site: admin.AdminSite) -> HttpResponse:
    if not analytics_allowed(request.user) or not request.user.has_perm("knowledge.add_faq"):
        raise PermissionDenied
    days = selectors.period_clean(request.POST.get("days"))
    key = request.POST.get("group", "")
    # The group is recomputed from the database: the form only names it.
    group = selectors.unanswered_group_get(since=selectors.period_start(days=days), key=key)
    if group is None:
        messages.error(request, "That group of questions is no longer in the period: reload the dashboard.")
        return HttpResponseRedirect(reverse("admin:analytics_dashboard_changelist") + f"?days={days}")
    faq, created = services.faq_draft_create(group=group)
    messages.info(
        request,
        ("Draft FAQ created." if created else "A draft FAQ for these questions already exists.")
        + " Review it, write the answer, then tick “Is published” and save: until then the assistant"
        " does not use it.",
    )
    return HttpResponseRedirect(reverse("admin:knowledge_faq_change", args=[faq.pk]))
