"""Prometheus metrics, on a registry of our own (no process-global state).

One :class:`Metrics` instance is made by the daemon and passed to the stages that count
things. Stages take ``metrics: Metrics | None``; ``Metrics()`` is cheap, so tests and
replay may simply make their own.

Prometheus conventions: no ``_created`` series (``disable_created_metrics``, called when a
registry is built), ``monitor_build_info`` set to 1, the process collector
(``process_cpu_seconds_total``, ``process_resident_memory_bytes``, ...) on our registry,
histogram buckets up to 20 minutes (seeding a saga is one long batch). Items are counted
once each, at the last stage they reached (``monitor_items_total{stage}``): the sum over
``stage`` is every feed entry seen.
"""

from __future__ import annotations

import platform

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)

from monitor import __version__

# Seconds: from a small batch (tens of ms) to seeding a saga's whole corpus (minutes).
BATCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200)
# monitor_items_total{stage}: where an item stopped; exclusive, so they sum to every entry.
ITEM_STAGES = ("known", "filtered", "irrelevant", "relevant")


class Metrics:
    def __init__(self) -> None:
        # prometheus_client keeps this switch module-wide; setting it here (not at import)
        # keeps importing monitor free of side effects. Every registry of ours wants it.
        disable_created_metrics()
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        ProcessCollector(registry=r)
        self.build_info = Gauge(
            "monitor_build_info", "Always 1; the labels say what runs", ["version", "python"],
            registry=r,
        )  # fmt: skip
        self.build_info.labels(__version__, platform.python_version()).set(1)
        self._feeds(r)
        self._alerts(r)
        self._streams(r)
        self._pipeline(r)

    def _feeds(self, r: CollectorRegistry) -> None:
        self.polls = Counter(
            "monitor_polls", "Feed polls by outcome", ["outcome"], registry=r
        )  # outcome: ok, not_modified, error
        self.fetch_errors = Counter(
            "monitor_fetch_errors", "Fetch errors by kind", ["kind"], registry=r
        )  # kind: timeout, network, tls, http_4xx, http_5xx, rate_limited, too_large, parse
        self.items = Counter(
            "monitor_items",
            "Feed entries by the last stage they reached (the sum is every entry seen)",
            ["stage"],
            registry=r,
        )  # stage: known (seen before), filtered (new, not a candidate by the prefilter),
        # irrelevant (a candidate analysed, relevant to no saga), relevant
        for stage in ITEM_STAGES:  # every stage shows, at 0 until it counts
            self.items.labels(stage)
        self.articles = Counter(
            "monitor_articles", "Article extractions by outcome", ["outcome"], registry=r
        )  # outcome: ok, cached, too_short, not_html, too_large, http_error, timeout, ...
        self.last_poll_cycle = Gauge(
            "monitor_last_poll_timestamp_seconds", "Unix time of the last finished poll", registry=r
        )
        self.feed_last_success = Gauge(
            "monitor_feed_last_success_timestamp_seconds",
            "Unix time of the feed's last successful poll (200 or 304)",
            ["feed"],
            registry=r,
        )  # feed: its configured name, or its URL with credentials redacted

    def _alerts(self, r: CollectorRegistry) -> None:
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

    def _streams(self, r: CollectorRegistry) -> None:
        self.queue_depth = Gauge(
            "monitor_queue_depth", "Entries waiting in a queue", ["queue"], registry=r
        )  # queue: intake (items in the intake stream), pipeline, alerts:<sink>, alerts:dead
        self.stream_lag = Gauge(
            "monitor_stream_lag",
            "Entries of a stream its consumer group has not finished (unread + pending)",
            ["stream", "group"],
            registry=r,
        )  # stream=intake, group=pipeline: the pipeline workers' backlog
        self.stream_oldest = Gauge(
            "monitor_stream_oldest_seconds",
            "Age of the oldest entry a consumer group has not finished (0: none waits)",
            ["stream", "group"],
            registry=r,
        )
        self.intake_claims = Counter(
            "monitor_intake_claims",
            "Intake entries taken over from another worker, or dead-lettered",
            ["outcome"],
            registry=r,
        )  # outcome: claimed (XAUTOCLAIM, or a dead local worker's), dead (poison)
        self.due_polls = Counter(
            "monitor_due_polls",
            "Due polls the scheduler offered to the due-poll stream, by what became of them",
            ["outcome"],
            registry=r,
        )  # outcome: published, queued (its previous one still waits), not_due (polled
        # recently, or backing off), full (due_max_len), stale (the lease moved on)
        self.poll_entries = Counter(
            "monitor_poll_entries",
            "Due polls a poll worker took from the stream, by what it did with them",
            ["outcome"],
            registry=r,
        )  # outcome: polled, already_polled, stale (an older fencing epoch), claimed
        # (taken over from a dead worker), dropped (unusable, or handed out too often)

    def _pipeline(self, r: CollectorRegistry) -> None:
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
            "monitor_pipeline_seconds",
            "Time to process one batch of documents (seeding included)",
            buckets=BATCH_BUCKETS,
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
