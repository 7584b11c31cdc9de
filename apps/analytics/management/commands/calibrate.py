"""``manage.py calibrate``: per-intent confidence thresholds from the calibration split.

    manage.py calibrate [--target 0.02] [--confidence 0.9] [--split calibration] [--traces FILE] [--dry-run]

Chooses, per intent, the threshold that maximises the share of questions the SLM resolves
correctly subject to a budget of confidently-wrong answers over the whole split: the most whose
one-sided --confidence upper bound on the rate stays ≤ --target (``wrong_budget`` and
``thresholds_calibrate`` in apps.analytics.evaluation), writes them to IntentThreshold and prints before
and after. The set is run ungated through the ``ask`` code (or --traces from ``evaluate``'s
traces_ungated.jsonl of the same split is reused, which saves the CPU time of a second run).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.analytics import evaluation as ev
from apps.analytics.management.commands.evaluate import subset, traces_read


class Command(BaseCommand):
    help = "Calibrate per-intent thresholds on the calibration split and store them (IntentThreshold)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--target", type=float, default=0.02, help="max confidently-wrong rate (0.02)")
        parser.add_argument(
            "--confidence",
            type=float,
            default=ev.CALIBRATION_CONFIDENCE,
            help="confidence that the rate on new questions stays ≤ target (0.9): the wrong-answer budget",
        )
        parser.add_argument("--split", default="calibration", choices=["calibration", "test", "all"])
        parser.add_argument(
            "--traces", type=Path, help="ungated traces of this split from manage.py evaluate"
        )
        parser.add_argument("--limit", type=int)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--dry-run", action="store_true", help="print, store nothing")
        parser.add_argument("--force", action="store_true", help="run even if the store does not match")
        parser.add_argument("--questions-dir", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["target"] < 1:
            raise CommandError("--target must be in [0, 1)")
        if not 0 < options["confidence"] < 1:
            raise CommandError("--confidence must be in (0, 1)")
        if options["split"] == "test":
            self.stderr.write("WARNING: calibrating on the test split makes its figures optimistic.")
        meta = ev.questions_meta(directory=options["questions_dir"])
        questions = subset(
            ev.questions_load(split=options["split"], directory=options["questions_dir"]), options["limit"]
        )
        if options["traces"]:
            by_id = {t.get("id"): t for t in traces_read(options["traces"])}
            missing = [q["id"] for q in questions if q["id"] not in by_id]
            if missing:
                raise CommandError(
                    f"{len(missing)} questions have no trace in {options['traces']}, e.g. {missing[:3]}"
                )
            traces = [by_id[q["id"]] for q in questions]
        else:
            ok, message = ev.store_check(meta=meta)
            if not ok and not options["force"]:
                raise CommandError(message)
            self.stdout.write(f"{message}\nRunning {len(questions)} questions ungated ...")
            with ev.eval_environment(ungated=True, clock=ev.meta_now(meta)):
                traces = ev.run_questions(
                    questions=questions, workers=options["workers"], progress=self._progress
                )
            sys.stderr.write("\n")

        current = ev.current_thresholds()
        result = ev.thresholds_calibrate(
            questions=questions,
            traces_ungated=traces,
            target=options["target"],
            current=current,
            confidence=options["confidence"],
        )
        self.print_result(result, questions=questions, traces=traces, current=current)
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing stored.")
            return
        from apps.assistant.models import IntentThreshold

        with transaction.atomic():
            for intent, threshold in result["thresholds"].items():
                IntentThreshold.objects.update_or_create(
                    intent=intent, defaults={"threshold": float(threshold)}
                )
        self.stdout.write(
            self.style.SUCCESS(f"Stored {len(result['thresholds'])} thresholds in IntentThreshold.")
        )

    def _progress(self, done: int, total: int) -> None:
        if done % 10 == 0 or done == total:
            sys.stderr.write(f"\r  {done}/{total}")
            sys.stderr.flush()

    def print_result(self, result: dict, *, questions: list, traces: list, current: dict) -> None:
        w = self.stdout.write
        n = result["n"]

        def overall(thresholds: dict) -> tuple[float, float]:
            scored = [
                ev.trace_score(question=q, trace=ev.trace_gate(trace=t, thresholds=thresholds))
                for q, t in zip(questions, traces, strict=True)
            ]
            return (sum(s.resolved for s in scored) / n, sum(s.confidently_wrong for s in scored) / n)

        before = overall(current)
        after = overall(result["thresholds"])
        w(
            f"Calibration on {n} questions, confidently-wrong target {result['target']:.1%} "
            f"(≤ {result['wrong_budget']} answers: {result['confidence']:.0%} upper bound ≤ target)"
        )
        w(f"  {'intent':<26}{'n':>5}  {'threshold':>17}  {'resolved':>13}  {'wrong':>9}")
        for intent in ev.INTENTS:
            row = result["per_intent"].get(intent)
            if row is None:
                w(f"  {intent:<26}{0:>5}  {current.get(intent, 0):>7.2f} (unchanged)")
                continue
            b, a = row["before"], row["after"]
            w(
                f"  {intent:<26}{row['n']:>5}  {b['threshold']:>7.2f} -> {a['threshold']:<7.2f}  "
                f"{b['resolved']:>5} -> {a['resolved']:<5}  {b['wrong']:>3} -> {a['wrong']:<3}"
            )
        w(
            f"  overall: resolved {before[0]:.1%} -> {after[0]:.1%}, "
            f"confidently wrong {before[1]:.1%} -> {after[1]:.1%}"
        )
        w(json.dumps({"thresholds": result["thresholds"]}))
