"""``manage.py evaluate``: run the labelled question set through the ``ask`` code and report.

    manage.py evaluate [--split test|calibration|all] [--out DIR] [--limit N] [--workers N]
                       [--traces FILE] [--external [FILE]] [--force] [--real-clock]

Needs a database holding the demo store the questions were computed from (see eval/README.md);
``ask`` rolls every conversation back, so the store is never changed. Writes report.json,
chart.png, traces_ungated.jsonl and results.jsonl into --out and prints a table.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.analytics import evaluation as ev

EXTERNAL_DEFAULT = Path("/work/shared/datasets/shopper_phrasing_dev.jsonl")


def subset(questions: list[dict], limit: int | None) -> list[dict]:
    """Every k-th question: a quick run still covers every family of the file."""
    if not limit or limit >= len(questions):
        return questions
    step = len(questions) / limit
    return [questions[int(i * step)] for i in range(limit)]


def traces_read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class Command(BaseCommand):
    help = "Evaluate the assistant on the labelled demo-store question set (issue 6)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--split", default="test", choices=["test", "calibration", "all"])
        parser.add_argument(
            "--out", type=Path, help="report directory (default DATA_DIR/eval/<split>-<time>)"
        )
        parser.add_argument(
            "--no-llm", action="store_true", default=True, help="never call the LLM tier (default; always on)"
        )
        parser.add_argument("--limit", type=int, help="evaluate an evenly spread subset of N questions")
        parser.add_argument("--workers", type=int, default=1, help="processes, as manage.py ask --workers")
        parser.add_argument(
            "--traces", type=Path, help="score these ungated traces instead of running the set"
        )
        parser.add_argument(
            "--external",
            nargs="?",
            const=str(EXTERNAL_DEFAULT),
            help="also run an external intent-labelled set (utterance, intent) and report intent accuracy",
        )
        parser.add_argument("--force", action="store_true", help="run even if the store does not match")
        parser.add_argument(
            "--resume", action="store_true", help="keep the traces already in --out and run only the rest"
        )
        parser.add_argument("--partial", action="store_true", help="with --traces: score what has a trace")
        parser.add_argument(
            "--real-clock", action="store_true", help="do not freeze the clock at the store's --now"
        )
        parser.add_argument("--llm-accuracy", type=float, default=ev.DEFAULT_LLM_ACCURACY)
        parser.add_argument("--cpu-hour-usd", type=float, default=ev.DEFAULT_CPU_HOUR_USD)
        parser.add_argument("--questions-dir", type=Path, help="question files (default eval/)")
        parser.add_argument(
            "--generated",
            action="store_true",
            help="generate the labelled questions from the imported store (any store) instead",
        )
        parser.add_argument("--seed", type=int, default=0, help="with --generated: question seed")
        parser.add_argument(
            "--per-family", type=int, default=12, help="with --generated: questions per family"
        )
        parser.add_argument(
            "--now", help="with --generated: the clock for return windows (ISO; default now, or the store's)"
        )

        parser.add_argument(
            "--write-questions",
            type=Path,
            help="write the questions (JSONL) here and stop, e.g. a calibration split for train_understand",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generated"]:
            meta, questions = self.generated(options)
        else:
            directory = options["questions_dir"]
            meta = ev.questions_meta(directory=directory)
            questions = ev.questions_load(split=options["split"], directory=directory)
        questions = subset(questions, options["limit"])
        bad = {q.get("id"): errs for q in questions if (errs := ev.question_validate(q))}
        if bad:
            raise CommandError(f"invalid question lines: {json.dumps(bad)[:500]}")
        if options["write_questions"]:
            path = options["write_questions"]
            path.write_text(
                "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8"
            )
            self.stdout.write(f"wrote {len(questions)} questions ({options['split']}) to {path}")
            return
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        out = Path(options["out"] or Path(settings.DATA_DIR) / "eval" / f"{options['split']}-{stamp}")
        out.mkdir(parents=True, exist_ok=True)

        trace_file = out / "traces_ungated.jsonl"
        if options["traces"]:
            by_id = {t.get("id"): t for t in traces_read(options["traces"])}
            missing = [q["id"] for q in questions if q["id"] not in by_id]
            if missing and not options["partial"]:
                raise CommandError(
                    f"{len(missing)} questions have no trace in {options['traces']}, e.g. {missing[:3]} "
                    "(--partial scores the ones that have)"
                )
            questions = [q for q in questions if q["id"] in by_id]
            traces = [by_id[q["id"]] for q in questions]
            if missing:
                self.stdout.write(
                    f"Partial: scoring {len(questions)} questions, {len(missing)} have no trace."
                )
            seconds = None
            if options["traces"].resolve() != trace_file.resolve():
                trace_file.write_text(
                    "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in traces), encoding="utf-8"
                )
        else:
            ok, message = (
                (True, "questions generated from this store")
                if meta.get("generated")
                else ev.store_check(meta=meta)
            )
            if not ok and not options["force"]:
                raise CommandError(message)
            self.stdout.write(("" if ok else "WARNING: ") + message)
            clock = None if options["real_clock"] else ev.meta_now(meta)
            self.stdout.write(
                f"Running {len(questions)} questions ({options['split']}) through the ask pipeline, "
                "LLM tier off, thresholds applied afterwards, "
                f"clock {'real' if clock is None else clock.isoformat()} ..."
            )
            done: dict = {}
            if options["resume"] and trace_file.exists():
                done = {t.get("id"): t for t in traces_read(trace_file)}
                self.stdout.write(f"Resuming: {len(done)} traces already in {trace_file}.")
            todo = [q for q in questions if q["id"] not in done]
            started = time.perf_counter()
            with trace_file.open("a" if done else "w", encoding="utf-8") as handle:

                def sink(trace: dict) -> None:
                    handle.write(json.dumps(trace, ensure_ascii=False) + "\n")
                    handle.flush()

                with ev.eval_environment(ungated=True, clock=clock):
                    fresh = ev.run_questions(
                        questions=todo, workers=options["workers"], progress=self._progress, sink=sink
                    )
            seconds = time.perf_counter() - started
            sys.stderr.write("\n")
            done.update({t.get("id"): t for t in fresh})
            traces = [done[q["id"]] for q in questions]

        report = self.report(questions=questions, traces=traces, options=options, meta=meta, seconds=seconds)
        if options["external"]:
            report["external"] = self.external(Path(options["external"]), options)
        results = report.pop("_results")
        with (out / "results.jsonl").open("w", encoding="utf-8") as handle:
            for row in results:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        (out / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
        ev.chart_write(report=report, path=out / "chart.png")
        self.print_table(report)
        self.stdout.write(f"\nReport: {out / 'report.json'}\nChart:  {out / 'chart.png'}")

    def generated(self, options: dict) -> tuple[dict, list[dict]]:
        """Questions built from the imported store, and the meta the report states."""
        from apps.analytics.store_questions import store_questions_build
        from apps.catalog.models import Store

        now = datetime.fromisoformat(options["now"]) if options["now"] else datetime.now(UTC)
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
        # --split calibration: the other half of the phrasings (what thresholds and weights are fitted on)
        half = "calibration" if options["split"] == "calibration" else "test"
        questions = store_questions_build(
            seed=options["seed"], per_family=options["per_family"], now=now, split=half
        )
        options["split"] = "generated" if half == "test" else "generated-calibration"
        meta = {
            "generated": True,
            "seed": options["seed"],
            "now": now.isoformat(),
            "store_fingerprint": Store.current().name,
        }
        self.stdout.write(f"Generated {len(questions)} questions from the store {Store.current().name!r}.")
        return meta, questions

    def _progress(self, done: int, total: int) -> None:
        if done % 10 == 0 or done == total:
            sys.stderr.write(f"\r  {done}/{total}")
            sys.stderr.flush()

    # ------------------------------------------------------------------------------------------
    def report(
        self, *, questions: list[dict], traces: list[dict], options: dict, meta: dict, seconds: float | None
    ) -> dict:
        thresholds = ev.current_thresholds()
        gated = [ev.trace_gate(trace=t, thresholds=thresholds) for t in traces]
        scored = [ev.trace_score(question=q, trace=t) for q, t in zip(questions, gated, strict=True)]
        metrics = ev.metrics_compute(scored)
        ungated_scored = [ev.trace_score(question=q, trace=t) for q, t in zip(questions, traces, strict=True)]
        box = [s for s in ungated_scored if s.route == "slm"]
        rc = ev.risk_coverage(confidences=[s.confidence for s in box], correct=[s.correct for s in box])
        price_p = float(settings.LLM_PRICE_PROMPT_PER_MTOK)
        price_c = float(settings.LLM_PRICE_COMPLETION_PER_MTOK)
        curve = ev.cost_quality_curve(
            questions=questions,
            traces_ungated=traces,
            llm_accuracy=options["llm_accuracy"],
            price_prompt=price_p,
            price_completion=price_c,
        )
        n = len(questions)
        to_llm = sum(1 for t in gated if t.get("route") == "llm")
        deployed_quality = (
            sum(
                options["llm_accuracy"] if t.get("route") == "llm" else float(s.correct)
                for t, s in zip(gated, scored, strict=True)
            )
            / n
            if n
            else None
        )
        cost = ev.cost_compute(
            questions=questions,
            traces_ungated=traces,
            traces_gated=gated,
            price_prompt=price_p,
            price_completion=price_c,
            cpu_hour_usd=options["cpu_hour_usd"],
            cores=float(getattr(settings, "SLM_THREADS", 2) or 2),
        )
        results = []
        for q, t, s in zip(questions, gated, scored, strict=True):
            results.append(
                {
                    "id": q["id"],
                    "utterance": q["utterance"],
                    "template": q["meta"]["template"],
                    "expected_intent": q["expected"]["intent"],
                    "intent": t.get("intent"),
                    "route": t.get("route"),
                    "confidence": t.get("confidence"),
                    "correct": s.correct,
                    "confidently_wrong": s.confidently_wrong,
                    "failed_checks": [k for k, v in s.checks.items() if not v],
                    "leaks": s.leaks,
                    "answer": t.get("answer"),
                    "escalation_reason": t.get("escalation_reason"),
                }
            )
        model = next((t.get("model") for t in traces if t.get("model")), None)
        return {
            "split": options["split"],
            "n": n,
            "created_at": datetime.now(UTC).isoformat(),
            "question_set": {
                "seed": meta["seed"],
                "now": meta["now"],
                "fingerprint": meta["store_fingerprint"],
            },
            "model": model,
            "run_seconds": round(seconds, 1) if seconds is not None else None,
            "thresholds": thresholds,
            "metrics": metrics,
            "targets": ev.targets_check(metrics),
            "risk_coverage": rc,
            "cost": cost,
            "cost_quality_curve": curve,
            "deployed_point": {
                "share_to_llm": round(to_llm / n, 4) if n else None,
                "quality": round(deployed_quality, 4) if deployed_quality is not None else None,
            },
            "assumptions": {
                "llm_accuracy": options["llm_accuracy"],
                "cpu_hour_usd": options["cpu_hour_usd"],
                "llm_tier": "off (--no-llm): escalations are scored by route only",
                "gate": "pipeline run with thresholds 0; stored thresholds applied afterwards (trace_gate)",
            },
            "_results": results,
        }

    def external(self, path: Path, options: dict) -> dict:
        from apps.assistant import intent_model

        questions = ev.external_questions(path=path, limit=options["limit"])
        # Rows the understand model learned from cannot check it.
        trained = [q for q in questions if intent_model.trained_on(q["utterance"])]
        questions = [q for q in questions if not intent_model.trained_on(q["utterance"])]
        self.stdout.write(
            f"External intent check: {len(questions)} utterances from {path} "
            f"({len(trained)} left out: the understand model was trained on them) ..."
        )
        with ev.eval_environment(ungated=True, clock=None):
            traces = ev.run_questions(
                questions=questions, workers=options["workers"], progress=self._progress
            )
        sys.stderr.write("\n")
        report = ev.external_report(questions=questions, traces=traces)
        report["source"] = str(path)
        report["left_out_trained_on"] = len(trained)
        return report

    # ------------------------------------------------------------------------------------------
    def print_table(self, report: dict) -> None:
        m = report["metrics"]
        w = self.stdout.write

        def pct(v: float | None) -> str:
            return "  n/a" if v is None else f"{v * 100:5.1f}%"

        w("")
        w(
            f"Evaluation: split {report['split']}, {report['n']} questions, "
            f"model {(report['model'] or {}).get('slm')}"
        )
        w(f"  routes: {m['routes']}")
        rows = [
            ("resolved by the SLM (route slm, correct)", pct(m["resolution_rate"])),
            ("confidently wrong (route slm, wrong)", pct(m["confidently_wrong_rate"])),
            ("  of which a fact wrong or a leak", pct(m["fact_wrong_rate"])),
            ("handled correctly (any route)", pct(m["correct_handling_rate"])),
            ("escalated (llm or human)", pct(m["escalation_rate"])),
            ("  escalation precision", pct(m["escalation"]["precision"])),
            ("  escalation recall", pct(m["escalation"]["recall"])),
            ("clarify", pct(m["clarify_rate"])),
            ("leaks (must be 0)", f"{m['leaks']:6d}"),
            ("intent accuracy", pct(m["intent_accuracy"])),
            ("out-of-scope answered as in scope", pct(m["out_of_scope_answered_rate"])),
            ("AURC of the confidence (lower is better)", f"{report['risk_coverage']['aurc']}"),
        ]
        for name, value in rows:
            w(f"  {name:<44} {value}")
        lat = m["latency_ms"]
        w(
            f"  latency ms p50/p95: understand {lat['understand']['p50']}/{lat['understand']['p95']}, "
            f"first token {lat['first_token']['p50']}/{lat['first_token']['p95']}, "
            f"total {lat['total']['p50']}/{lat['total']['p95']}"
        )
        w(f"  tokens per question: {m['tokens_per_question']}")
        c = report["cost"]["per_1000_questions_usd"]
        w(
            f"  cost per 1,000 questions: LLM only ${c['llm_only']}, this box ${c['local_only']} local, "
            f"hybrid as routed ${c['hybrid']} (saved {pct(report['cost']['saved_vs_llm_only'])})"
        )
        w("")
        w(
            f"  {'intent':<26}{'n':>5}{'intent':>8}{'correct':>9}{'slm ok':>8}"
            f"{'wrong':>7}{'escal':>7}{'clarif':>8}"
        )
        for intent, row in m["per_intent"].items():
            w(
                f"  {intent:<26}{row['n']:>5}{pct(row['intent_accuracy']):>8}{pct(row['correct']):>9}"
                f"{pct(row['resolved_by_slm']):>8}{pct(row['confidently_wrong']):>7}{pct(row['escalated']):>7}"
                f"{pct(row['clarify']):>8}"
            )
        w("")
        w("  targets (issues 3 and 11):")
        for name, row in report["targets"].items():
            flag = {True: "met", False: "NOT MET", None: "n/a"}[row["met"]]
            value = row["value"]
            shown = value if name in ("leaks", "wrong_writes") or value is None else f"{value * 100:.1f}%"
            w(f"    {name:<36} {shown!s:>8}  target {row['target']:<8} {flag}")
        if m["confidently_wrong_why"]:
            w(f"  confidently wrong, why: {m['confidently_wrong_why']}")
        if report.get("external"):
            e = report["external"]
            w(
                f"  external intent check: {e['n']} utterances, "
                f"accuracy {pct(e['intent_accuracy'])} {e['by_mapping_confidence']}"
            )
