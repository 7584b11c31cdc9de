"""manage.py generate_store --kind KIND --out FILE: write a generated store bundle (see STORE_BUNDLE.md)."""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.bundles.demo import demo_now_default
from apps.bundles.kinds import STORE_KINDS, store_bundle_generate
from apps.bundles.management.commands.seed_demo import parse_now
from apps.bundles.selectors import bundle_dumps


def _write(path: Path, payload: bytes) -> None:
    # Write beside the target and rename, so a failed write never leaves half a bundle.
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except OSError as exc:
        raise CommandError(f"{path}: cannot write: {exc.strerror or exc}") from None


class Command(BaseCommand):
    help = (
        "Generate a store bundle of another kind of store than the demo (general merchandise, "
        "pharmacy, home and kitchen, outdoor and sports) and write it to FILE for import_store. "
        "Same kind, seed and --now give the same bytes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=STORE_KINDS, help="which kind of store")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument(
            "--now", help="reference time for order dates, ISO 8601 (default: today 00:00 UTC)"
        )
        parser.add_argument(
            "--out", required=True, type=Path, help="bundle file to write (.json or .json.gz)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_now(options["now"]) if options["now"] else demo_now_default()
        data = store_bundle_generate(options["kind"], seed=options["seed"], now=now)
        payload = bundle_dumps(data).encode("utf-8")
        out = Path(options["out"])  # call_command passes keyword options unconverted
        if out.name.endswith(".gz"):
            # mtime=0 and no file name in the header: the same bundle gives the same bytes.
            payload = gzip.compress(payload, mtime=0)
        _write(out, payload)
        if options["verbosity"] >= 1:
            counts = ", ".join(
                f"{len(data[key])} {key}" for key in ("products", "customers", "orders", "faqs", "policies")
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {data['store']['name']} ({options['kind']}, seed {options['seed']}, "
                    f"now {now:%Y-%m-%d}): {counts} to {out} ({len(payload):,} bytes)"
                )
            )
