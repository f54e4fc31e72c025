"""``tools/signals.py``: the audit that tells whether a report-level signal separates a
development's first report from the rest, before a rule is built on it
(``tools/tune.py --audit``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tools.signals import Report, audit, features, firsts, language_pairs, separation

HOUR = 3600.0


def _rows(*angles: float) -> np.ndarray:
    """Unit rows in a plane: the cosine of two rows is the cosine of their angles' gap."""
    return np.array([[math.cos(a), math.sin(a), 0.0] for a in angles], dtype=np.float32)


def _report(at_h: float, title: str, url: str, angle: float, near: float = 0.5,
            fresh: int = 0, language: str = "en") -> Report:
    return Report(at_h * HOUR, title, url, near, _rows(angle, angle), fresh=fresh,
                  language=language)


def test_separation_is_the_chance_that_a_first_report_scores_higher() -> None:
    assert separation([3, 4], [1, 2]) == 1.0
    assert separation([1, 2], [3, 4]) == 0.0
    assert separation([1, 1], [1, 1]) == 0.5  # ties count half
    assert separation([2], [1, 3]) == 0.5
    assert math.isnan(separation([], [1.0]))


LABELS = {"developments": [
    {"id": "k-failure", "status": "known",
     "evidence": [{"link": "https://a.example/failed", "title": "Bank fails"}]},
    {"id": "sale", "status": "expected",
     "first_report": {"link": "https://b.example/sold", "title": "Rival buys the bank"},
     "evidence": [{"link": "https://c.example/sold", "title": "Bank sold to rival"}]},
]}


def test_a_development_is_represented_by_its_earliest_recorded_report() -> None:
    reports = [
        _report(1, "Bank fails", "https://a.example/failed", 0.0),
        _report(5, "Bank sold to rival", "https://c.example/sold", 1.0),  # earlier of the two
        _report(6, "Rival buys the bank", "https://b.example/sold", 1.0),
        _report(7, "What the failure means", "https://d.example/why", 0.1),
    ]
    named = firsts(reports, LABELS)
    assert named.first == {1}
    assert named.later == {2}
    assert named.rest(len(reports)) == [0, 3]  # the known development's report is there
    assert named.retellings() == {0, 2}  # what the seeds told, and the later report


def test_a_headline_told_before_is_less_novel_by_words_than_a_new_one() -> None:
    reports = [
        _report(1, "Regulators close the bank", "https://a.example/1", 0.0),
        _report(2, "Regulators close the bank", "https://b.example/2", 0.0),
        _report(3, "Rival agrees purchase deal", "https://c.example/3", 0.0),
    ]
    words = features(reports)["far from every earlier headline (words)"]
    assert words[2] > words[1]


def test_outlets_telling_the_same_within_hours_are_counted_once_each() -> None:
    reports = [
        _report(0, "A", "https://a.example/1", 0.0),
        _report(1, "B", "https://b.example/1", 0.05),  # close in meaning, another outlet
        _report(2, "C", "https://b.example/2", 0.05),  # the same outlet again
        _report(3, "D", "https://c.example/1", 1.5),  # far in meaning
        _report(30, "E", "https://d.example/1", 0.0),  # a day later
    ]
    outlets = features(reports)["outlets telling it within 6 h"]
    assert outlets[0] == 1  # b.example, once; not c (far) nor d (late)
    assert outlets[3] == 0


def test_a_signal_that_marks_every_first_report_separates_them_fully() -> None:
    reports = [
        _report(1, "Bank fails", "https://a.example/failed", 0.0),
        _report(5, "Bank sold to rival", "https://c.example/sold", 1.0, fresh=2),
        _report(7, "What the failure means", "https://d.example/why", 0.1),
        _report(8, "Markets on the failure", "https://e.example/mkts", 0.2),
    ]
    found = audit(reports, LABELS)
    lines = found.render("bank")
    assert lines[0] == "  AUDIT bank: 1 first reports, against 3 others | 1 retellings"
    assert "   1.00 |  1.00  fresh headline words" in "\n".join(lines)
    pooled = found.merged(found)
    assert len(pooled.first["fresh headline words"]) == 2


def test_the_pairs_of_labelled_reports_are_told_apart_by_development_and_language() -> None:
    reports = [
        _report(1, "Bank fails", "https://a.example/failed", 0.0),
        _report(5, "Bank sold to rival", "https://c.example/sold", 1.0),
        _report(6, "Rival buys the bank", "https://b.example/sold", 1.1, language="pl"),
        _report(7, "What the failure means", "https://d.example/why", 0.1),  # no label
    ]
    pairs = language_pairs(reports, firsts(reports, LABELS))
    assert [len(v) for v in pairs.values()] == [0, 1, 1, 1]
    [across] = pairs["one development, two languages"]
    assert across == pytest.approx(math.cos(0.1), abs=1e-6)
    # the sale's two reports are closer to each other than either is to the failure's
    lines = "\n".join(audit(reports, LABELS).render("bank"))
    assert "   1.00  two reports of one development closer than two" in lines
