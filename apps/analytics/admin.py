"""The dashboard's place in Django admin: /admin/analytics/dashboard/.

``Dashboard`` has no table; this ModelAdmin only lends the admin index entry, the permission
check and the URLs. Nothing is registered on other apps' models.
"""

from __future__ import annotations

from functools import partial

from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, path

from apps.analytics import views
from apps.analytics.models import Dashboard


@admin.register(Dashboard)
class DashboardAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return views.analytics_allowed(request.user)

    def has_view_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return views.analytics_allowed(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            # The changelist name: the admin index links "Analytics dashboard" here.
            path(
                "",
                wrap(partial(views.dashboard, site=self.admin_site)),
                name="analytics_dashboard_changelist",
            ),
            path(
                "faq-draft/",
                wrap(partial(views.faq_draft, site=self.admin_site)),
                name="analytics_dashboard_faq_draft",
            ),
        ]
