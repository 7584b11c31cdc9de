"""``manage.py ask``: question the assistant, exactly per ASK_TRACE.md.

    manage.py ask --jsonl questions.jsonl [--out traces.jsonl] [--no-llm] [--workers N]
    manage.py ask "Do you have the running shoes in size 10?"

Every conversation runs in a transaction rolled back once its trace is written, so ``ask`` never
changes store data. Output is one trace per input line, in input order, flushed as written.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from apps.assistant.warmup import warm_up

logger = logging.getLogger(__name__)

ROLES = ("customer", "assistant", "agent")


def _bad_trace(qid: Any, detail: str) -> dict:
    from apps.assistant.pipeline import _empty_trace

    try:
        from apps.inference.backends import slm

        backend = slm()
    except Exception:
        backend = None
    trace = _empty_trace(backend)
    trace.update(
        route="human",
        intent="out_of_scope",
        answer="I'm passing this to a member of our team.",
        escalation_reason=f"bad_input: {detail}",
    )
    return {"id": qid, **trace}


def _identity(customer: Any) -> Any:
    from apps.orders.identity import CustomerIdentity

    if not isinstance(customer, dict):
        return None
    email = customer.get("email")
    external_id = customer.get("external_id")
    email = email.strip() if isinstance(email, str) else ""
    external_id = external_id.strip() if isinstance(external_id, str) and external_id.strip() else None
    if not email and not external_id:
        return None
    return CustomerIdentity(email=email, external_id=external_id, source="trusted")


def answer_line(line: str, *, no_llm: bool, index: int) -> dict:
    """One input line → one trace (never raises)."""
    from apps.assistant.pipeline import Turn, reply

    try:
        item = json.loads(line)
    except (json.JSONDecodeError, ValueError) as exc:
        return _bad_trace(None, f"line {index} is not JSON ({exc.msg})")
    if not isinstance(item, dict):
        return _bad_trace(None, f"line {index} is not a JSON object")
    qid = item.get("id")
    utterance = item.get("utterance")
    if not isinstance(utterance, str):
        return _bad_trace(qid, "utterance missing or not a string")
    history = item.get("history") or []
    if not isinstance(history, list):
        return _bad_trace(qid, "history is not a list")
    turns = []
    for turn in history:
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in ROLES
            or not isinstance(turn.get("text"), str)
        ):
            return _bad_trace(qid, "history turn needs role customer|assistant|agent and text")
        turns.append(Turn(role=turn["role"], text=turn["text"]))
    turns.append(Turn(role="customer", text=utterance))
    try:
        with transaction.atomic():
            result = reply(
                turns=turns,
                identity=_identity(item.get("customer")),
                llm="off" if no_llm else "auto",
                state=None,
            )
            trace = {"id": qid, **result.trace}
            transaction.set_rollback(True)  # ask never changes store data
    except Exception as exc:  # the pipeline itself never raises; the database might
        logger.exception("ask: conversation %s failed", qid)
        trace = _bad_trace(qid, "")
        trace["escalation_reason"] = f"error: {type(exc).__name__}"
    return trace


def _worker_init() -> None:
    # Each worker process opens its own database connection and loads the model once.
    connections.close_all()
    warm_up()


def _worker_run(args: tuple[int, str, bool]) -> str:
    index, line, no_llm = args
    return json.dumps(answer_line(line, no_llm=no_llm, index=index), ensure_ascii=False)


def _backend_close() -> None:
    # Free llama.cpp contexts before interpreter shutdown tears down the library under them.
    try:
        from apps.inference.backends import slm_reset

        slm_reset()
    except Exception as exc:
        logger.debug("backend close: %s", exc)


def _index_refresh() -> None:
    """No worker runs next to ``ask``: bring a stale knowledge index up to date in-process."""
    try:
        from apps.retrieval.services import index_is_stale, index_refresh

        if index_is_stale():
            index_refresh()
    except Exception as exc:
        logger.warning("knowledge index refresh failed: %s", exc)


class Command(BaseCommand):
    help = "Ask the assistant: one question (pretty) or a JSONL file of conversations (traces out)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("question", nargs="?", help="one question, printed readably")
        parser.add_argument("--jsonl", help="input file, one conversation per line ('-' for stdin)")
        parser.add_argument("--out", help="output file for the traces (default stdout)")
        parser.add_argument("--no-llm", action="store_true", help="route to the LLM tier without calling it")
        parser.add_argument("--workers", type=int, default=1, help="processes, each loading the model once")
        parser.add_argument("--email", help="pretty mode: a trusted customer email")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["jsonl"] and not options["question"]:
            raise CommandError("give a question or --jsonl FILE")
        logging.getLogger("apps").setLevel(logging.WARNING)
        _index_refresh()
        if options["question"] and not options["jsonl"]:
            self._pretty(options)
            return
        try:
            source = (
                sys.stdin
                if options["jsonl"] == "-"
                else open(options["jsonl"], encoding="utf-8", errors="replace")
            )  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {options['jsonl']}: {exc}") from exc
        try:
            out = open(options["out"], "w", encoding="utf-8") if options["out"] else sys.stdout  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot write {options['out']}: {exc}") from exc
        no_llm = options["no_llm"]
        workers = max(1, int(options["workers"] or 1))
        lines = [(i, line, no_llm) for i, line in enumerate(source, start=1) if line.strip()]
        started = time.perf_counter()
        try:
            if workers == 1 or len(lines) <= 1:
                warm_up()
                for item in lines:
                    out.write(_worker_run(item) + "\n")
                    out.flush()
            else:
                import multiprocessing

                connections.close_all()  # never share a connection across fork
                context = multiprocessing.get_context("fork")
                with context.Pool(processes=workers, initializer=_worker_init) as pool:
                    # imap keeps input order; each result is written as soon as it is next in line.
                    for text in pool.imap(_worker_run, lines, chunksize=1):
                        out.write(text + "\n")
                        out.flush()
        finally:
            _backend_close()
            if out is not sys.stdout:
                out.close()
            if source is not sys.stdin:
                source.close()
        logger.info("ask: %d conversations in %.1f s", len(lines), time.perf_counter() - started)

    def _pretty(self, options: dict) -> None:
        warm_up()
        customer = {"email": options["email"]} if options.get("email") else None
        line = json.dumps({"id": "cli", "utterance": options["question"], "customer": customer})
        trace = answer_line(line, no_llm=options["no_llm"], index=1)
        _backend_close()
        tools = (
            ", ".join(f"{c['name']}{'' if c['ok'] else ' (failed)'}" for c in trace["tool_calls"]) or "none"
        )
        self.stdout.write(trace["answer"] or "(no answer: would go to the LLM tier)")
        self.stdout.write("")
        self.stdout.write(
            f"route:      {trace['route']}"
            + (f" ({trace['escalation_reason']})" if trace["escalation_reason"] else "")
        )
        self.stdout.write(
            f"intent:     {trace['intent']}" + (f" / {trace['sub_intent']}" if trace["sub_intent"] else "")
        )
        self.stdout.write(f"confidence: {trace['confidence']:.2f}")
        self.stdout.write(f"slots:      {json.dumps(trace['slots'])}")
        self.stdout.write(f"tools:      {tools}")
        self.stdout.write(
            f"citations:  {', '.join(c['kind'] + ':' + c['id'] for c in trace['citations']) or 'none'}"
        )
        self.stdout.write(f"latency:    {trace['latency_ms']}")
