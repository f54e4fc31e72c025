"""monitor.evaluate and `monitor eval`: scoring rules on hand-made alerts, CLI errors, and
the shipped labels for ../shared/rss-dev checked against the archive and the seeds."""

from __future__ import annotations

import gzip
import html
import json
import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.errors import InputError
from monitor.evaluate import (
    Outcome,
    Status,
    has_term,
    load_alerts,
    load_labels,
    normalize,
    opens,
    parse_labels,
    score,
    status_conflicts,
    utc,
)
from monitor.types import Alert, AlertKind, Explanation
from tests.conftest import ROOT, SHARED, monitor_cmd, subprocess_env

LABELS_FILE = ROOT / "tests" / "data" / "rss_dev_labels.json"
ARCHIVE = SHARED / "rss-dev"
SAGA = "openai-leadership-2023"
T0 = utc("2023-11-18T07:04:20Z")


# --------------------------------------------------------------------------- helpers


def alert(
    headline: str,
    at: datetime,
    *,
    kind: AlertKind = AlertKind.NEW_DEVELOPMENT,
    actors: tuple[str, ...] = (),
    sentences: tuple[str, ...] = (),
    saga: str = SAGA,
    aid: str | None = None,
) -> Alert:
    return Alert(
        id=aid or f"a{abs(hash((headline, at))) % 10**8}",
        saga=saga,
        kind=kind,
        headline=headline,
        actors=actors,
        explanation=Explanation(new_sentences=sentences, reason="test"),
        source_title=headline,
        source_url="https://example.org/x",
        source_feed="https://example.org/feed",
        published=at,
        created=at,
    )


def actor_alert(name: str, at: datetime, role: str = "") -> Alert:
    head = f"{name} ({role})" if role else name
    return alert(head, at, kind=AlertKind.NEW_ACTOR, actors=(name, "Sam Altman"))


def small_labels(**over: Any) -> dict[str, Any]:
    def ev(t: str) -> dict[str, str]:
        return {"time": t, "link": f"https://example.org/{t}", "title": "t"}

    data: dict[str, Any] = {
        "saga": SAGA,
        "window_hours": 24,
        "developments": [
            {
                "id": "fired",
                "status": "known",
                "statement": "Board fires Altman",
                "first_report": ev("2023-11-17T20:28:50Z"),
                "match": [["altman"], ["fire", "oust"]],
            },
            {
                "id": "memo",
                "status": "expected",
                "statement": "Lightcap memo: no malfeasance",
                "first_report": ev("2023-11-18T18:24:05Z"),
                "match": [["malfeasance", "lightcap"]],
            },
            {
                "id": "regret",
                "status": "expected",
                "statement": "Sutskever regrets",
                "first_report": ev("2023-11-20T13:16:22Z"),
                "match": [["sutskever", "ilya"], ["regret"]],
            },
            {
                "id": "france",
                "status": "optional",
                "statement": "France welcomes Altman",
                "first_report": ev("2023-11-18T17:30:14Z"),
                "match": [["france"], ["altman"]],
            },
        ],
        "actors": [
            {
                "id": "madry",
                "name": "Aleksander Madry",
                "aliases": ["Madry"],
                "status": "expected",
                "first_report": ev("2023-11-18T07:04:20Z"),
            },
            {
                "id": "pachocki",
                "name": "Jakub Pachocki",
                "aliases": ["Pachocki"],
                "status": "expected",
                "first_report": ev("2023-11-18T07:04:20Z"),
            },
            {
                "id": "altman",
                "name": "Sam Altman",
                "aliases": ["Altman"],
                "status": "known",
                "first_report": ev("2023-11-17T20:28:50Z"),
            },
        ],
    }
    data.update(over)
    return data


def write_alerts(path: Path, alerts: list[Alert]) -> Path:
    path.write_text("".join(json.dumps(a.to_dict()) + "\n" for a in alerts), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- text matching


def test_normalize_folds_case_accents_and_polish_letters() -> None:
    assert normalize("  Aleksander  MĄDRY ") == "aleksander madry"
    assert normalize("Łukasz D’Angelo") == "lukasz d'angelo"


def test_terms_start_words_and_whole_word_terms_end_them() -> None:
    assert has_term("Three senior researchers RESIGNED", "resign")
    assert not has_term("the designer", "sign")  # must start a word
    assert has_term("Prof. Aleksander Mądry", "Madry", whole_word=True)
    assert not has_term("centrum Madrytu", "Madry", whole_word=True)
    assert has_term("told by the board\nin a  Google   Meet", "google meet")


# --------------------------------------------------------------------------- scoring rules


def test_alert_within_a_day_of_first_report_finds_the_development() -> None:
    labels = parse_labels(small_labels())
    a = alert(
        "OpenAI memo says no malfeasance behind firing",
        utc("2023-11-18T21:00:00Z"),
    )
    report = score([a], labels)
    devs = report.developments
    assert [lid for lid, _, _ in devs.found] == ["memo"]
    assert devs.found[0][2] == timedelta(hours=2, minutes=35, seconds=55)
    assert devs.precision == 1.0
    assert devs.recall == 0.5  # "regret" missed
    assert [m.label_id for m in devs.missed] == ["regret"]
    assert devs.missed[0].reason == "no alert named it"


def test_names_are_looked_for_in_new_sentences_and_actors_too() -> None:
    labels = parse_labels(small_labels())
    a = alert(
        "A development",
        utc("2023-11-20T15:00:00Z"),
        sentences=("Ilya said he deeply regrets his role.",),
    )
    assert [lid for lid, _, _ in score([a], labels).developments.found] == ["regret"]


def test_alert_more_than_a_day_late_does_not_count_and_is_a_false_alarm() -> None:
    labels = parse_labels(small_labels())
    late = alert("Lightcap memo on Altman firing", utc("2023-11-19T18:24:06Z"))
    devs = score([late], labels).developments
    assert devs.hits == 0
    assert [j.outcome for j in devs.false_alarms] == [Outcome.LATE]
    miss = {m.label_id: m for m in devs.missed}["memo"]
    assert "outside the window" in miss.reason and "+24" in miss.reason
    assert devs.precision == 0.0


def test_alert_before_the_first_report_does_not_find_it() -> None:
    labels = parse_labels(small_labels())
    early = alert("Lightcap memo", utc("2023-11-18T18:00:00Z"))
    assert score([early], labels).developments.hits == 0


def test_second_alert_on_a_found_development_is_a_duplicate_false_alarm() -> None:
    labels = parse_labels(small_labels())
    first = alert("No malfeasance, memo says", utc("2023-11-18T19:00:00Z"), aid="one")
    again = alert("COO Brad Lightcap memo to staff", utc("2023-11-18T20:51:00Z"), aid="two")
    devs = score([again, first], labels).developments  # order in the file does not matter
    assert devs.found[0][1].alert.id == "one"
    assert [(j.alert.id, j.outcome) for j in devs.false_alarms] == [("two", Outcome.DUPLICATE)]
    assert devs.precision == 0.5


def test_alert_naming_no_label_is_an_unmatched_false_alarm() -> None:
    labels = parse_labels(small_labels())
    noise = alert("ChatGPT Plus sign-ups paused", utc("2023-11-15T08:12:35Z"))
    devs = score([noise], labels).developments
    assert [j.outcome for j in devs.false_alarms] == [Outcome.UNMATCHED]
    assert devs.precision == 0.0 and devs.recall == 0.0


def test_known_from_seeds_is_a_false_alarm_after_seeding_and_a_hit_when_fresh() -> None:
    labels = parse_labels(small_labels())
    a = alert("OpenAI board fires Sam Altman", utc("2023-11-17T20:40:00Z"))
    seeded = score([a], labels).developments
    assert [j.outcome for j in seeded.false_alarms] == [Outcome.KNOWN]
    assert seeded.expected == 2
    fresh = score([a], labels, after_seeding=False).developments
    assert [lid for lid, _, _ in fresh.found] == ["fired"]
    assert fresh.expected == 3


def test_optional_labels_are_neither_rewarded_nor_punished() -> None:
    labels = parse_labels(small_labels())
    a = alert("Altman welcome in France, minister says", utc("2023-11-18T18:00:00Z"))
    devs = score([a], labels).developments
    assert devs.hits == 0 and not devs.false_alarms
    assert [j.labels for j in devs.optional] == [("france",)]
    assert devs.precision is None


def test_new_actor_found_by_alias_with_accents_and_role_in_headline() -> None:
    labels = parse_labels(small_labels())
    a = actor_alert("Aleksander Mądry", utc("2023-11-18T09:04:14Z"), role="head of preparedness")
    b = alert(
        "Pachocki (director of research)",
        utc("2023-11-18T16:08:56Z"),
        kind=AlertKind.NEW_ACTOR,
    )  # no actors list: the name is read from the headline
    report = score([a, b], labels)
    assert [lid for lid, _, _ in report.actors.found] == ["madry", "pachocki"]
    assert report.actors.recall == 1.0 and report.actors.precision == 1.0
    assert report.developments.judged == ()  # kinds are scored separately


def test_actor_alerts_duplicate_known_and_unmatched() -> None:
    labels = parse_labels(small_labels())
    alerts = [
        actor_alert("Jakub Pachocki", T0),
        actor_alert("Pachocki", T0 + timedelta(hours=1)),
        actor_alert("Sam Altman", T0),  # in the seeds
        actor_alert("Kara Swisher", T0),  # a journalist: not a player
        # the role mentions Altman, but the actor is the name before it
        actor_alert("Annie Doe", T0, role="sister of Sam Altman"),
    ]
    outcomes = sorted(j.outcome.value for j in score(alerts, labels).actors.false_alarms)
    assert outcomes == ["duplicate", "known", "unmatched", "unmatched"]


def test_an_actor_enters_the_saga_with_the_first_development_it_takes_part_in() -> None:
    """Named in passing on day one, taking part in a development on day two: an actor
    alert on the passing mention is early (a false alarm), one within a day of the
    development finds it. The window opens at the development's first report, which the
    labels give through the development's ``actors``."""
    data = small_labels()
    data["developments"][1]["actors"] = ["Jakub Pachocki"]  # the memo, 11-18 18:24
    labels = parse_labels(data)
    pachocki = next(a for a in labels.actors if a.id == "pachocki")
    assert opens(pachocki) == utc("2023-11-18T18:24:05Z")
    madry = next(a for a in labels.actors if a.id == "madry")
    assert opens(madry) == madry.first_report.time  # no development lists him
    early = score([actor_alert("Jakub Pachocki", T0 + timedelta(hours=1))], labels)
    assert early.actors.found == () and early.actors.precision == 0.0
    on_time = score([actor_alert("Jakub Pachocki", utc("2023-11-19T10:00:00Z"))], labels)
    assert [lid for lid, _, _ in on_time.actors.found] == ["pachocki"]
    assert on_time.actors.found[0][2] == timedelta(hours=15, minutes=35, seconds=55)
    # a development listing him before his first naming moves nothing
    data["developments"][1]["first_report"]["time"] = "2023-11-18T01:00:00Z"
    assert opens(next(a for a in parse_labels(data).actors if a.id == "pachocki")) == T0


def test_alerts_of_another_saga_are_ignored() -> None:
    labels = parse_labels(small_labels())
    other = alert("Lightcap memo", utc("2023-11-18T19:00:00Z"), saga="another-saga")
    report = score([other], labels)
    assert report.ignored_alerts == 1 and report.developments.judged == ()


def test_report_renders_text_and_round_trips_as_json() -> None:
    labels = parse_labels(small_labels())
    alerts = [
        alert("No malfeasance, memo says", utc("2023-11-18T19:00:00Z")),
        alert("Quiz of the week", utc("2023-11-18T19:00:00Z")),
        actor_alert("Jakub Pachocki", T0),
    ]
    report = score(alerts, labels)
    text = report.render()
    assert "precision 50%" in text and "recall 50%" in text
    assert "MISSED  regret" in text and "FALSE   unmatched" in text
    d = json.loads(json.dumps(report.to_dict()))
    assert d["new_development"]["hits"] == 1
    assert d["new_development"]["false_alarms"][0]["headline"] == "Quiz of the week"
    assert d["new_actor"]["recall"] == 0.5
    assert {m["label"] for m in d["new_actor"]["missed"]} == {"madry"}


def _told_by(*reports: tuple[str, str]) -> dict[str, Any]:
    """The memo label, reported at each (time, link): the first report, then evidence."""
    data = small_labels()
    memo = data["developments"][1]
    (t0, l0), *rest = reports
    memo["first_report"] = {"time": t0, "link": l0, "title": "memo"}
    memo["evidence"] = [{"time": t, "link": link, "title": "memo"} for t, link in rest]
    return data


def test_an_alert_is_timed_from_the_second_outlet_that_told_the_development() -> None:
    # a scoop at 18:24, the same outlet's other feed at 18:40, a second outlet at 19:00:
    # an alert at 21:00 came 2 h after the news was confirmable, not 2.6 h
    data = _told_by(("2023-11-18T18:24:05Z", "https://www.semafor.com/a"),
                    ("2023-11-18T18:40:00Z", "https://tech.semafor.com/a-copy"),
                    ("2023-11-18T19:00:00Z", "https://www.axios.com/b"))
    report = score([alert("No malfeasance, memo says", utc("2023-11-18T21:00:00Z"))],
                   parse_labels(data))
    assert report.timeliness.of("memo") == timedelta(hours=2)
    assert report.timeliness.within(1) == 0 and report.timeliness.within(6) == 1
    text = report.render()
    assert "+2.6 h (+2 h after a second outlet)" in text
    assert "timeliness: 1 found told by two outlets; alerted a median +2 h after the second" in text
    assert json.loads(json.dumps(report.to_dict()))["timeliness"]["lags"] == {"memo": 2.0}


def test_a_development_one_outlet_told_is_not_timed() -> None:
    data = _told_by(("2023-11-18T18:24:05Z", "https://www.semafor.com/a"),
                    ("2023-11-18T19:00:00Z", "https://tech.semafor.com/b"))
    report = score([alert("No malfeasance, memo says", utc("2023-11-18T21:00:00Z"))],
                   parse_labels(data))
    assert report.timeliness.of("memo") is None and report.timeliness.median_hours is None
    assert "no found development told by two outlets" in report.render()
    assert "after a second outlet" not in report.render()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"developments": [], "actors": []}, "no developments"),
        ({"window_hours": "a day"}, "window_hours"),
        ({"match_fields": ["body"]}, "unknown match_fields"),
    ],
)
def test_bad_labels_are_input_errors(change: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_labels(small_labels(**change))


def test_label_errors_name_the_label() -> None:
    data = small_labels()
    data["developments"][1]["status"] = "maybe"
    with pytest.raises(InputError, match="development memo: status must be one of"):
        parse_labels(data)
    data = small_labels()
    data["developments"][1]["match"] = []
    with pytest.raises(InputError, match="development memo: 'match'"):
        parse_labels(data)
    data = small_labels()
    data["actors"][1]["id"] = "madry"
    with pytest.raises(InputError, match="duplicate ids: madry"):
        parse_labels(data)
    data = small_labels()
    del data["actors"][0]["first_report"]
    with pytest.raises(InputError, match="actor madry: missing 'first_report'"):
        parse_labels(data)


def test_load_alerts_reports_the_bad_line(tmp_path: Path) -> None:
    good = alert("x", T0).to_dict()
    path = tmp_path / "alerts.jsonl"
    path.write_text(json.dumps(good) + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"alerts\.jsonl:3: not an alert"):
        load_alerts(path)
    path.write_text(json.dumps({**good, "kind": "gossip"}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=":1: not an alert"):
        load_alerts(path)
    path.write_text(json.dumps(good) + "\n\n", encoding="utf-8")
    assert [a.id for a in load_alerts(path)] == [good["id"]]


# --------------------------------------------------------------------------- CLI


def run_eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        monitor_cmd("eval", *args),
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_scores_alerts_as_text_and_json(tmp_path: Path) -> None:
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps(small_labels()), encoding="utf-8")
    alerts = write_alerts(
        tmp_path / "alerts.jsonl",
        [
            alert("No malfeasance, memo says", utc("2023-11-18T19:00:00Z")),
            actor_alert("Jakub Pachocki", T0),
        ],
    )
    out = run_eval("--alerts", str(alerts), "--labels", str(labels))
    assert out.returncode == 0, out.stderr
    assert "new developments: 1 alert(s), 1/2 expected found" in out.stdout
    out = run_eval("--alerts", str(alerts), "--labels", str(labels), "--json", "--fresh")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["after_seeding"] is False
    assert d["new_development"]["expected"] == 3
    assert d["new_actor"]["hits"] == 1


def test_cli_bad_inputs_exit_2_with_one_line(tmp_path: Path) -> None:
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps(small_labels()), encoding="utf-8")
    alerts = write_alerts(tmp_path / "alerts.jsonl", [])
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    cases = [
        (["--alerts", str(tmp_path / "nope.jsonl"), "--labels", str(labels)], "not found"),
        (["--alerts", str(alerts), "--labels", str(tmp_path / "nope.json")], "not found"),
        (["--alerts", str(alerts), "--labels", str(broken)], "not valid JSON"),
        (["--alerts", str(tmp_path), "--labels", str(labels)], "directory"),
        (["--alerts", str(alerts)], "labels"),
    ]
    for args, message in cases:
        out = run_eval(*args)
        assert out.returncode == 2, (args, out.stderr)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("monitor: error:"), out.stderr
        assert message in lines[0]
        assert "Traceback" not in out.stderr


# --------------------------------------------------------------------------- shipped labels

ANCHORS = ("openai", "open ai", "altman", "chatgpt", "sutskever", "brockman", "murati")


def _archive_items() -> list[dict[str, Any]]:
    if not ARCHIVE.is_dir():
        pytest.skip(f"rss-dev archive not found at {ARCHIVE} (../shared/rss-dev of the project)")
    items: list[dict[str, Any]] = []
    for path in sorted(ARCHIVE.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            items.extend(json.loads(line) for line in f if line.strip())
    for d in items:
        summary = html.unescape(re.sub(r"<[^>]+>", " ", d.get("summary") or ""))
        d["text"] = f"{d['title']}\n{' '.join(summary.split())}"
        d["time"] = utc(d["published"])
    return items


@pytest.fixture(scope="module")
def archive() -> list[dict[str, Any]]:
    return _archive_items()


@pytest.fixture(scope="module")
def shipped() -> Any:
    return load_labels(LABELS_FILE)


def all_labels(shipped: Any) -> list[Any]:
    return [*shipped.developments, *shipped.actors]


def test_shipped_labels_load_with_unique_ids_and_times_in_the_archive_period(
    shipped: Any,
) -> None:
    labels = all_labels(shipped)
    ids = [lb.id for lb in labels]
    assert len(ids) == len(set(ids))
    start, end = utc("2023-11-10T00:00:00Z"), utc("2023-11-21T00:00:00Z")
    assert shipped.period == (start, end)
    for lb in labels:
        for ev in (lb.first_report, *lb.evidence):
            assert start <= ev.time < end, (lb.id, ev)
    # what the issue names must be there
    expected = {lb.id for lb in shipped.actors if lb.status is Status.EXPECTED}
    assert {"jakub-pachocki", "aleksander-madry", "szymon-sidor"} <= expected
    assert sum(lb.status is Status.EXPECTED for lb in shipped.developments) >= 3


def test_every_cited_link_is_in_the_archive_at_the_cited_time(
    shipped: Any, archive: list[dict[str, Any]]
) -> None:
    by_link: dict[str, list[dict[str, Any]]] = {}
    for d in archive:
        by_link.setdefault(d["link"], []).append(d)
    for lb in all_labels(shipped):
        for ev in (lb.first_report, *lb.evidence):
            assert ev.link in by_link, (lb.id, ev.link)
            assert any(d["time"] == ev.time for d in by_link[ev.link]), (lb.id, ev)
            assert any(d["title"].strip() == ev.title for d in by_link[ev.link]), (lb.id, ev)


def test_first_report_names_the_label_and_nothing_earlier_in_the_saga_does(
    shipped: Any, archive: list[dict[str, Any]]
) -> None:
    """The labels' match terms and first reports agree with the archive: the cited item
    names the label, and no earlier saga item (one naming OpenAI or a protagonist) does."""
    saga_start = min(lb.first_report.time for lb in all_labels(shipped))
    saga_items = [
        d
        for d in archive
        if d["time"] >= saga_start and any(has_term(d["text"], a) for a in ANCHORS)
    ]

    def names(lb: Any, text: str) -> bool:
        if lb in shipped.developments:
            return bool(lb.named_in(text))
        return any(has_term(text, n, whole_word=True) for n in lb.names)

    for lb in all_labels(shipped):
        cited = [d for d in archive if d["link"] == lb.first_report.link]
        assert any(names(lb, d["text"]) for d in cited), f"{lb.id}: first report does not name it"
        earlier = [
            d for d in saga_items if d["time"] < lb.first_report.time and names(lb, d["text"])
        ]
        assert not earlier, f"{lb.id}: named earlier by {earlier[0]['link']}"


def test_status_agrees_with_the_seeds(shipped: Any) -> None:
    """'known' labels are named by some seed article; 'expected' ones by none."""
    seed_dir = ROOT / "seeds" if (ROOT / "seeds").is_dir() else SHARED / "seeds"
    seeds = [p.read_text(encoding="utf-8") for p in sorted(seed_dir.glob("*.txt"))]
    if not seeds:
        pytest.skip(f"no seed articles in {seed_dir}")
    assert status_conflicts(shipped, seeds) == []


def test_a_perfect_replay_scores_full_marks_on_the_shipped_labels(shipped: Any) -> None:
    """One alert per expected label, worded like its first report, is found; a second
    round of the same alerts is all duplicates."""
    perfect = [
        alert(lb.statement, lb.first_report.time + timedelta(minutes=5))
        for lb in shipped.developments
        if lb.status is Status.EXPECTED
    ] + [
        actor_alert(lb.name, opens(lb) + timedelta(minutes=5))
        for lb in shipped.actors
        if lb.status is Status.EXPECTED
    ]
    report = score(perfect, shipped)
    for ks in (report.developments, report.actors):
        assert ks.recall == 1.0 and ks.precision == 1.0, ks.missed
    again = [
        alert(a.headline, a.published + timedelta(hours=1), kind=a.kind, actors=a.actors)
        for a in perfect
        if a.published
    ]
    doubled = score(perfect + again, shipped)
    assert doubled.developments.precision == 0.5
    assert {j.outcome for j in doubled.actors.false_alarms} == {Outcome.DUPLICATE}


async def test_eval_reads_the_daemons_own_jsonl_file(tmp_path: Path) -> None:
    """The JSONL sink writes the webhook envelope (with follow-ups and test probes in
    it): eval reads the alerts out of it."""
    import httpx

    from monitor.alerts.jsonl import JSONLSink
    from monitor.alerts.message import Message, MessageType, Source, probe_message

    path = tmp_path / "alerts.jsonl"
    sink = JSONLSink(path)
    a = alert("x", T0)
    async with httpx.AsyncClient() as client:
        await sink.deliver(Message(MessageType.ALERT, a), client)
        await sink.deliver(Message(MessageType.MORE_SOURCES, a, (Source("B", None, "f"),)), client)
        await sink.deliver(probe_message("s"), client)
    assert [x.id for x in load_alerts(path)] == [a.id]


def test_status_conflicts_name_each_label_the_seeds_contradict() -> None:
    labels = parse_labels(small_labels())
    told = ["The board fired Sam Altman.", "Ilya Sutskever says he deeply regrets it."]
    conflicts = status_conflicts(labels, told)
    assert "regret is 'expected' but a seed names it" in conflicts
    assert not any(c.startswith("fired ") for c in conflicts)  # known, and told
    assert any(c.startswith("fired is 'known'") for c in status_conflicts(labels, []))
