"""The README, followed as a newcomer would: its ``monitor`` commands, taken from the README's
own text, run as real subprocesses (the CLI of this checkout) against a temporary data dir,
and show what the README says they show.

Drift either way fails here: a command or option the README names that the CLI lacks, a
command the README shows that this test neither runs nor says why not (``NOT_RUN``), a
command this test expects that the README no longer shows, or an output that no longer
says what the README promises. The model ``monitor seed seeds/`` builds is the session's
seeded dump (conftest), restored under the README's saga name: seeding runs spaCy for most
of a minute, which a test that runs in seconds cannot afford.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest

from monitor.alerts import Outbox
from monitor.cli import cli
from monitor.config import load_settings
from monitor.store import Store
from monitor.store.sagas import SagaStore
from monitor.types import Alert, AlertKind, Explanation, utcnow
from tests.conftest import ROOT, monitor_cmd, subprocess_env

README = ROOT / "README.md"
MONITOR = (".venv/bin/monitor", "monitor")


def _code_lines() -> Iterator[str]:
    """Lines of the README's ``sh`` blocks (continuations joined, comments cut), then its
    inline code spans."""
    text = README.read_text(encoding="utf-8")
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            yield re.split(r"\s#", line)[0].strip()
    yield from re.findall(r"(?<!`)`([^`\n]+)`(?!`)", text)


def readme_commands() -> list[tuple[str, ...]]:
    """Every ``monitor`` command the README shows, as the words after ``monitor``."""
    out: list[tuple[str, ...]] = []
    for line in _code_lines():
        words = shlex.split(line) if line.split(" ", 1)[0] in MONITOR else []
        if len(words) > 1 and tuple(words[1:]) not in out:
            out.append(tuple(words[1:]))
    return out


def _bare(words: tuple[str, ...]) -> tuple[str, ...] | None:
    """A usage line's command without its optional parts (``alerts list [--json]`` is
    ``alerts list``); None when it is no command to type (``ID... | --all``)."""
    if any(w == "|" or "..." in w for w in words):
        return None
    out: list[str] = []
    depth = 0
    for w in words:
        depth += w.count("[")
        if depth == 0:
            out.append(w)
        depth -= w.count("]")
    return tuple(out)


# -- every command and option the README names exists -----------------------------------


def _resolve(words: tuple[str, ...]) -> tuple[click.Command, list[str]]:
    """The (sub)command the words name, and the options they give it."""
    command: click.Command = cli
    options = []
    for w in words:
        w = w.strip("[]")
        if w.startswith("-"):
            options.append(w.split("=", 1)[0])
        elif isinstance(command, click.Group) and not options:
            sub = command.get_command(click.Context(command), w)
            if sub is None:
                assert command.invoke_without_command, f"no command {w!r} in {words}"
                break  # an argument of the group's own callback
            command = sub
    return command, options


def _opts(command: click.Command) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts)}


def _every_command(group: click.Command = cli) -> Iterator[click.Command]:
    yield group
    if isinstance(group, click.Group):
        for name in group.list_commands(click.Context(group)):
            sub = group.get_command(click.Context(group), name)
            if sub is not None:
                yield from _every_command(sub)


def test_every_command_and_option_the_readme_names_exists() -> None:
    commands = readme_commands()
    assert len(commands) >= 15, commands  # the extraction still finds the README's commands
    for words in commands:
        command, options = _resolve(words)
        named = [w for w in words if not w.startswith(("-", "[")) and "/" not in w]
        said = f"README: `monitor {' '.join(words)}`"
        assert command is not cli or not named, f"{said}: no such command"
        allowed = _opts(command) | _opts(cli) | {"-h", "--help"}
        missing = [o for o in options if o not in allowed]
        assert not missing, f"{said}: {missing} not options of it"
    # Options the prose names alone (`--fresh`, `--speed 600`): some command has each.
    every = set().union(*(_opts(c) for c in _every_command()))
    prose = {m.split()[0] for m in re.findall(r"`(--[a-z][a-z-]*[^`]*)`", README.read_text())}
    assert prose and prose <= every, f"README names options no command has: {prose - every}"


# -- the commands a newcomer runs, run --------------------------------------------------


@dataclass(frozen=True)
class Run:
    """What the README promises a command shows: ``check(stdout, workdir)`` fails if not."""

    promise: str
    check: Callable[[str, Path], None]
    exit_code: int = 0


def _shows(*needles: str) -> Callable[[str, Path], None]:
    def check(out: str, workdir: Path) -> None:
        for needle in needles:
            assert re.search(needle, out, re.M), f"{needle!r} not in:\n{out[:2000]}"

    return check


def _html_page(out: str, workdir: Path) -> None:
    page = (workdir / "openai.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html") and "Sam Altman" in page


RUNS: dict[tuple[str, ...], Run] = {
    ("check-config",): Run(
        "validates a file ... and prints a summary",
        _shows(r"^config OK: ", r"^\s+saga:\s+openai-leadership-2023", r"^\s+feeds:\s+\d+"),
    ),
    ("model", "--format", "md"): Run(
        "actors with aliases, the dated timeline",
        _shows(r"^## Actors", r"^- \*\*Sam Altman\*\*", r"aliases: ", r"^## Timeline", r"2023-11-"),
    ),
    ("model", "--history"): Run(
        "... and every change with its cause",
        _shows(r"^History:", r"event_added: .*\(seed\)", r"\(cause [0-9a-f]+\)"),
    ),
    ("replay", "seeds/"): Run(
        "after seeding: no alert, everything is known",
        _shows(r"^replay: 5 read, .*\b0 alerts \(none\)"),
    ),
    ("alerts", "test"): Run(
        "send a test alert to each sink now, print each result",
        _shows(r"\[TEST\]", r"^console\s+ok\s+delivered", r"^jsonl\s+ok\s+delivered"),
    ),
    ("saga", "list"): Run(
        "configured and stored sagas, their models",
        _shows(r"^openai-leadership-2023\s+v\d+, \d+ protagonists, \d+ events\s+configured",
               r"^svb-2023\s+not seeded"),
    ),
    ("model", "--format", "html", "--output", "openai.html"): Run(
        "the same page, as a file", _html_page
    ),
    ("alerts", "list"): Run(
        "the recent alerts",
        _shows(r"Emmett Shear named interim CEO of OpenAI", r"openai-leadership-2023"),
    ),
    ("alerts", "dead"): Run("list dead letters", _shows(r"^no dead letters$")),
    ("status",): Run(
        "shows the daemon's state, feed health, queue depths and model version from Redis",
        _shows(r"^daemon:\s+not running", r"^feeds:", r"^queues:.*alert outbox",
               r"^model:\s+openai-leadership-2023 version \d+"),
        exit_code=1,  # no daemon running: a failure, for scripts and monitoring
    ),
}

# What the README shows that a test cannot run, and why (the options are still checked).
NOT_RUN: dict[tuple[str, ...], str] = {
    ("seed",): "spaCy for most of a minute: the test restores the model it builds",
    ("replay", "../shared/rss-dev/"): "the feed archive: ~33,000 items",
    ("replay", "-q", "../shared/rss-dev/"): "the feed archive: ~33,000 items",
    ("eval",): "scores the archive replay's alerts",
    ("saga", "add"): "spaCy, and the network with --fetch",
    ("saga", "show", "svb-2023"): "needs `saga add svb-2023` first",
    ("replay", "--all-sagas"): "every saga's archive",
    ("alerts", "deliver"): "delivers until Ctrl-C (what the daemon does)",
    ("run",): "the daemon, until Ctrl-C (tests/test_daemon.py runs it)",
    ("worker",): "a pipeline worker, until Ctrl-C (tests/test_scale.py runs three)",
    ("alerts", "retry"): "needs dead letters",
}


def _planned(words: tuple[str, ...]) -> str:
    """``run`` or why it is not run; fails for a command nobody classified."""
    bare = _bare(words)
    if bare in RUNS:
        return "run"
    for prefix, why in NOT_RUN.items():
        if words[: len(prefix)] == prefix:
            return why
    raise AssertionError(
        f"README shows `monitor {' '.join(words)}`: run it in RUNS or say why not in NOT_RUN"
    )


def test_every_readme_command_is_run_or_said_why_not() -> None:
    commands = readme_commands()
    plans = {words: _planned(words) for words in commands}
    bare = {_bare(w) for w, plan in plans.items() if plan == "run"}
    gone = [" ".join(w) for w in RUNS if w not in bare]
    assert not gone, f"the README no longer shows {gone}: update RUNS to what it says now"


def _restore_seeded(store: Store, dump: dict[Any, bytes], saga: str) -> None:
    """The session's seeded model (saga ``openai``) as the README's saga ``saga``."""
    src = "seeded-once"
    for key, blob in dump.items():
        name = key.decode() if isinstance(key, bytes) else key
        new = store.keys.prefix + name[len(src) :].replace(":openai:", f":{saga}:")
        new = re.sub(r":seen:openai$", f":seen:{saga}", new)
        store.redis.restore(new, 0, blob, replace=True)
    sagas = SagaStore(store)
    model = sagas.load(saga)
    model.name = saga
    sagas.save(model, expected_version=model.version)


def _queued_alert(saga: str) -> Alert:
    now = utcnow()
    return Alert(
        id=f"readme-{uuid.uuid4().hex[:8]}", saga=saga, kind=AlertKind.NEW_DEVELOPMENT,
        headline="Emmett Shear named interim CEO of OpenAI", actors=("Emmett Shear",),
        explanation=Explanation(reason="a development the model had not seen"),
        source_title="Shear named", source_url="https://news.example/shear", source_feed="x",
        published=now, created=now,
    )


@pytest.mark.slow
def test_the_readme_commands_show_what_it_says(
    redis_server: Store, seeded_model_json: dict[Any, bytes], tmp_path: Path
) -> None:
    commands = [b for w in readme_commands() if _planned(w) == "run" and (b := _bare(w))]
    assert sorted(commands) == sorted(RUNS)
    # A fresh clone's layout in a scratch dir (files written by the commands stay there);
    # the README's paths are relative to it.
    work = tmp_path / "clone"
    work.mkdir()
    for name in ("config", "seeds", "sagas", "tests"):
        (work / name).symlink_to(ROOT / name)
    prefix = f"readme{uuid.uuid4().hex[:8]}"
    store = redis_server.scoped(prefix)
    saga = load_settings(ROOT / "config" / "monitor.toml").sagas[0].name
    _restore_seeded(store, seeded_model_json, saga)
    env = subprocess_env(
        MONITOR_DATA_DIR=str(tmp_path / "data"),
        REDIS_URL=f"unix://{redis_server.socket_path}",
        MONITOR__REDIS__KEY_PREFIX=prefix,
    )
    try:
        settings = load_settings(ROOT / "config" / "monitor.toml", data_dir=tmp_path / "data")
        Outbox(store, settings).enqueue([_queued_alert(saga)])

        def run(words: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
            return subprocess.run(monitor_cmd(*words), cwd=work, env=env, capture_output=True,
                                  text=True, timeout=60, check=False)

        with ThreadPoolExecutor(max_workers=2) as pool:
            done = dict(zip(commands, pool.map(run, commands), strict=True))
        for words, proc in done.items():
            said = f"README: `monitor {' '.join(words)}` ({RUNS[words].promise})"
            expected = RUNS[words].exit_code
            why = f"{said} exited {proc.returncode}:\n{proc.stderr[-2000:]}"
            assert proc.returncode == expected, why
            assert "Traceback" not in proc.stderr, f"{said}:\n{proc.stderr[-2000:]}"
            RUNS[words].check(proc.stdout, work)
    finally:
        store.drop_namespace()
