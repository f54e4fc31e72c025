"""The command line as a user meets it: one-line errors, exit status 2, no traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import monitor_cmd, subprocess_env


def run(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        monitor_cmd(*args),
        cwd=cwd,
        env=subprocess_env(),
        text=True,
        capture_output=True,
        timeout=timeout,
    )


def assert_usage_error(p: subprocess.CompletedProcess[str], needle: str) -> None:
    assert p.returncode == 2, (p.stdout, p.stderr)
    err = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(err) == 1, p.stderr
    assert err[0].startswith("monitor: error:") and needle in err[0], err[0]
    assert "Traceback" not in p.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("frobnicate",), "No such command"),
        (("replay",), "Missing parameter: paths"),
        (("model", "--format", "xml"), "'xml' is not one of"),
    ],
)
def test_bad_arguments(args: tuple[str, ...], needle: str, config_file: Path) -> None:
    assert_usage_error(
        run("--config", str(config_file), *args, cwd=config_file.parent.parent), needle
    )


def test_missing_config_file(tmp_path: Path) -> None:
    assert_usage_error(
        run("--config", str(tmp_path / "nope.toml"), "check-config", cwd=tmp_path),
        "config file not found",
    )


def test_invalid_config(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[sagas]]\nname = "x"\nseed_dir = "s"\n[match]\nknown_threshold = 7\n')
    assert_usage_error(
        run("--config", str(bad), "check-config", cwd=tmp_path), "match.known_threshold"
    )


def test_missing_documents(config_file: Path, tmp_path: Path) -> None:
    p = run(
        "--config",
        str(config_file),
        "--data-dir",
        str(tmp_path / "d"),
        "replay",
        str(tmp_path / "missing"),
        cwd=tmp_path,
    )
    assert_usage_error(p, "no such file or directory")


def test_check_config_on_the_shipped_config(project_root: Path) -> None:
    p = run("check-config", cwd=project_root)
    assert p.returncode == 0, p.stderr
    assert "config OK" in p.stdout and "openai-leadership-2023" in p.stdout


def test_seed_model_replay_end_to_end(project_root: Path, tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    seeded = run("--data-dir", data, "seed", "seeds/", cwd=project_root)
    assert seeded.returncode == 0, seeded.stderr
    assert "protagonists" in seeded.stdout

    shown = run("--data-dir", data, "model", "--format", "md", "--history", cwd=project_root)
    assert shown.returncode == 0, shown.stderr
    for name in ("Sam Altman", "Mira Murati", "Emmett Shear", "Satya Nadella"):
        assert name in shown.stdout
    assert "## Timeline" in shown.stdout and "## History" in shown.stdout

    replayed = run("--data-dir", data, "replay", "seeds/", cwd=project_root)
    assert replayed.returncode == 0, replayed.stderr
    assert "[NEW" not in replayed.stdout
    assert "0 alerts" in replayed.stdout
