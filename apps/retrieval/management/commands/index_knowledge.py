"""Build or refresh the knowledge search index in this process (no worker needed)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.retrieval.services import index_refresh


class Command(BaseCommand):
    help = "Embed new or changed FAQs, policies and products; drop chunks whose source is gone."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="re-chunk every source and compare content hashes (catches edits made with raw SQL)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = index_refresh(full=options["full"])
        self.stdout.write(json.dumps(result))
