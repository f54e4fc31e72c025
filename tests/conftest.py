from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _regex_cache_dir() -> tuple[Path, bool]:
    """spaCy's compiled tokenizer regexes (monitor.nlp.RegexCache) for the whole session:
    every spaCy load, in this process or in a daemon, NLP worker or command it starts,
    compiles them once for all (3-4.5 CPU s each time otherwise). One directory however
    often this module is imported (``tests.conftest`` too), shared by xdist workers;
    removed at the end of the session by the process that made it."""
    known = os.environ.get("MONITOR_TEST_REGEX_CACHE")
    if known:
        return Path(known), False
    made = tempfile.mkdtemp(prefix="monitor-test-regex-")
    os.environ["MONITOR_TEST_REGEX_CACHE"] = made
    return Path(made), True


REGEX_CACHE_DIR, _MADE_REGEX_CACHE = _regex_cache_dir()

# The new board of Nov 22 told by two outlets (title, text): one development, told twice.
NEW_CHAIR = (
    "OpenAI names Bret Taylor chair of its new board",
    "OpenAI said on Wednesday that Bret Taylor will chair the new board, with Larry Summers "
    "and Adam D'Angelo. Taylor, the former co-CEO of Salesforce, will oversee the search for "
    "new directors.",
)
SAME_CHAIR = (
    "Bret Taylor to lead OpenAI's reconstituted board",
    "Former Salesforce co-CEO Bret Taylor was named chair of the OpenAI board on Wednesday, "
    "the company said, as Sam Altman returns.",
)
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
    for var in [v for v in os.environ if v.upper().startswith("MONITOR__")]:
        monkeypatch.delenv(var)
    yield


def monitor_cmd(*args: str) -> list[str]:
    """Run the CLI of *this* checkout (not whatever `monitor` is on PATH)."""
    return [sys.executable, "-m", "monitor", *args]


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "MONITOR_CONFIG", "JOURNAL_STREAM")}
    env["PYTHONPATH"] = str(ROOT)
    env["MONITOR__NLP__REGEX_CACHE_DIR"] = str(REGEX_CACHE_DIR)
    env.update(extra)
    return env


# -- parallel runs (pytest-xdist, `make test`: -n 2 --dist loadgroup) ---------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, the tests of a module that use one of its module- or class-scoped
    fixtures (a browser, an NLP worker pool, an embedded Redis, a parsed archive) run on
    one worker, in file order: that fixture is made once, as in a serial run, and a test
    that must come last (closing the pool) still does. Every other test is handed to
    whichever worker is free."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        scopes = {fd.scope for fds in info.name2fixturedefs.values() for fd in fds}
        if scopes & {"module", "class", "package"}:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))


# -- shared heavy fixtures: one spaCy pipeline, one embedded Redis per session ---------


@pytest.fixture(scope="session")
def analyzer():  # type: ignore[no-untyped-def]
    from monitor.nlp import Analyzer

    return Analyzer(regex_cache=REGEX_CACHE_DIR)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _MADE_REGEX_CACHE:
        shutil.rmtree(REGEX_CACHE_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def regex_cache() -> Path:
    """The session's compiled-regex cache (``REGEX_CACHE_DIR``)."""
    return REGEX_CACHE_DIR


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from monitor.store import connect

    store = connect(None, tmp_path_factory.mktemp("redis"), prefix="session", embedded_db="t.db")
    yield store
    store.close()


@pytest.fixture
def store(redis_server, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A store on the session's embedded Redis, under a prefix of this test's own."""
    import uuid

    scoped = redis_server.scoped(f"test-{uuid.uuid4().hex[:10]}")
    yield scoped
    scoped.drop_namespace()


@pytest.fixture(scope="session")
def settings_factory():  # type: ignore[no-untyped-def]
    from monitor.config import Settings

    def make(tmp: Path, **overrides: object) -> Settings:
        raw: dict[str, object] = {
            "data_dir": str(tmp / "data"),
            "sagas": [
                {
                    "name": "openai",
                    "title": "OpenAI leadership crisis",
                    "seed_dir": str(ROOT / "seeds"),
                    "curation": str(ROOT / "config" / "sagas" / "openai-leadership-2023.toml"),
                }
            ],
            "alerts": {"console": False, "jsonl_path": ""},
            "health": {"enabled": False},
        }
        raw.update(overrides)
        return Settings.model_validate(raw)

    return make


@pytest.fixture(scope="session")
def seeded_model_json(analyzer, redis_server, settings_factory, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The model built from seeds/ once per session (tests copy it into their own prefix)."""
    from monitor.documents import load_documents
    from monitor.pipeline import Pipeline

    scoped = redis_server.scoped("seeded-once")
    settings = settings_factory(tmp_path_factory.mktemp("seed"))
    p = Pipeline(settings, scoped, analyzer=analyzer, emit=lambda alerts: None)
    p.seed(load_documents([ROOT / "seeds"]))
    keys = scoped.keys
    dump = {
        k: scoped.redis.dump(k)
        for k in (
            keys.saga_model("openai"),
            keys.saga_version("openai"),
            keys.seen_docs("openai"),
            keys.saga_history("openai"),
        )
    }
    scoped.drop_namespace()
    return dump


@pytest.fixture
def seeded_store(store, seeded_model_json):  # type: ignore[no-untyped-def]
    """A store whose saga 'openai' holds the model seeded from seeds/."""
    src_prefix = "seeded-once"
    for key, blob in seeded_model_json.items():
        new_key = (
            store.keys.prefix + key.decode()[len(src_prefix) :]
            if isinstance(key, bytes)
            else store.keys.prefix + key[len(src_prefix) :]
        )
        store.redis.restore(new_key, 0, blob, replace=True)
    return store


@pytest.fixture
def notify() -> Iterator[Any]:
    """A systemd notify socket (``daemon_proc.NotifySocket``) for a daemon under test."""
    from daemon_proc import NotifySocket

    sock = NotifySocket()
    yield sock
    sock.close()


@pytest.fixture
def redis_proc(tmp_path: Path) -> Iterator[Any]:
    """A real redis-server of the test's own (``redis_process.RedisProcess``), killed after."""
    from redis_process import RedisProcess  # here: it imports daemon_proc, which imports us

    server = RedisProcess(tmp_path / "redis").start()
    yield server
    server.kill()
