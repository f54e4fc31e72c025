"""What start-up will need, checked before it is needed (``monitor check-config``).

The config file can be valid and the daemon still fail minutes later, after the NLP
models have loaded: a seed folder moved, a curation file left behind, a data dir it may
not write, a feed URL with a scheme it will refuse. Every problem is listed at once.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from monitor.config import Settings
from monitor.documents import expand_paths
from monitor.errors import ConfigError, InputError
from monitor.saga import Curation
from monitor.urls import redact


def _writable_dir(path: Path) -> str | None:
    """Why ``path`` cannot be used (created if missing) as a writable folder, or None."""
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            return f"data_dir {path}: no existing parent"
        probe = probe.parent
    if not probe.is_dir():
        return f"data_dir {path}: {probe} is not a folder"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"data_dir {path}: {probe} is not writable by this user"
    return None


def problems(settings: Settings) -> list[str]:
    """Everything start-up would trip on, one line each (empty: ready to start)."""
    out: list[str] = []
    if (why := _writable_dir(settings.data_dir)) is not None:
        out.append(why)
    for saga in settings.sagas:
        try:
            expand_paths([saga.seed_dir])
        except InputError as exc:
            out.append(f"saga {saga.name}: seeds: {exc}")
        try:
            Curation.load(saga.curation)
        except ConfigError as exc:
            out.append(f"saga {saga.name}: {exc}")
    for feed in settings.feeds:
        parts = urlsplit(feed.url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            out.append(f"feed {feed.name or redact(feed.url)}: not an http(s) URL with a host")
    return out
