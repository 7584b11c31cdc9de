"""manage.py setup_roles: create or update the "Store admin" and "Support agent" groups."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.orders.roles import roles_setup


class Command(BaseCommand):
    help = (
        "Create or update the staff groups: Store admin (everything in the Supportbot apps) and "
        "Support agent (view catalog, knowledge and orders; work conversations). Safe to re-run: "
        "it picks up permissions of models added since."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for group, count in roles_setup().items():
            self.stdout.write(f"{group}: {count} permissions")
