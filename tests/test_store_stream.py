"""The stream's text by day (monitor/store/stream.py) on the session's embedded Redis:
in how many items, and in how many of a saga's relevant reports, a name appears."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.store import Store
from monitor.store.stream import (
    KEEP_DAYS,
    SagaMentions,
    StreamText,
    line_of,
    pattern_of,
    series_of,
)

DAY = datetime(2023, 3, 14, 12, tzinfo=UTC)


def test_items_naming_someone_are_counted_once_each_whatever_their_case_and_accents(
    store: Store,
) -> None:
    stream = StreamText(store)
    stream.append([
        (DAY, line_of("Xi Jinping meets Putin", "Xi and Putin, XI JINPING said...")),
        (DAY, line_of("Bank shares fall", "No one named here")),
        (DAY - timedelta(days=1), line_of("Président Xi Jinping", "")),
    ])
    xi = pattern_of("Xi Jinping")
    assert stream.count(xi, DAY.date(), DAY.date()) == 1  # one item, twice named
    assert stream.count(xi, (DAY - timedelta(days=1)).date(), DAY.date()) == 2
    assert stream.count(pattern_of("Jinping Xi"), DAY.date(), DAY.date()) == 0
    assert stream.count(pattern_of("Xi Jin"), DAY.date(), DAY.date()) == 0  # whole words


def test_a_name_is_found_only_where_a_word_begins(store: Store) -> None:
    stream = StreamText(store)
    stream.append([(DAY, line_of("Taxi Jinping", "")), (DAY, line_of("(Xi) Jinping", ""))])
    assert stream.count(pattern_of("Xi Jinping"), DAY.date(), DAY.date()) == 1


def test_a_reader_sees_what_another_writer_added_since(store: Store) -> None:
    """Two workers share the stream: each reads the other's lines (the tail only)."""
    one, two = StreamText(store), StreamText(store)
    pattern = pattern_of("Acme")
    one.append([(DAY, "acme buys a bank")])
    assert two.count(pattern, DAY.date(), DAY.date()) == 1
    one.append([(DAY, "acme again"), (DAY, "nothing")])
    assert two.count(pattern, DAY.date(), DAY.date()) == 2
    assert one.count(pattern, DAY.date(), DAY.date()) == 2


def test_a_name_is_never_matched_across_two_lines(store: Store) -> None:
    stream = StreamText(store)
    stream.append([(DAY, line_of("Ends with Kevin", "")), (DAY, line_of("McCarthy begins", ""))])
    assert stream.count(pattern_of("Kevin McCarthy"), DAY.date(), DAY.date()) == 0
    assert line_of("A\ntitle", "its\ntext") == "a title its text"


def test_old_days_are_dropped_on_the_streams_own_clock(store: Store) -> None:
    stream, said = StreamText(store), StreamText(store, "svb")
    old = DAY - timedelta(days=KEEP_DAYS + 1)
    stream.append([(old, "acme")])
    said.append([(old, "acme")])
    stream.append([(DAY, "acme")])  # a new day: the ones past the window go, the saga's too
    pattern = pattern_of("acme")
    assert StreamText(store).count(pattern, old.date(), DAY.date()) == 1
    assert StreamText(store, "svb").count(pattern, old.date(), DAY.date()) == 0
    assert not store.redis.exists(store.keys.stream_day(old.date().isoformat(), "svb"))


def test_a_sagas_reports_count_at_once_and_are_written_when_the_batch_is_done(
    store: Store,
) -> None:
    mentions = SagaMentions(StreamText(store), StreamText(store, "svb"))
    StreamText(store).append([(DAY, line_of(f"Globex item {i}", "")) for i in range(4)])
    mentions.said(DAY, "Globex buys the failed bank", "Globex, the buyer...")
    assert mentions.counts("Globex", DAY, 7) == (4, 1)
    assert SagaMentions(StreamText(store), StreamText(store, "svb")).counts(
        "Globex", DAY, 7) == (4, 0)  # not written yet
    mentions.flush()
    assert SagaMentions(StreamText(store), StreamText(store, "svb")).counts(
        "Globex", DAY, 7) == (4, 1)
    assert mentions.counts("Globex", DAY + timedelta(days=9), 7) == (0, 0)  # out of the window


def test_items_near_the_saga_count_only_when_asked_and_go_with_their_day(store: Store) -> None:
    """The lines of the items close to the saga that its relevance turned down are kept
    apart from its reports': a newcomer's share counts reports only, a quiet actor's
    (``Engine._aside``) both."""
    def mentions() -> SagaMentions:
        return SagaMentions(StreamText(store), StreamText(store, "svb"),
                            StreamText(store, "svb", "near"))

    StreamText(store).append([(DAY, line_of(f"Globex item {i}", "")) for i in range(4)])
    m = mentions()
    m.said(DAY, "Globex buys the failed bank", "")
    m.said(DAY, "Globex weighs more deals", "", relevant=False)
    assert m.counts("Globex", DAY, 7) == (4, 1)
    assert m.counts("Globex", DAY, 7, near=True) == (4, 2)
    m.flush()
    assert mentions().counts("Globex", DAY, 7) == (4, 1)
    assert mentions().counts("Globex", DAY, 7, near=True) == (4, 2)
    later = DAY + timedelta(days=KEEP_DAYS + 1)
    StreamText(store).append([(later, "acme")])  # a new day: the old ones go, near lines too
    assert not store.redis.exists(store.keys.stream_day(DAY.date().isoformat(), "svb", "near"))


def test_an_edition_of_a_series_is_told_by_an_earlier_days_edition(store: Store) -> None:
    """A daily live camera, a numbered briefing: the same headline on an earlier day
    with other numbers. The same numbers are an earlier report of the same news; the
    day's own lines and headlines without a number tell nothing."""
    yesterday = DAY - timedelta(days=1)
    StreamText(store).append([
        (yesterday, line_of("LIVE 9 AM ET: Live View Over the Harbor (Mar. 11)", "Watch.")),
        (yesterday, line_of("Globex Is Charged on 34 Counts", "Globex was charged...")),
        (DAY, line_of("Daily bank briefing, day 2", "")),
    ])
    m = SagaMentions(StreamText(store), StreamText(store, "svb"))
    assert m.series("LIVE 9:15 AM ET: Live View Over the Harbor (Mar. 12)", DAY, 7)
    assert not m.series("Globex Is Charged on 34 Counts, Pleads Not Guilty", DAY, 7)
    assert not m.series("Daily bank briefing, day 3", DAY, 7)  # today's: no earlier day
    assert not m.series("LIVE: Live View Over the Harbor", DAY, 7)  # no number
    assert series_of("Bank fails (2)") is None  # too few words to tell a series
