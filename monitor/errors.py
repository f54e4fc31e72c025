"""Every error the monitor raises on purpose derives from :class:`MonitorError`.

Library errors (redis, httpx, feedparser, spaCy, pydantic) are translated at the
stage boundary with ``raise ... from exc`` so that callers only ever catch ours::

    MonitorError
    ├── ConfigError          invalid or missing configuration
    ├── InputError           a document, path or archive the user gave us is unusable
    ├── StoreError           Redis unreachable or a stored value is corrupt
    │   └── ConflictError    a concurrent writer changed the saga model first
    ├── FetchError           a feed or an article could not be fetched (see feeds/extract)
    │   └── BlockedURLError  not http(s), or a private/loopback/link-local address
    ├── NLPError             the language pipeline could not be loaded or run
    ├── SeedError            a saga's seeds give no protagonist or no event
    └── DeliveryError        an alert sink refused or could not be reached
"""

from __future__ import annotations


class MonitorError(Exception):
    """Root of every error raised by the monitor."""


class ConfigError(MonitorError):
    """The configuration file or environment is invalid."""


class InputError(MonitorError):
    """A path, document or archive given by the user cannot be used."""


class StoreError(MonitorError):
    """Redis cannot be reached, or holds a value we cannot read."""


class ConflictError(StoreError):
    """Another writer updated the saga model between our read and our write."""


class FetchError(MonitorError):
    """A feed or article could not be fetched."""


class BlockedURLError(FetchError):
    """The URL is not http(s) or resolves to an address we must not reach (SSRF guard)."""


class NLPError(MonitorError):
    """The language pipeline could not be loaded or run."""


class SeedError(MonitorError):
    """A saga's seed documents give a model that can find nothing."""


class DeliveryError(MonitorError):
    """An alert sink refused the alert or could not be reached."""
