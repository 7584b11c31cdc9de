"""``manage.py train_understand``: fit the learned intent expert and the weights that combine it
with the code classifier and the SLM, then write ``models/understand.npz``.

    manage.py train_understand [--out FILE] [--no-slm] [--check FILE [--check-train-share F]]
                               [--calibrate-with FILE...] [--seed N]

Prints code-only, embedding-only, SLM-only and combined accuracy and log loss on the calibration
split and on --check (an external labelled JSONL of ``utterance`` + ``intent``). With
``--check-train-share F`` the classifier also learns from that share of the --check rows (chosen by
a digest of each message, so the same rows every run) and only the rest are reported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.assistant import intent_model
from apps.training.intent_training import train


def check_rows(path: Path) -> list[tuple[str, str]]:
    """(utterance, intent) rows of a JSONL file: either ``{"utterance", "intent"}`` lines or the
    labelled questions of ``manage.py evaluate`` (``expected.intent``; dialogues with a history and
    questions whose intent is not scored are left out: one message, one label)."""
    from apps.assistant.intents import INTENTS

    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CommandError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            expected = row.get("expected") if isinstance(row.get("expected"), dict) else None
            if expected is not None and (row.get("history") or expected.get("intent_scored") is False):
                continue
            intent = expected.get("intent") if expected is not None else row.get("intent")
            if intent not in INTENTS or not isinstance(row.get("utterance"), str):
                raise CommandError(f"{path}:{number}: needs a string utterance and one of {INTENTS}")
            rows.append((row["utterance"], intent))
    return rows


def share_split(rows: list[tuple[str, str]], share: float) -> tuple[list, list]:
    """(learned, held out): a row is learned when the digest of its text falls under ``share``."""
    learned, held_out = [], []
    for row in rows:
        digest = intent_model.text_key(row[0])
        (learned if int(digest[:8], 16) / 16**8 < share else held_out).append(row)
    return learned, held_out


class Command(BaseCommand):
    help = "Train the understand step's intent model (embeddings + calibrated expert weights)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, default=None, help="default: models/understand.npz")
        parser.add_argument("--no-slm", action="store_true", help="fit without the SLM expert")
        parser.add_argument("--check", type=Path, default=None, help="external labelled JSONL, reported")
        parser.add_argument(
            "--check-train-share",
            type=float,
            default=0.0,
            help="learn from this share (0-1) of the --check rows, chosen by a digest of each message; "
            "the rest are reported, never trained on",
        )
        parser.add_argument(
            "--calibrate-with",
            type=Path,
            nargs="+",
            default=[],
            help="labelled JSONL files (e.g. evaluate --split calibration --write-questions) added to "
            "the calibration split the combination weights and clarify margin are fitted on",
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--report", type=Path, default=None, help="also write the report JSON here")

    def handle(self, *args: Any, **o: Any) -> None:
        from apps.inference.embeddings import embedder

        emb = embedder()
        backend = None
        if not o["no_slm"]:
            from apps.inference.backends import slm

            backend = slm()
        share = o["check_train_share"]
        if not 0.0 <= share < 1.0:
            raise CommandError("--check-train-share must be at least 0 and below 1")
        if share and not o["check"]:
            raise CommandError("--check-train-share needs --check")
        learned, check = share_split(check_rows(o["check"]) if o["check"] else [], share)
        extra = [row for path in o["calibrate_with"] for row in check_rows(path)]
        model, report = train(
            embedder=emb,
            backend=backend,
            seed=o["seed"],
            check=check,
            extra_calibration=extra,
            extra_train=learned,
            log=self.stdout.write,
        )
        out = o["out"] or intent_model.default_path()
        model.save(out)
        intent_model.reset()
        for part in ("calibration", "check"):
            if part not in report:
                continue
            self.stdout.write(f"\n{part} ({report['rows'][part]} rows)")
            self.stdout.write(f"  {'expert':<22}{'accuracy':>10}{'log loss':>10}{'oos recall':>12}")
            for name, m in report[part].items():
                oos = m.get("out_of_scope_recall")
                self.stdout.write(
                    f"  {name:<22}{m['accuracy']:>10.3f}{m['log_loss']:>10.3f}"
                    + (f"{oos:>12.3f}" if oos is not None else "")
                )
        self.stdout.write(f"\nweights {json.dumps(report['combine'])}  clarify margin {report['margin']}")
        self.stdout.write(f"wrote {out} ({out.stat().st_size // 1024} KB) in {report['seconds']}s")
        if o["report"]:
            o["report"].write_text(json.dumps(report, indent=2), encoding="utf-8")
