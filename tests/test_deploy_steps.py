"""deploy/README.md's configuration step, run as written (paths moved to a scratch
directory): the layout it builds passes ``check-config``, so the daemon started by step 4
finds its curation files and seeds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ROOT / "deploy" / "README.md"


def step(n: int) -> list[str]:
    """The command lines of step ``n`` of the install block (comments dropped)."""
    block = re.search(r"```sh\n(.*?)```", STEPS.read_text(), re.S)
    assert block, "deploy/README.md has no sh block"
    text = block.group(1)
    part = re.search(rf"^# {n}\.(.*?)(?=^# {n + 1}\.|\Z)", text, re.S | re.M)
    assert part, f"no step {n} in deploy/README.md"
    body = part.group(1).splitlines()[1:]  # after the step's own title line
    return [ln.split("  #")[0].strip() for ln in body
            if ln.strip() and not ln.lstrip().startswith("#")]


def test_step_2_builds_a_configuration_that_passes_check_config(tmp_path: Path) -> None:
    etc = tmp_path / "etc" / "monitor"
    bin_dir = Path(sys.executable).parent
    lines = step(2)
    assert any("check-config" in ln for ln in lines)
    script = "\n".join(
        ln.replace("/opt/monitor/src", str(ROOT))
        .replace("/etc/monitor", str(etc))
        .replace("/opt/monitor/venv/bin", str(bin_dir))
        for ln in lines
    )
    # the unit runs with --data-dir; a scratch one here, so nothing is written to the repo
    script = script.replace("check-config", f"--data-dir {tmp_path / 'data'} check-config")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (etc / "monitor.toml").is_file()
