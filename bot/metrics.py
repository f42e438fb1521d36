"""What each process counts, for ``GET /metrics`` (Prometheus text format; ``bot.web.metrics`` adds what the
database knows at scrape time: outbox rows, cases, broadcasts, heartbeats).

Several processes (``WEB_WORKERS`` web processes, the workers on the same host) share their counts through
prometheus-client's multiprocess mode: ``METRICS_DIR`` is exported as ``PROMETHEUS_MULTIPROC_DIR`` by the
command line before anything imports this module (``bot.cli``), and any web process answers for all of them.
Only counters and histograms live here: they add up across processes.

Labels are bounded sets (channels, outcomes, intents, provider error codes), never a contact, a phone number or
a text.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

INBOUND = Counter("dinsos_inbound_messages", "Messages received from citizens, by channel and outcome "
                  "(answered, ignored, failed: not understood after every attempt)", ["channel", "outcome"])
REPLIES = Counter("dinsos_replies", "Messages the bot wrote to citizens, by kind (answer, complaint, fallback, "
                  "handoff, other) and the handler's intent", ["kind", "intent"])
ANSWER_SECONDS = Histogram("dinsos_answer_seconds", "From a citizen's message stored to its answer queued",
                           buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0))
SENT = Counter("dinsos_sent_messages", "Messages the provider accepted, by channel", ["channel"])
SEND_FAILURES = Counter("dinsos_send_failures", "Sends the provider refused or that failed, by channel, provider "
                        "error code and kind (transient: retried; permanent, unreachable: dead)",
                        ["channel", "code", "kind"])
MEDIA = Counter("dinsos_media_downloads", "Photos and documents fetched from the provider, by channel and outcome "
                "(stored, rejected, retry, failed)", ["channel", "outcome"])
HTTP = Counter("dinsos_http_requests", "HTTP requests answered, by status class (2xx, 3xx, 4xx, 5xx)", ["status"])

_KINDS = {
    "complaint": {"complaint", "complaint-filed", "form", "case-document", "status", "feedback", "survey"},
    "fallback": {"fallback", "empty", "clarify"},
    "handoff": {"handoff", "handed-off", "officer", "handback"},
    "other": {"channel", "subscribe", "unsubscribe", "start", "reset"},
}


def reply_kind(intent: str | None) -> str:
    """The kind of a reply for the metric: every knowledge answer (requirements, fees, hours...) is ``answer``."""
    for kind, intents in _KINDS.items():
        if intent in intents:
            return kind
    return "answer"
