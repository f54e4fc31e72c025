"""`monitor replay` on the seeds: the daemon's pipeline, in publication order."""

from __future__ import annotations

from pathlib import Path

from conftest import NEW_CHAIR, SAME_CHAIR

from monitor.documents import load_documents
from monitor.replay import run_replay
from monitor.types import AlertKind

ROOT = Path(__file__).resolve().parent.parent


def test_seeds_are_ordered_by_their_content_dates() -> None:
    docs = load_documents([ROOT / "seeds"])
    names = [Path(d.source).name[:3] for d in docs]
    # 002 says 19 Nov; 004 and 003 are dated by their weekdays; 001 says 22/11/2023;
    # 000 carries no date at all: taken for one of the last day (as "today" would be
    # read), first of that day.
    assert names == ["002", "004", "003", "000", "001"]
    assert docs[-1].published is not None and docs[-1].published.day == 22
    assert docs[-2].published is not None and docs[-2].published.day == 22
    assert docs[1].date_inferred and docs[-2].date_inferred


def test_replaying_the_seeds_from_an_empty_model_tells_the_story(
    store,
    analyzer,
    settings_factory,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    lines: list[str] = []
    out = tmp_path / "alerts.jsonl"
    summary = run_replay(
        settings_factory(tmp_path),
        store,
        [ROOT / "seeds"],
        echo=lines.append,
        output=out,
        analyzer=analyzer,
    )
    alerts = summary.alerts
    # The first document founds the saga; the others are measured against it.
    assert out.read_text().count("\n") == len(alerts)
    assert summary.read == 5 and summary.relevant >= 1
    # the replay worked on a scratch copy: the real model is still empty
    assert store.redis.get(store.keys.saga_model("openai")) is None


def test_after_seeding_replaying_the_seeds_alerts_nothing(
    seeded_store,
    analyzer,
    settings_factory,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    summary = run_replay(
        settings_factory(tmp_path),
        seeded_store,
        [ROOT / "seeds"],
        echo=lambda _: None,
        analyzer=analyzer,
    )
    assert summary.alerts == []
    assert summary.read == 5


def _archive(path: Path, items: list[dict[str, str]]) -> Path:
    import gzip
    import json

    with gzip.open(path, "wt", encoding="utf-8") as f:
        for it in items:
            f.write(json.dumps(it) + "\n")
    return path


ARCHIVE_ITEMS = [
    # out of order on purpose: the replay sorts by `published`
    {
        "feed": "https://b.example/rss",
        "title": SAME_CHAIR[0],
        "summary": SAME_CHAIR[1],
        "link": "https://b.example/taylor",
        "published": "2023-11-22T15:00:00+00:00",
        "language": "en",
    },
    {
        "feed": "https://a.example/rss",
        "title": NEW_CHAIR[0],
        "summary": NEW_CHAIR[1],
        "link": "https://a.example/chair",
        "published": "2023-11-22T14:00:00+00:00",
        "language": "en",
    },
    {
        "feed": "https://a.example/rss",
        "title": "Apple ships new laptops",
        "summary": "Apple Inc. said on Monday it will ship new laptops.",
        "link": "https://a.example/apple",
        "published": "2023-11-20T09:00:00+00:00",
        "language": "en",
    },
    {
        "feed": "https://a.example/rss",
        "title": "Markets close higher",
        "summary": "Stocks rose on Tuesday.",
        "link": "https://a.example/markets",
        "published": "2023-11-21T09:00:00+00:00",
        "language": "en",
    },
]


def test_replaying_a_feed_archive_in_time_order_with_the_item_clock(
    seeded_store,
    analyzer,
    settings_factory,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    archive = _archive(tmp_path / "2023-11-2x.jsonl.gz", ARCHIVE_ITEMS)
    out = tmp_path / "alerts.jsonl"
    summary = run_replay(
        settings_factory(tmp_path),
        seeded_store,
        [archive],
        output=out,
        echo=lambda _: None,
        analyzer=analyzer,
    )
    assert summary.read == 4
    assert summary.candidates == 2  # the prefilter kept the OpenAI items only
    devs = [a for a in summary.alerts if a.kind is AlertKind.NEW_DEVELOPMENT]
    assert len(devs) == 1  # the second report of the same development is known
    dev = devs[0]
    assert dev.source_url == "https://a.example/chair"  # the earlier item, though listed later
    # simulated clock: the alert is made when the second outlet confirms the story
    assert dev.created.isoformat() == "2023-11-22T15:00:00+00:00"
    lines = out.read_text().splitlines()
    assert len(lines) == len(summary.alerts)
    assert f'"source": {{"title": "{NEW_CHAIR[0]}' in lines[0]
    assert summary.read_by_day == {"2023-11-20": 1, "2023-11-21": 1, "2023-11-22": 2}
    rendered = summary.render()
    assert "2023-11-22" in rendered and "candidates" in rendered


def test_since_and_until_cut_the_archive(
    seeded_store,
    analyzer,
    settings_factory,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from datetime import UTC, datetime

    archive = _archive(tmp_path / "a.jsonl.gz", ARCHIVE_ITEMS)
    summary = run_replay(
        settings_factory(tmp_path),
        seeded_store,
        [archive],
        echo=lambda _: None,
        analyzer=analyzer,
        since=datetime(2023, 11, 21, tzinfo=UTC),
        until=datetime(2023, 11, 22, 14, 30, tzinfo=UTC),
    )
    assert summary.read == 2  # markets (21st) and the first board item (14:00 on the 22nd)
    # one outlet only, before the cut: a story waiting for a second source, no alert yet
    assert [a for a in summary.alerts if a.kind is AlertKind.NEW_DEVELOPMENT] == []


def test_speed_replays_the_gaps_between_items_scaled(
    seeded_store,
    analyzer,
    settings_factory,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    import time

    two = [
        dict(it) for it in ARCHIVE_ITEMS if "example/apple" in it["link"] or "markets" in it["link"]
    ]
    archive = _archive(tmp_path / "two.jsonl.gz", two)  # 24 h apart
    started = time.monotonic()
    summary = run_replay(
        settings_factory(tmp_path),
        seeded_store,
        [archive],
        echo=lambda _: None,
        analyzer=analyzer,
        speed=24 * 3600 / 0.3,  # a day in 0.3 s
    )
    assert summary.read == 2
    assert time.monotonic() - started >= 0.3  # the gap was replayed, scaled down


SVB_SEEDS = ROOT / "sagas" / "svb-2023" / "seeds"
# One development of the SVB saga told by two outlets (Mar 13, 2023), and one item that
# names both stories.
SVB_ITEMS = [
    {
        "feed": "https://c.example/rss",
        "title": "HSBC buys Silicon Valley Bank's UK arm for £1",
        "summary": "HSBC said on Monday it had bought the British arm of Silicon Valley Bank "
        "for one pound, after the Bank of England put SVB UK into insolvency.",
        "link": "https://c.example/hsbc-svb-uk",
        "published": "2023-03-13T07:00:00+00:00",
        "language": "en",
    },
    {
        "feed": "https://d.example/rss",
        "title": "Silicon Valley Bank UK sold to HSBC in rescue deal",
        "summary": "HSBC has acquired SVB UK for £1, the Treasury said on Monday, protecting "
        "the deposits of British tech start-ups after the collapse of Silicon Valley Bank.",
        "link": "https://d.example/svb-uk-hsbc",
        "published": "2023-03-13T09:00:00+00:00",
        "language": "en",
    },
]


def test_one_replay_against_both_sagas_gives_each_its_own_alerts(
    seeded_store,
    analyzer,
    settings_factory,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from monitor.documents import load_documents
    from monitor.pipeline import Pipeline

    openai = {
        "name": "openai",
        "title": "OpenAI leadership crisis",
        "seed_dir": str(ROOT / "seeds"),
        "curation": str(ROOT / "config" / "sagas" / "openai-leadership-2023.toml"),
    }
    svb = {"name": "svb-2023", "title": "SVB failure", "seed_dir": str(SVB_SEEDS)}
    settings = settings_factory(tmp_path, sagas=[openai, svb])
    Pipeline(settings, seeded_store, analyzer=analyzer, emit=lambda _: None).seed(
        load_documents([SVB_SEEDS]), saga="svb-2023"
    )
    archive = _archive(tmp_path / "both.jsonl.gz", [*ARCHIVE_ITEMS, *SVB_ITEMS])
    summary = run_replay(
        settings, seeded_store, [archive], all_sagas=True, echo=lambda _: None, analyzer=analyzer
    )
    assert summary.read == 6
    assert summary.candidates == 4  # the two stories' items; not Apple, not the markets
    by_saga: dict[str, set[str | None]] = {}
    for a in summary.alerts:
        by_saga.setdefault(a.saga, set()).add(a.source_url)
    openai_links = {it["link"] for it in ARCHIVE_ITEMS}
    svb_links = {it["link"] for it in SVB_ITEMS}
    assert by_saga.get("openai", set()) and by_saga["openai"] <= openai_links, by_saga
    assert by_saga.get("svb-2023", set()) and by_saga["svb-2023"] <= svb_links, by_saga
    assert set(by_saga) == {"openai", "svb-2023"}
    assert {a.id for a in summary.alerts if a.saga == "openai"} == {
        a.id
        for a in run_replay(
            settings, seeded_store, [archive], saga="openai", echo=lambda _: None,
            analyzer=analyzer,
        ).alerts
    }  # what the OpenAI saga finds does not depend on the other saga being followed
    # The daemon's path: each item is decided by the sagas of its candidacy only.
    from monitor.pipeline import Outcome
    from monitor.types import FeedItem

    items = [FeedItem.from_dict(it) for it in [*ARCHIVE_ITEMS, *SVB_ITEMS]]
    pipeline = Pipeline(settings, seeded_store, analyzer=analyzer, emit=lambda _: None)
    outcomes: list[Outcome] = []
    pipeline.process_items(items, outcomes=outcomes)
    decided = {(o.doc.url, o.saga) for o in outcomes}
    assert decided == {(link, "openai") for link in openai_links - {
        "https://a.example/apple", "https://a.example/markets"
    }} | {(link, "svb-2023") for link in svb_links}
