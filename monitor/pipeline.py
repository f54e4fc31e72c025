"""The one pipeline, used by the daemon and by ``monitor replay``:

    Document -> text -> entities (nlp) -> match against the saga model (match)
             -> decision -> alerts (alerts) -> model updated with what was new (saga)

(Being written: see issue #3/#4.)
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.config import Settings
from monitor.store import Store
from monitor.types import Alert, FeedItem


class Pipeline:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store

    def ensure_seeded(self) -> None:
        """Seed each saga from its seed_dir when its model is empty."""

    def process_items(self, items: Sequence[FeedItem]) -> list[Alert]:
        return []
