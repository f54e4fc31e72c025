"""The samples in docs/samples/ are what the sinks' code renders today: a change to a
channel's layout must come with its new sample (``tools/samples.py`` writes them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "docs" / "samples"


def test_samples_are_what_the_code_renders() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "samples.py"), "--check"],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_slack_sample_is_block_kit_and_names_the_saga_by_its_title() -> None:
    body = json.loads((SAMPLES / "slack-alert.json").read_text())
    assert body["text"] and body["blocks"][0]["type"] == "header"
    assert "Silicon Valley Bank collapse (March 2023)" in json.dumps(body)
    assert "svb-2023" not in json.dumps(body["blocks"])
