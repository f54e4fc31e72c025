"""The shipped labels for the second saga, svb-2023 (tests/data/svb_labels.json), checked
against their archive (../shared/sagas/svb-2023/rss) and seeds, as tests/test_evaluate.py
checks tests/data/rss_dev_labels.json. The archive is read once per module."""

from __future__ import annotations

import gzip
import html
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.evaluate import (
    ActorLabel,
    DevelopmentLabel,
    Labels,
    Outcome,
    Status,
    has_term,
    load_labels,
    normalize,
    opens,
    score,
    status_conflicts,
    utc,
)
from monitor.types import Alert, AlertKind, Explanation
from tests.conftest import ROOT, SHARED

LABELS_FILE = ROOT / "tests" / "data" / "svb_labels.json"
SAGA_DIR = SHARED / "sagas" / "svb-2023"
ARCHIVE = SAGA_DIR / "rss"
SEEDS = SAGA_DIR / "seeds"
SAGA = "svb-2023"
PERIOD = (utc("2023-03-11T00:00:00Z"), utc("2023-04-22T00:00:00Z"))

# An archive item belongs to the saga (for "nothing earlier names it") when it names one of
# these; a cheap lower-case prefilter ("bank", "svb", ...) runs first.
ANCHORS = (
    "silicon valley bank", "svb", "signature bank", "first republic", "credit suisse",
    "silvergate", "bank run", "bank failure", "bank collapse", "banking crisis",
    "banking turmoil", "bank turmoil", "banking system", "banking sector", "bank stocks",
    "bank shares", "banking", "ubs", "first citizens", "deposit", "kryzys bankowy",
    "upadek banku", "sektor bankowy", "sektora bankowego",
)  # fmt: skip
PREFILTER = ("bank", "svb", "ubs", "deposit", "suisse", "silvergate", "first citizens",
             "first republic", "sektor")  # fmt: skip


# --------------------------------------------------------------------------- fixtures


def _text(d: dict[str, Any]) -> str:
    summary = html.unescape(re.sub(r"<[^>]+>", " ", d.get("summary") or ""))
    return f"{d['title']}\n{' '.join(summary.split())}"


@pytest.fixture(scope="module")
def shipped() -> Labels:
    return load_labels(LABELS_FILE)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return json.loads(LABELS_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def archive() -> dict[str, Any]:
    """Every item by link, and the saga items (anchored) in time order, with text and time."""
    if not ARCHIVE.is_dir():
        pytest.skip(f"svb-2023 archive not found at {ARCHIVE} (../shared/sagas/svb-2023/rss)")
    # one pass per item: has_term() for each anchor would normalize the text each time
    anchored = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(normalize(a)) for a in ANCHORS) + ")")
    by_link: dict[str, list[dict[str, Any]]] = {}
    saga: list[dict[str, Any]] = []
    for path in sorted(ARCHIVE.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                d = json.loads(line)
                by_link.setdefault(d["link"], []).append(d)
                low = f"{d['title']} {d.get('summary') or ''}".lower()
                if any(p in low for p in PREFILTER):
                    d["text"] = _text(d)
                    if anchored.search(normalize(d["text"])):
                        d["time"] = utc(d["published"])
                        saga.append(d)
    saga.sort(key=lambda d: d["time"])
    return {"by_link": by_link, "saga": saga}


def all_labels(shipped: Labels) -> list[DevelopmentLabel | ActorLabel]:
    return [*shipped.developments, *shipped.actors]


def names(lb: DevelopmentLabel | ActorLabel, text: str) -> bool:
    if isinstance(lb, DevelopmentLabel):
        return lb.named_in(text)
    return any(has_term(text, n, whole_word=True) for n in lb.names)


# --------------------------------------------------------------------------- the file itself


def test_svb_labels_load_with_unique_ids_and_times_in_the_archive_period(
    shipped: Labels, raw: dict[str, Any]
) -> None:
    assert shipped.saga == SAGA
    assert shipped.window == timedelta(hours=24)
    assert shipped.match_fields == ("headline", "new_sentences", "actors")
    assert shipped.period == PERIOD
    labels = all_labels(shipped)
    ids = [lb.id for lb in labels]
    assert len(ids) == len(set(ids))
    for lb in labels:
        for ev in (lb.first_report, *lb.evidence):
            assert PERIOD[0] <= ev.time < PERIOD[1], (lb.id, ev)
    for d in raw["developments"]:
        assert 1 <= len(d.get("evidence") or ()) <= 3, d["id"]
    # the reference's required developments and new actors are all expected
    expected = {lb.id for lb in labels if lb.status is Status.EXPECTED}
    assert {
        "d1-all-deposits-guaranteed", "d2-signature-closed", "d3-hsbc-buys-svb-uk",
        "d4-doj-sec-probes", "d5-credit-suisse-crash", "d6-first-republic-30bn",
        "d7-svb-financial-chapter-11", "d8-ubs-buys-credit-suisse",
        "d9-first-citizens-buys-svb",
    } <= expected  # fmt: skip
    expected_actors = {lb.name for lb in shipped.actors if lb.status is Status.EXPECTED}
    assert expected_actors == {
        "Joe Biden", "Tim Mayopoulos", "Sergio Ermotti", "Signature Bank", "HSBC",
        "Credit Suisse", "UBS", "First Republic Bank", "First Citizens BancShares",
    }  # fmt: skip
    known = {lb.id for lb in shipped.actors if lb.status is Status.KNOWN}
    assert {"silicon-valley-bank", "fdic", "janet-yellen", "greg-becker"} <= known
    assert sum(lb.status is Status.OPTIONAL for lb in shipped.developments) >= 28


def test_not_actors_are_named_by_no_actor_label(shipped: Labels, raw: dict[str, Any]) -> None:
    """parse_labels ignores the documentation key 'not_actors'; an alert on one of them must
    stay a false alarm, so no actor label's name or alias may name it."""
    assert "Bill Barr" in raw["not_actors"]
    for person in raw["not_actors"]:
        assert not [a.id for a in shipped.actors if a.named_in(person)], person


# --------------------------------------------------------------------------- against the archive


def test_every_cited_link_is_in_the_archive_at_the_cited_time(
    shipped: Labels, archive: dict[str, Any]
) -> None:
    by_link = archive["by_link"]
    for lb in all_labels(shipped):
        for ev in (lb.first_report, *lb.evidence):
            assert ev.link in by_link, (lb.id, ev.link)
            items = by_link[ev.link]
            assert any(utc(d["published"]) == ev.time for d in items), (lb.id, ev)
            assert any(d["title"].strip() == ev.title for d in items), (lb.id, ev)


def test_first_report_and_evidence_name_their_label(
    shipped: Labels, archive: dict[str, Any]
) -> None:
    for lb in all_labels(shipped):
        for ev in (lb.first_report, *lb.evidence):
            cited = archive["by_link"][ev.link]
            assert any(names(lb, _text(d)) for d in cited), (
                f"{lb.id}: {ev.title!r} does not name it"
            )


def test_no_earlier_saga_item_names_an_expected_or_known_label(
    shipped: Labels, archive: dict[str, Any]
) -> None:
    """Nothing in the saga names an expected or known label before its first report, unless
    another label of the same kind reported no later names that item too (the talks before
    a deal, 'material weaknesses' before the crash): an alert on it is judged by that one."""
    labels = all_labels(shipped)
    for lb in labels:
        if lb.status is Status.OPTIONAL:
            continue
        same = [o for o in labels if isinstance(o, type(lb)) and o is not lb]
        for d in archive["saga"]:
            if d["time"] >= lb.first_report.time:
                break
            if names(lb, d["text"]):
                cover = [
                    o for o in same if o.first_report.time <= d["time"] and names(o, d["text"])
                ]
                assert cover, f"{lb.id}: named earlier by {d['link']} ({d['title']})"


# --------------------------------------------------------------------------- against the seeds


def test_status_agrees_with_the_seeds(shipped: Labels) -> None:
    """'known' labels are named by some seed article; 'expected' ones by none."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    if not seeds:
        pytest.skip(f"no svb-2023 seed articles in {SEEDS}")
    assert status_conflicts(shipped, seeds) == []


# --------------------------------------------------------------------------- scoring


def _alert(headline: str, at: datetime, kind: AlertKind, actors: tuple[str, ...] = ()) -> Alert:
    return Alert(
        id=f"a{abs(hash((headline, at, kind))) % 10**8}",
        saga=SAGA,
        kind=kind,
        headline=headline,
        actors=actors,
        explanation=Explanation(new_sentences=(), reason="test"),
        source_title=headline,
        source_url="https://example.org/x",
        source_feed="https://example.org/feed",
        published=at,
        created=at,
    )


def test_a_perfect_replay_scores_full_marks_on_the_svb_labels(shipped: Labels) -> None:
    """One alert per expected label, worded like its statement, is found; a second round of
    the same alerts is all duplicates."""
    five = timedelta(minutes=5)
    perfect = [
        _alert(lb.statement, lb.first_report.time + five, AlertKind.NEW_DEVELOPMENT)
        for lb in shipped.developments
        if lb.status is Status.EXPECTED
    ] + [
        _alert(lb.name, opens(lb) + five, AlertKind.NEW_ACTOR, (lb.name,))
        for lb in shipped.actors
        if lb.status is Status.EXPECTED
    ]
    report = score(perfect, shipped)
    for ks in (report.developments, report.actors):
        assert ks.recall == 1.0 and ks.precision == 1.0, ks.missed
    again = [
        _alert(a.headline, a.published + timedelta(hours=1), a.kind, a.actors)
        for a in perfect
        if a.published
    ]
    doubled = score(perfect + again, shipped)
    assert doubled.developments.precision == 0.5
    assert {j.outcome for j in doubled.actors.false_alarms} == {Outcome.DUPLICATE}


def test_svb_statements_name_their_own_development(shipped: Labels) -> None:
    for lb in shipped.developments:
        assert lb.named_in(lb.statement), lb.id


def test_ubs_talks_are_optional_and_the_deal_is_found_first(shipped: Labels) -> None:
    """The example of docs/labels.md's priority rule on this saga: an alert on the talks
    (before the deal) is optional; the first alert on the deal finds the deal; later
    alerts on the deal are duplicates, not swallowed by the optional talks."""
    talks = _alert(
        "UBS in talks to take over all or part of Credit Suisse",
        utc("2023-03-17T22:50:00Z"),
        AlertKind.NEW_DEVELOPMENT,
    )
    deal = _alert(
        "UBS agrees to buy Credit Suisse in historic deal",
        utc("2023-03-19T17:15:00Z"),
        AlertKind.NEW_DEVELOPMENT,
    )
    again = _alert(
        "Historyczna umowa: Bank UBS przejmie Credit Suisse",
        utc("2023-03-19T19:05:00Z"),
        AlertKind.NEW_DEVELOPMENT,
    )
    devs = score([talks, deal, again], shipped).developments
    outcomes = {j.alert.id: (j.outcome, j.labels) for j in devs.judged}
    assert outcomes[talks.id][0] is Outcome.OPTIONAL
    assert outcomes[deal.id] == (Outcome.HIT, ("d8-ubs-buys-credit-suisse",))
    assert outcomes[again.id][0] is Outcome.DUPLICATE


def test_archive_path_in_the_labels_is_the_one_tested(raw: dict[str, Any]) -> None:
    assert (ROOT / raw["archive"]).resolve() == Path(ARCHIVE).resolve()
