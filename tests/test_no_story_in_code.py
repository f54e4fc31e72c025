"""The saga is data: nothing about any particular story in ``monitor/``, strings included.

Fails when a file under monitor/ (code, comments, docstrings, templates) names an actor of
the sagas the team measures on: the OpenAI leadership crisis (Nov 2023), the Silicon
Valley Bank failure (Mar 2023) and the UK reshuffle (Nov 2023). The names come from the
sagas' own labels, so the check follows them: every labelled actor (name, aliases), the
actors of every development and the names labelled *not* actors (the commentators of the
saga), plus a short list of the most common names. Whole words, case-insensitive.
Examples in comments use made-up names ("Jane Doe", "Acme", "Lender X").

To check another tree: ``python tests/test_no_story_in_code.py PATH/TO/monitor``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MONITOR = ROOT / "monitor"
DATA = ROOT / "tests" / "data"
LABELS = (DATA / "rss_dev_labels.json", DATA / "svb_labels.json", DATA / "uk_labels.json")

# The most common names of the two sagas, in case the labels ever drop them.
COMMON = (
    "Altman", "Sam Altman", "OpenAI", "Open AI", "Ultraman", "Brockman", "Sutskever",
    "Murati", "Emmett Shear", "Nadella", "Bret Taylor", "Larry Summers", "D'Angelo",
    "Lightcap", "Helen Toner", "Tasha McCauley",
    "Silicon Valley Bank", "SVB", "Greg Becker", "Credit Suisse", "UBS", "HSBC", "Yellen",
    "Biden", "Signature Bank", "First Republic", "First Citizens", "Mike Pence",
    "Larry Fink", "Hardee", "Kashkari", "Mester",
)

# Label names or aliases that are ordinary words, or that generic, story-independent code
# may use: "Signature" (a webhook signature, a URL's "signature" parameter), "Treasury"
# (a job title, "Treasury Secretary"), "Fed", "SEC" (also seconds), "Shear", "Musk",
# "Hunt", "Warren", "Circle". Their full names stay checked ("Signature Bank",
# "Emmett Shear", "Elon Musk", "Jeremy Hunt", "Elizabeth Warren", "Federal Reserve").
# Not listed at all: "ChatGPT", a stop word in monitor/lexicon.py's STOP_CAPS (run-time
# data; taking it out changes behaviour), and product or platform names the sagas touch
# but that name no actor ("GPT", "Twitch").
# The third saga (uk_labels.json) adds "Mitchell", "Supreme Court" and the job titles it
# labels as no actors ("Home Secretary", "Foreign Secretary"), which generic code names
# as examples of what a name is not.
ORDINARY = frozenset(
    {"signature", "treasury", "fed", "sec", "shear", "musk", "hunt", "warren", "circle",
     "mitchell", "supreme court", "home secretary", "foreign secretary"}
)


def story_names() -> list[str]:
    """The names to keep out of monitor/: the labels' actors, plus ``COMMON``."""
    names: set[str] = set(COMMON)
    for path in LABELS:
        labels = json.loads(path.read_text(encoding="utf-8"))
        for actor in labels["actors"]:
            names.add(actor["name"])
            names.update(actor.get("aliases", []))
        for development in labels["developments"]:
            names.update(development.get("actors", []))
        names.update(labels.get("not_actors", []))
    return sorted(n for n in names if n.strip() and n.casefold() not in ORDINARY)


def _pattern(names: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _text_files(root: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        try:
            yield path, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # not a text file


def story_hits(root: Path = MONITOR) -> list[str]:
    """``file:line: name`` for every story name in the text files under ``root``."""
    pattern = _pattern(story_names())
    hits = []
    for path, text in _text_files(root):
        for lineno, line in enumerate(text.splitlines(), 1):
            for m in pattern.finditer(line):
                hits.append(f"{path.relative_to(root.parent)}:{lineno}: {m.group(0)}")
    return hits


def test_names_come_from_the_labels() -> None:
    names = set(story_names())
    assert {"Sam Altman", "Silicon Valley Bank", "Janet Yellen", "Ilya Sutskever"} <= names
    assert "Jerome Powell" in names and "Larry Summers" in names  # an actor, a not-actor
    assert not names & {"Signature", "Treasury", "Fed"}


def test_whole_words_any_case() -> None:
    pattern = _pattern(["Altman", "SVB"])
    assert pattern.search("as Altman's board said")
    assert pattern.search(".../sam-altman-ousted.html")
    assert pattern.search("svb collapse")
    assert not pattern.search("Saltman")
    assert not pattern.search("SVBX")


def test_no_story_names_in_monitor() -> None:
    hits = story_hits()
    assert not hits, "story names in monitor/ (use Jane Doe, Acme, Lender X):\n" + "\n".join(
        hits
    )


if __name__ == "__main__":
    found = story_hits(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else MONITOR)
    print("\n".join(found))
    print(f"{len(found)} hit(s)")
    sys.exit(1 if found else 0)
