from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture
def project_root() -> Path:
    return ROOT


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A minimal valid config in a temp project (seeds copied), no feeds."""
    cfg = tmp_path / "config"
    cfg.mkdir()
    (cfg / "monitor.toml").write_text(
        f"""
data_dir = "data"
[redis]
key_prefix = "t"
[[sagas]]
name = "test-saga"
seed_dir = "{(ROOT / "seeds").as_posix()}"
[alerts]
console = true
jsonl_path = "alerts.jsonl"
[health]
enabled = false
""",
        encoding="utf-8",
    )
    return cfg / "monitor.toml"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("REDIS_URL", "MONITOR_CONFIG", "MONITOR_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    yield


def monitor_cmd(*args: str) -> list[str]:
    """Run the CLI of *this* checkout (not whatever `monitor` is on PATH)."""
    return [sys.executable, "-m", "monitor", *args]


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "MONITOR_CONFIG")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env
