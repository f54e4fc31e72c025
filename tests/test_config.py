from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import Env, load_settings
from monitor.errors import ConfigError


def test_example_config_is_valid(project_root: Path, clean_env: None) -> None:
    s = load_settings(project_root / "config" / "monitor.toml", env=Env())
    assert s.sagas[0].seed_dir == project_root / "seeds"
    assert s.data_dir == project_root / "data"
    assert len(s.feeds) >= 4


def test_invalid_value_is_one_clear_line(tmp_path: Path, clean_env: None) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[sagas]]\nname = "Bad Name!"\nseed_dir = "s"\n')
    with pytest.raises(ConfigError, match=r"sagas\.0\.name"):
        load_settings(bad, env=Env())


def test_unknown_option_rejected(config_file: Path, clean_env: None) -> None:
    config_file.write_text(config_file.read_text() + "\nnot_an_option = 1\n")
    with pytest.raises(ConfigError, match="not_an_option"):
        load_settings(config_file, env=Env())


def test_data_dir_override_order(config_file: Path, tmp_path: Path, clean_env: None) -> None:
    from_env = load_settings(config_file, env=Env(monitor_data_dir=tmp_path / "env"))
    assert from_env.data_dir == tmp_path / "env"
    flag = load_settings(
        config_file, data_dir=tmp_path / "flag", env=Env(monitor_data_dir=tmp_path / "env")
    )
    assert flag.data_dir == tmp_path / "flag"


def test_secrets_are_redacted_in_repr(clean_env: None) -> None:
    env = Env(redis_url="redis://:hunter2@db:6379/0")  # type: ignore[arg-type]
    assert "hunter2" not in repr(env)


def test_every_option_can_come_from_the_environment(
    config_file: Path, clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR__POLLING__INTERVAL_S", "60")
    monkeypatch.setenv("MONITOR__ALERTS__SINKS", '["console"]')
    monkeypatch.setenv("MONITOR__NOVELTY__MIN_SOURCES", "3")
    monkeypatch.setenv("MONITOR__LOG_LEVEL", "DEBUG")  # a bare word is a string
    s = load_settings(config_file, env=Env())
    assert s.polling.interval_s == 60 and s.alerts.sinks == ["console"]
    assert s.novelty.min_sources == 3 and s.log_level == "DEBUG"
    assert s.sagas[0].name == "test-saga"  # the rest of the file stays


def test_every_invalid_value_is_listed_at_once(
    config_file: Path, clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR__POLLING__INTERVAL_S", "-1")
    monkeypatch.setenv("MONITOR__NOVELTY__KNOWN_THRESHOLD", "7")
    with pytest.raises(ConfigError) as err:
        load_settings(config_file, env=Env())
    assert "polling.interval_s" in str(err.value) and "novelty.known_threshold" in str(err.value)
    assert "\n" not in str(err.value)  # one line
