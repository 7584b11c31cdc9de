"""manage.py import_store FILE [--prune] [--dry-run]: load a store bundle (see STORE_BUNDLE.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.bundles.services import bundle_import, bundle_load
from apps.bundles.validation import BundleError

# Enough errors to act on without flooding the terminal; the count says how many were left out.
MAX_PRINTED_ERRORS = 50


class Command(BaseCommand):
    help = "Import a store bundle (.json or .json.gz): validated whole, applied in one transaction."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="bundle file (.json or .json.gz)")
        parser.add_argument("--prune", action="store_true", help="delete objects the bundle does not list")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and count changes; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        progress = verbosity > 0 and sys.stderr.isatty()
        try:
            data = bundle_load(path=options["file"])
            report = bundle_import(
                data=data, prune=options["prune"], dry_run=options["dry_run"], progress=progress
            )
        except BundleError as exc:
            for error in exc.errors[:MAX_PRINTED_ERRORS]:
                self.stderr.write(f"  {error}")
            hidden = len(exc.errors) - MAX_PRINTED_ERRORS
            if hidden > 0:
                self.stderr.write(f"  ... and {hidden} more errors")
            count = len(exc.errors)
            raise CommandError(
                f"bundle rejected ({count} error{'s' if count != 1 else ''}); the database was not changed"
            ) from None
        if verbosity > 0:
            self.stdout.write(report.summary())
            if report.dry_run:
                verdict = "dry run: nothing written" + (
                    "" if report.changed else " (and nothing would change)"
                )
            else:
                verdict = "imported" if report.changed else "already up to date: nothing changed"
            self.stdout.write(self.style.SUCCESS(f"{verdict} in {report.seconds:.1f}s"))
