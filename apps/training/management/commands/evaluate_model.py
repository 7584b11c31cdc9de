from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.inference.models import ModelVersion
from apps.training.services import model_version_evaluate


class Command(BaseCommand):
    help = (
        "Evaluate a model version on its held-out split and the labelled question set against the "
        "active model; promote it only if no guarded metric is worse."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: object) -> CommandParser:
        # The option is called --version (the issue names it so); it replaces Django's own here.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--version", default=None, help="ModelVersion id or name (default: newest)")
        parser.add_argument("--dataset", type=Path, default=None, help="set dir (default: the version's)")
        parser.add_argument("--limit", type=int, default=0, help="held-out rows per job (0: all)")
        parser.add_argument("--questions", type=Path, default=None, help="labelled questions JSONL")
        parser.add_argument("--questions-limit", type=int, default=0)

    def handle(self, *args: object, **o: object) -> None:
        ref = o["version"]
        qs = ModelVersion.objects.all()
        if ref:
            version = qs.filter(pk=int(ref)).first() if str(ref).isdigit() else qs.filter(name=ref).first()
        else:
            version = qs.exclude(adapter_file="").order_by("-created_at").first()
        if version is None:
            raise CommandError(f"no model version {ref or ''}".strip())
        dataset = o["dataset"] or Path(version.hyperparameters.get("dataset_dir", ""))
        if not (dataset / "test.jsonl").is_file():
            raise CommandError(f"no held-out split at {dataset}: pass --dataset")
        promoted, reason = model_version_evaluate(
            version=version, dataset_dir=dataset, limit=o["limit"], questions_limit=o["questions_limit"],
            questions_path=o["questions"],
        )  # fmt: skip
        version.refresh_from_db()
        out = {k: version.metrics.get(k) for k in ("held_out", "baseline", "gate")}
        self.stdout.write(json.dumps(out, indent=2, default=str))
        self.stdout.write(f"{version.name}: {'promoted' if promoted else 'not promoted'}: {reason}")
