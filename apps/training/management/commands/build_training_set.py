from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from apps.training.dataset import training_set_build


class Command(BaseCommand):
    help = "Build train.jsonl / test.jsonl / manifest.json from the store in the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, default=None, help="output dir (default: data dir)")
        parser.add_argument("--seed", type=int, default=1234)
        parser.add_argument("--limit", type=int, default=0, help="cap on examples (0: all)")
        parser.add_argument("--variants", type=int, default=2, help="noisy rephrasings per template use")

    def handle(self, *args: object, **opts: object) -> None:
        manifest = training_set_build(
            out_dir=opts["out"], seed=opts["seed"], limit=opts["limit"], variants=opts["variants"]
        )
        self.stdout.write(json.dumps({k: manifest[k] for k in ("dir", "sha256", "counts")}, indent=2))
