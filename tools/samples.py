"""Write the samples of what each channel receives, in docs/samples/, from real alerts.

    .venv/bin/python tools/samples.py [--check]

``docs/samples/alerts.json`` holds two alerts from a replay of the SVB archive (a new
development and a new actor) and one later source of the development. From them, with the
sinks' own code: ``console.txt`` (the console sink), ``slack-alert.json`` (the Block Kit
body posted for an alert), ``slack-more-sources.json`` (the follow-up, a reply in the
alert's thread with a bot token), ``webhook.json`` (the signed webhook's and the JSONL
file's body). ``--check`` fails when a committed sample differs from what the code now
renders (``tests/test_docs_samples.py`` runs it).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.alerts.console import format_message  # noqa: E402
from monitor.alerts.message import (  # noqa: E402
    Message,
    MessageType,
    Names,
    Source,
)
from monitor.alerts.slack import slack_payload  # noqa: E402
from monitor.types import Alert  # noqa: E402

SAMPLES = ROOT / "docs" / "samples"
SENT_AT = datetime(2023, 3, 27, 6, 30, tzinfo=UTC)  # when the webhook was sent, fixed


def _json(obj: object) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def render(source: Path = SAMPLES / "alerts.json") -> dict[str, str]:
    """File name -> text, for every sample."""
    data = json.loads(source.read_text())
    dev, actor = Alert.from_dict(data["development"]), Alert.from_dict(data["actor"])
    more = tuple(Source.from_dict(s) for s in data["more_sources"])
    names = Names(sagas=data["names"]["sagas"], feeds=data["names"]["feeds"])
    messages = [Message(MessageType.ALERT, dev), Message(MessageType.ALERT, actor),
                Message(MessageType.MORE_SOURCES, dev, more)]
    return {
        "console.txt": "\n\n".join(format_message(m, names) for m in messages) + "\n",
        "slack-alert.json": _json(slack_payload(messages[0], names)),
        "slack-more-sources.json": _json(slack_payload(messages[2], names)),
        "webhook.json": _json(messages[0].payload(timestamp=SENT_AT)),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare, write nothing")
    args = ap.parse_args()
    stale = []
    for name, text in render().items():
        path = SAMPLES / name
        if args.check:
            if not path.is_file() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print(f"stale samples (run tools/samples.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
