"""manage.py export_store FILE: write the store as a bundle (see STORE_BUNDLE.md)."""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.bundles.selectors import bundle_dumps, bundle_export


class Command(BaseCommand):
    help = "Export the store as a bundle: FILE ending in .gz is gzipped, '-' writes to stdout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="output file (.json or .json.gz), or - for stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        data = bundle_export(progress=verbosity > 0 and sys.stderr.isatty())
        payload = bundle_dumps(data).encode("utf-8")
        target = options["file"]
        if target == "-":
            self.stdout.write(payload.decode("utf-8"), ending="")
            return
        path = Path(target)
        if path.name.endswith(".gz"):
            # mtime=0 and no file name in the header: the same data gives the same bytes.
            payload = gzip.compress(payload, mtime=0)
        # Write beside the target and rename, so a failed export never leaves half a bundle.
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            os.replace(tmp, path)
        except OSError as exc:
            raise CommandError(f"{path}: cannot write: {exc.strerror or exc}") from None
        if verbosity > 0:
            self.stdout.write(
                self.style.SUCCESS(
                    f"exported {len(data['products'])} products, {len(data['customers'])} customers, "
                    f"{len(data['orders'])} orders, {len(data['faqs'])} FAQs, "
                    f"{len(data['policies'])} policies to {path} ({len(payload):,} bytes)"
                )
            )
