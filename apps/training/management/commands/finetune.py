from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.training.models import TrainingRun
from apps.training.services import training_run_create, training_run_execute, training_run_resumable


class Command(BaseCommand):
    help = (
        "Fine-tune a LoRA adapter on the store's data (build set, train, export GGUF, evaluate, gate). "
        "--ship writes the adapter to models/support-adapter.gguf if it passes the gate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--steps", type=int, default=None)
        parser.add_argument("--tiny", action="store_true", help="a few dozen examples, 3 steps, r=4, len 128")
        parser.add_argument("--resume", action="store_true", help="continue the last unfinished run")
        parser.add_argument("--ship", action="store_true", help="copy a promoted adapter to models/")
        parser.add_argument("--force-ship", action="store_true", help="ship even if the gate rejects it")
        parser.add_argument("--dataset", type=Path, default=None, help="a built set (default: build one)")
        parser.add_argument("--seed", type=int, default=1234)
        parser.add_argument("--limit", type=int, default=0, help="cap on examples when building")
        parser.add_argument("--no-evaluate", action="store_true")
        parser.add_argument("--eval-limit", type=int, default=0, help="held-out rows per job (0: all)")
        parser.add_argument("--questions-limit", type=int, default=0, help="labelled questions (0: all)")
        parser.add_argument("--threads", type=int, default=0)

    def handle(self, *args: object, **o: object) -> None:
        config: dict[str, object] = {"seed": o["seed"]}
        if o["steps"]:
            config["steps"] = o["steps"]
        if o["threads"]:
            config["threads"] = o["threads"]
        params = {
            "tiny": o["tiny"],
            "config": config,
            "seed": o["seed"],
            "limit": o["limit"] or (48 if o["tiny"] else 0),
            "dataset_dir": str(o["dataset"].resolve()) if o["dataset"] else "",
            "evaluate": not o["no_evaluate"],
            "eval_limit": o["eval_limit"] or (6 if o["tiny"] else 0),
            "questions_limit": o["questions_limit"] or (20 if o["tiny"] else 0),
            "ship": o["ship"] or o["force_ship"],
            "force_ship": o["force_ship"],
        }
        run = training_run_resumable(params=params) if o["resume"] else None
        if o["resume"] and run is None:
            raise CommandError("no unfinished run with these parameters has a checkpoint")
        if run is None:
            run = training_run_create(params=params, enqueue=False)
        TrainingRun.objects.filter(pk=run.pk).update(status=TrainingRun.Status.RUNNING)
        run.refresh_from_db()
        training_run_execute(run=run, resume=bool(o["resume"]), show_bar=True)
        run.refresh_from_db()
        self.stdout.write(run.log)
        if run.model_version_id:
            self.stdout.write(f"model version {run.model_version.name}: {run.model_version.adapter_file}")
