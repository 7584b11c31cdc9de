"""manage.py seed_demo: generate the demo store and load it through the ordinary bundle importer."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.bundles.demo import STORE_NAME, demo_bundle_generate, demo_now_default
from apps.bundles.selectors import bundle_dumps
from apps.bundles.services import bundle_import
from apps.bundles.validation import BundleError


def parse_now(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--now: not an ISO 8601 date or timestamp: {text!r}") from exc
    # A bare date or a naive timestamp is taken as UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class Command(BaseCommand):
    help = (
        f"Generate the demo store ({STORE_NAME}) from a seed and import it as a store bundle. "
        "Same seed and --now give the same bundle; re-running changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument(
            "--now",
            help="reference time for order dates, ISO 8601 (default: today 00:00 UTC)",
        )
        parser.add_argument("--out", type=Path, help="also write the bundle JSON to this file")
        parser.add_argument("--no-import", action="store_true", help="only write --out, import nothing")
        parser.add_argument(
            "--prune", action="store_true", help="delete store objects the demo bundle does not list"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_now(options["now"]) if options["now"] else demo_now_default()
        if options["no_import"] and not options["out"]:
            raise CommandError("--no-import needs --out FILE")
        started = time.monotonic()
        data = demo_bundle_generate(seed=options["seed"], now=now)
        generated = time.monotonic() - started
        counts = (
            f"{len(data['products'])} products, "
            f"{sum(len(p['variants']) for p in data['products'])} variants, "
            f"{len(data['customers'])} customers, {len(data['orders'])} orders, "
            f"{len(data['faqs'])} FAQs, {len(data['policies'])} policies"
        )
        verbose = options["verbosity"] >= 1
        if verbose:
            self.stdout.write(
                f"Generated {counts} in {generated:.2f}s (seed {options['seed']}, now {now:%Y-%m-%d})."
            )
        if options["out"]:
            out = Path(options["out"])  # call_command passes keyword options unconverted
            out.write_text(bundle_dumps(data), encoding="utf-8")
            if verbose:
                self.stdout.write(f"Wrote {out}")
        if options["no_import"]:
            return
        try:
            report = bundle_import(data=data, prune=options["prune"], progress=options["verbosity"] >= 2)
        except BundleError as exc:
            # The generator and the validator disagree: a bug, shown in full.
            raise CommandError("the demo bundle was rejected:\n" + "\n".join(exc.errors)) from exc
        if verbose:
            self.stdout.write(report.summary())
        state = "changed" if report.changed else "already up to date, nothing changed"
        if verbose:
            self.stdout.write(self.style.SUCCESS(f"Demo store imported ({state}) in {report.seconds:.2f}s."))
