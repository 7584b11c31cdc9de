"""`manage.py run_platform`: set up the database and demo store, then run every process."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from supportbot.supervisor import Supervisor, platform_programs


class Command(BaseCommand):
    help = "Migrate, load the demo store if the database is empty, then run web and workers."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo store")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        from apps.catalog.models import Product
        from apps.orders.roles import demo_users_ensure

        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database migrated")
        call_command("setup_roles", verbosity=0)
        if not options["no_demo"] and not Product.objects.exists():
            self.stdout.write("loading the demo store ...")
            call_command("seed_demo")
        accounts = {account.username: account for account in demo_users_ensure()}
        call_command("index_knowledge")

        base = f"http://{options['host']}:{options['port']}"

        def login(username: str) -> str:
            account = accounts.get(username)
            password = account.password if account and account.password else "(the one you set)"
            return f"(user {username}, password {password})"

        self.stdout.write(
            self.style.SUCCESS(
                "\nSupportbot is starting:\n"
                f"  shop page with the chat widget  {base}/\n"
                f"  agent console                   {base}/helpdesk/  {login('agent')}\n"
                f"  store admin                     {base}/admin/    {login('admin')}\n"
                "Press Ctrl-C to stop everything.\n"
            )
        )
        supervisor = Supervisor(
            platform_programs(host=options["host"], port=options["port"]),
            log=lambda line: self.stdout.write(f"[supervisor] {line}"),
        )
        raise SystemExit(supervisor.run())
