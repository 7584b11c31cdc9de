"""manage.py ensure_demo_users: the demo "admin" superuser and "agent" support agent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.orders.roles import CREDENTIALS_FILE, demo_users_ensure


class Command(BaseCommand):
    help = (
        "Create the demo accounts: superuser 'admin' and support agent 'agent'. Passwords come from "
        f"DEMO_ADMIN_PASSWORD / DEMO_AGENT_PASSWORD, or are generated once into DATA_DIR/{CREDENTIALS_FILE}."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for account in demo_users_ensure():
            state = "created" if account.created else "exists"
            if account.password is None:
                shown = "(changed since it was generated; not shown)"
            else:
                shown = f"password {account.password}"
            self.stdout.write(f"{account.username:<6} {shown}  [{state}, {account.source}]")
