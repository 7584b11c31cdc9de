from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.training.dataset import training_set_build, training_sets_merge


class Command(BaseCommand):
    help = "Build train.jsonl / test.jsonl / manifest.json from the store in the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, default=None, help="output dir (default: data dir)")
        parser.add_argument("--seed", type=int, default=1234)
        parser.add_argument("--limit", type=int, default=0, help="cap on examples (0: all)")
        parser.add_argument("--variants", type=int, default=2, help="noisy rephrasings per template use")
        parser.add_argument(
            "--merge",
            type=Path,
            nargs="+",
            help="instead: pool sets already built on other stores (their dirs) into --out",
        )

    def handle(self, *args: object, **opts: object) -> None:
        if opts["merge"]:
            if opts["out"] is None:
                raise CommandError("--merge needs --out")
            manifest = training_sets_merge(dirs=opts["merge"], out_dir=opts["out"], seed=opts["seed"])
            self.stdout.write(json.dumps({k: manifest[k] for k in ("dir", "sha256", "counts")}, indent=2))
            return
        manifest = training_set_build(
            out_dir=opts["out"], seed=opts["seed"], limit=opts["limit"], variants=opts["variants"]
        )
        self.stdout.write(json.dumps({k: manifest[k] for k in ("dir", "sha256", "counts")}, indent=2))
