"""Prometheus metrics, on a registry of our own (no process-global state).

One :class:`Metrics` instance is made by the daemon and passed to the stages that count
things. Stages take ``metrics: Metrics | None``; ``Metrics()`` is cheap, so tests and
replay may simply make their own.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        # feeds
        self.polls = Counter(
            "monitor_polls", "Feed polls by outcome", ["outcome"], registry=r
        )  # outcome: ok, not_modified, error
        self.fetch_errors = Counter(
            "monitor_fetch_errors", "Fetch errors by kind", ["kind"], registry=r
        )  # kind: timeout, network, tls, http_4xx, http_5xx, rate_limited, too_large, parse
        self.items = Counter(
            "monitor_items", "Feed items by stage", ["stage"], registry=r
        )  # stage: seen, new, candidate, relevant
        self.articles = Counter(
            "monitor_articles", "Article extractions by outcome", ["outcome"], registry=r
        )  # outcome: ok, cached, too_short, not_html, too_large, http_error, timeout, ...
        self.last_poll_cycle = Gauge(
            "monitor_last_poll_timestamp_seconds", "Unix time of the last finished poll", registry=r
        )
        # decisions and alerts
        self.decisions = Counter(
            "monitor_decisions", "Pipeline decisions by verdict", ["verdict"], registry=r
        )
        self.alerts = Counter("monitor_alerts", "Alerts created by kind", ["kind"], registry=r)
        self.deliveries = Counter(
            "monitor_deliveries",
            "Alert deliveries by sink and outcome",
            ["sink", "outcome"],
            registry=r,
        )  # outcome: delivered, failed (retried later), dead (to the dead letters)
        self.delivery_latency = Histogram(
            "monitor_delivery_latency_seconds",
            "Time from alert creation to acknowledged delivery",
            ["sink"],
            buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400),
            registry=r,
        )
        self.queue_depth = Gauge(
            "monitor_queue_depth", "Entries waiting in a queue", ["queue"], registry=r
        )  # queue: intake (checkpointed items), pipeline, alerts:<sink>, alerts:dead
        self.model_version = Gauge(
            "monitor_model_version", "Saga model version", ["saga"], registry=r
        )
        self.store_recoveries = Counter(
            "monitor_store_recoveries",
            "Recoveries from a lost or dead Redis, by what was done",
            ["action"],
            registry=r,
        )  # action: outbox_groups (made again), saga_reseeded, redis_restarted
        self.pipeline_seconds = Histogram(
            "monitor_pipeline_seconds", "Time to process one batch of documents", registry=r
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
