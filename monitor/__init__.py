"""monitor: follow a news saga in RSS/Atom feeds and alert on what is new.

The package reads as the pipeline::

    feeds -> extract -> nlp -> saga / match -> alerts
                 store (Redis), daemon, replay, cli, config beside them

``pipeline`` wires the stages together; the daemon and ``monitor replay`` both use it.
"""

from monitor.errors import MonitorError

__all__ = ["MonitorError", "__version__"]
__version__ = "0.1.0"
