"""Analytics has no tables of its own: it reads everyone else's. This model only carries the
"view analytics" permission and gives the dashboard its place in the admin index."""

from __future__ import annotations

from django.db import models


class Dashboard(models.Model):
    class Meta:
        managed = False  # no table: never queried
        default_permissions = ()
        permissions = [("view_analytics", "Can view the analytics dashboard")]
        verbose_name = "analytics dashboard"
        verbose_name_plural = "analytics dashboard"

    def __str__(self) -> str:
        return "Analytics dashboard"
