from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.inference.llm import LLMResult, LLMUnavailable, llm_complete, llm_complete_redacted, llm_configured
from tests.inference.conftest import free_port


def test_not_configured(settings):
    settings.LLM_BASE_URL = ""
    assert not llm_configured()
    with pytest.raises(LLMUnavailable, match="not set"):
        llm_complete(messages=[{"role": "user", "content": "hi"}])


def test_dead_endpoint_raises_quickly(settings):
    # given nothing listening on the port
    settings.LLM_BASE_URL = f"http://127.0.0.1:{free_port()}/v1"
    started = time.monotonic()
    with pytest.raises(LLMUnavailable):
        llm_complete(messages=[{"role": "user", "content": "hi"}], timeout=3)
    assert time.monotonic() - started < 3.5


def test_endpoint_that_never_answers_raises_within_the_timeout(settings):
    # given a server that accepts connections and then says nothing
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept_forever():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    settings.LLM_BASE_URL = f"http://127.0.0.1:{server.getsockname()[1]}/v1"
    settings.LLM_TIMEOUT_SECONDS = 1.5
    try:
        started = time.monotonic()
        with pytest.raises(LLMUnavailable):
            llm_complete(messages=[{"role": "user", "content": "hi"}])
        elapsed = time.monotonic() - started
        # then the whole call, retries included, stays within the configured timeout
        assert 1.0 < elapsed < 2.5
        assert accepted
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()


@pytest.mark.slm
def test_llm_complete_against_a_real_openai_compatible_server(settings, llm_server):
    settings.LLM_BASE_URL = llm_server
    settings.LLM_MODEL = "gemma-test"
    settings.LLM_TIMEOUT_SECONDS = 60
    result = llm_complete(messages=[{"role": "user", "content": "Say hello to the customer."}], max_tokens=12)
    assert isinstance(result, LLMResult)
    assert result.text.strip()
    assert result.prompt_tokens > 0
    assert 0 < result.completion_tokens <= 12
    assert result.model == "gemma-test"


@pytest.fixture
def echo_server():
    """A minimal OpenAI-compatible endpoint that answers with the last user message it received."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append(body)
            answer = {
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {
                            "role": "assistant",
                            "content": "Echo: " + body["messages"][-1]["content"],
                        },
                    }
                ],
                "usage": {"prompt_tokens": 7, "completion_tokens": 5, "total_tokens": 12},
            }
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", received
    httpd.shutdown()
    httpd.server_close()


def test_redacted_completion_sends_no_pii_and_restores_the_reply(settings, echo_server):
    base, received = echo_server
    settings.LLM_BASE_URL = base
    settings.LLM_REDACT_PII = True
    messages = [
        {"role": "system", "content": "You are a support agent."},
        {"role": "user", "content": "I'm Noah Smith, noah@example.com, order W2611340, call 555-123-4567"},
    ]
    result, mapping = llm_complete_redacted(messages=messages, names=["Noah Smith"], timeout=5)
    sent = json.dumps(received[-1])
    for secret in ("Noah", "Smith", "noah@example.com", "W2611340", "555-123-4567"):
        assert secret not in sent
    assert result.text == "Echo: " + messages[1]["content"]
    assert set(mapping) == {"[NAME_1]", "[EMAIL_1]", "[ORDER_1]", "[PHONE_1]"}
    assert (result.prompt_tokens, result.completion_tokens) == (7, 5)


def test_redaction_can_be_turned_off(settings, echo_server):
    base, received = echo_server
    settings.LLM_BASE_URL = base
    settings.LLM_REDACT_PII = False
    result, mapping = llm_complete_redacted(messages=[{"role": "user", "content": "noah@example.com"}])
    assert mapping == {}
    assert "noah@example.com" in json.dumps(received[-1])
    assert result.text == "Echo: noah@example.com"
