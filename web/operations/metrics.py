"""``GET /metrics``: Prometheus text built at scrape time from Redis counters, the ledger and
RQ's registries. No label carries personal data: outcomes, reasons, states, KOSKI error keys."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import redis
from flask import Blueprint, Response, current_app
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from consent.adapters.counters import RedisCounters
from consent.adapters.queues import QUEUES_BY_PRIORITY, queue

bp = Blueprint("metrics", __name__)


@dataclass(frozen=True)
class MetricsSources:
    """Where the figures come from."""

    counters: RedisCounters
    broker: redis.Redis
    ledger_counts: Callable[[], dict[str, dict[str, int]]]  # table → state → rows


class ServiceCollector(Collector):
    """Reads everything once per scrape."""

    def __init__(self, sources: MetricsSources) -> None:
        self._sources = sources

    def collect(self) -> Iterator[Metric]:
        yield self._counter(
            "vst_webhook_deliveries", "Webhook deliveries by outcome and reason.", "webhook"
        )
        yield self._counter(
            "vst_koski_answers", "KOSKI answers by HTTP status and first error key.", "koski"
        )
        yield self._counter(
            "vst_jobs",
            "Jobs ended, by job and outcome (finished, failed, killed, abandoned).",
            "jobs",
        )
        yield self._counter(
            "vst_koski_reconciliation",
            "Live records checked against KOSKI, by outcome (found, gone, revoked, failed,"
            " skipped).",
            "reconciliation",
        )
        yield self._counter(
            "vst_logins_throttled",
            "Logins refused after too many failures, by surface (pages, dashboard) and by the"
            " scope whose limit was reached (account, address).",
            "logins_throttled",
        )
        yield self._counter(
            "vst_log_lines_refused",
            "Log lines refused because they carried a hetu, by logger, level and where it was"
            " (code: hetu_in_message, _exception, _stack, _field or _context).",
            "logs_refused",
        )
        yield self._counter(
            "vst_attention_mails",
            "Weekly attention e-mails by outcome (sent, refused: the server refused the"
            " address; failed: a run that could not reach the SMTP server).",
            "attention_mails",
        )
        yield self._durations()
        states = self._sources.ledger_counts()
        for table, help_text in (
            ("consents", "Consents by state."),
            ("submissions", "KOSKI submissions by state."),
            ("inbox", "Webhook deliveries in the inbox by state."),
        ):
            gauge = GaugeMetricFamily(f"vst_{table}", help_text, labels=["state"])
            for state, rows in sorted(states.get(table, {}).items()):
                gauge.add_metric([state], rows)
            yield gauge
        yield self._queues()

    def _counter(self, name: str, help_text: str, key: str) -> CounterMetricFamily:
        totals = self._sources.counters.totals(key)
        labels = sorted({k for pairs in totals for k, _ in pairs})
        family = CounterMetricFamily(name, help_text, labels=labels)
        for pairs, total in sorted(totals.items()):
            values = dict(pairs)
            family.add_metric([values.get(label, "") for label in labels], total)
        return family

    def _durations(self) -> HistogramMetricFamily:
        family = HistogramMetricFamily(
            "vst_job_duration_seconds", "Time a job ran in its work horse.", labels=["job"]
        )
        for pairs, histogram in sorted(self._sources.counters.histograms("job_seconds").items()):
            family.add_metric(
                [dict(pairs).get("job", "")],
                [
                    ("+Inf" if math.isinf(bound) else repr(bound), count)
                    for bound, count in histogram.buckets
                ],
                histogram.total,
            )
        return family

    def _queues(self) -> GaugeMetricFamily:
        gauge = GaugeMetricFamily(
            "vst_queue_jobs", "RQ jobs by queue and status.", labels=["queue", "status"]
        )
        for name in QUEUES_BY_PRIORITY:
            rq_queue = queue(name, self._sources.broker)
            gauge.add_metric([name, "queued"], rq_queue.count)
            for status, registry in (
                ("started", StartedJobRegistry),
                ("failed", FailedJobRegistry),
                ("scheduled", ScheduledJobRegistry),
            ):
                count = registry(queue=rq_queue).get_job_count(cleanup=False)
                gauge.add_metric([name, status], count)
        return gauge


@bp.get("/metrics")
def metrics() -> Response:
    """The Prometheus exposition; keep it off the public side of the load balancer."""
    registry = CollectorRegistry()
    registry.register(ServiceCollector(current_app.extensions["vst.metrics"]))
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4")
