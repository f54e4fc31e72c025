"""``tools/tune.py``'s comparison of two runs: what the next person reads to judge a
change (``--save``, ``--against``, the labelled totals)."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]

RUN = """== openai (defaults): 2023-11-20   3576   150   1; 6.7 CPU s
  replay: 33119 read, 839 candidates, 245 relevant, 7 alerts in 5.1s
new developments: 3 alert(s), 2/4 expected found, 1 false alarm(s), 0 optional
  precision 67%   recall 50%
  found   altman-chip-venture  +13.35 h  Altman Sought Billions for AI Chip Venture
  FALSE   known [altman-fired]  11-18 16:08  Szef OpenAI został zwolniony
new actors: 4 alert(s), 4/4 expected found, 0 false alarm(s), 0 optional
  found   brad-lightcap  +0.14 h  Brad Lightcap
== uk {"retell_threshold": 0.66}: 2023-11-20   3576   12   0; 6.0 CPU s
new developments: 7 alert(s), 4/4 expected found, 1 false alarm(s), 2 optional
  found   rwanda-ruling  +6.41 h  Supreme court rejects Rishi Sunak's plan
new actors: 2 alert(s), 1/1 expected found, 1 false alarm(s), 0 optional
"""


@pytest.fixture(scope="module")
def tune() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tune_tool", ROOT / "tools" / "tune.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["tune_tool"] = module
    spec.loader.exec_module(module)
    return module


def test_a_run_is_kept_as_its_outcomes_under_each_saga(tune: ModuleType) -> None:
    lines = tune.outcomes(RUN)
    assert lines == [
        "== openai",
        "  found   altman-chip-venture  +13.35 h  Altman Sought Billions for AI Chip Venture",
        "  FALSE   known [altman-fired]  11-18 16:08  Szef OpenAI został zwolniony",
        "  found   brad-lightcap  +0.14 h  Brad Lightcap",
        "== uk",  # its settings and times left out: two runs compare line by line
        "  found   rwanda-ruling  +6.41 h  Supreme court rejects Rishi Sunak's plan",
    ]


def test_the_labelled_figures_are_added_up(tune: ModuleType) -> None:
    assert tune.totals(RUN) == (
        "== labelled: developments 6 of 8 found, 2 false of 10 (precision 75.0 %, "
        "recall 75.0 %); actors 5 of 5 found, 1 false of 6 (precision 83.3 %, "
        "recall 100.0 %)")
    assert tune.totals("== argentina (defaults): no labels") is None


def test_the_sagas_nobody_tuned_on_are_added_up_apart(tune: ModuleType) -> None:
    uk = tune.of_sagas(RUN, ["uk"])
    assert uk.startswith("== uk ") and "openai" not in uk and "rwanda-ruling" in uk
    assert tune.totals(uk, "not tuned on") == (
        "== not tuned on: developments 4 of 4 found, 1 false of 7 (precision 80.0 %, "
        "recall 100.0 %); actors 1 of 1 found, 1 false of 2 (precision 50.0 %, "
        "recall 100.0 %)")
    assert tune.of_sagas(RUN, ["gaza"]) == ""
    assert set(tune.UNTUNED) <= set(tune.SAGAS)


def test_how_soon_found_developments_came_is_added_up_over_the_sagas(
        tune: ModuleType) -> None:
    run = (RUN + "  timeliness: 2 found told by two outlets; alerted a median +0.07 h after "
           "the second; 2 within 1 h, 2 within 6 h\n"
           "  timeliness: 11 found told by two outlets; alerted a median +3.87 h after the "
           "second; 3 within 1 h, 6 within 6 h\n")
    assert tune.timely(run) == ("== labelled timeliness: 13 found told by two outlets; 5 "
                                "alerted within 1 h of the second, 8 within 6 h")
    assert tune.timely(RUN) is None


def test_what_moved_since_a_saved_run_is_printed_saga_by_saga(
        tune: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "before.txt"
    saved.write_text("\n".join([*tune.outcomes(RUN), tune.totals(RUN)]) + "\n")
    now = [ln.replace("found   rwanda-ruling  +6.41 h", "found   rwanda-ruling  +2.0 h")
           for ln in tune.outcomes(RUN)]
    tune.compare(saved, now)
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        "== uk",
        "-  found   rwanda-ruling  +6.41 h  Supreme court rejects Rishi Sunak's plan",
        "+  found   rwanda-ruling  +2.0 h  Supreme court rejects Rishi Sunak's plan",
    ]
    assert out[3] == f"== against {saved}: 2 line(s) moved"
    assert out[4].startswith("== before:   developments 6 of 8 found")
    tune.compare(saved, tune.outcomes(RUN))
    assert capsys.readouterr().out.splitlines()[0] == f"== against {saved}: 0 line(s) moved"


def test_a_traced_join_says_what_tied_the_report_and_which_story_was_closer(
        tune: ModuleType) -> None:
    """``--trace``: a report joining a story through a shared new word, though another
    story was closer, says so (the glue of ``stories._best_story``)."""
    from types import SimpleNamespace

    import numpy as np

    scores = {"s1": 0.44, "s2": 0.68}
    memory = SimpleNamespace(story_scores=lambda probes: scores,
                             story_names={"s1": frozenset({"voted", "mccarthy"})})
    stories = {"s1": SimpleNamespace(titles=["Ex-speaker accused of shoving a colleague"]),
               "s2": SimpleNamespace(titles=["Speaker's plan to avert a shutdown passes"])}
    eng = SimpleNamespace(model=SimpleNamespace(stories=stories))
    item = SimpleNamespace(probes=np.zeros((2, 4)), names=[])
    placed = SimpleNamespace(story_id="s1", score=0.44)
    line = tune.joined_how(eng, item, memory, frozenset({"voted", "senate"}), placed)
    assert line == ("      joined 'Ex-speaker accused of shoving a colleague' through "
                    "['voted']; closest was \"Speaker's plan to avert a shutdown passes\" "
                    "at 0.68")
    placed = SimpleNamespace(story_id="s2", score=0.68)
    memory.story_names = {}
    assert tune.joined_how(eng, item, memory, frozenset(), placed) == (
        "      joined \"Speaker's plan to avert a shutdown passes\" through closeness alone")


def _run(dev: tuple[int, int, int], act: tuple[int, int, int]) -> SimpleNamespace:
    """A jittered run's report, as ``band`` returns it: hits, false alarms, expected."""
    def kind(hits: int, false: int, expected: int) -> SimpleNamespace:
        return SimpleNamespace(hits=hits, false_alarms=(None,) * false, expected=expected)
    return SimpleNamespace(developments=kind(*dev), actors=kind(*act))


def _compared(tune: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str],
              run: str, now: list[str]) -> tuple[Path, list[str]]:
    """A run's printout saved as ``--save`` keeps it, then compared with ``now`` as
    ``--against`` does: the file, and what the comparison printed."""
    saved = tmp_path / "saved.txt"
    saved.write_text("\n".join(tune.outcomes(run)) + "\n")
    tune.compare(saved, now)
    return saved, capsys.readouterr().out.splitlines()


def test_the_band_is_pooled_run_by_run_so_a_loss_in_two_runs_of_three_shows(
        tune: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # run k of every saga is jittered alike: the sums are taken run by run, not as the
    # sum of each saga's own median (which would hide a loss spread over sagas)
    openai = [_run((2, 1, 4), (4, 0, 4))] * 3
    trump = [_run((8, 10, 11), (3, 4, 9)), _run((7, 10, 11), (3, 4, 9)),
             _run((7, 9, 11), (3, 3, 9))]
    line = tune.band_totals([openai, trump], 5)
    assert line == ("== labelled band, 3 runs jittered by 5 min (min / median / max): "
                    "developments found 9 / 9 / 10 of 15, false 10 / 11 / 11; "
                    "actors found 7 / 7 / 7 of 13, false 3 / 4 / 4")
    assert tune.band_totals([], 5) is None
    # and how soon the found developments came after a second outlet, run by run
    from monitor.evaluate import Timeliness
    hour = timedelta(hours=1)
    for k, lags in enumerate(((0.5, 7), (0.5, 2), (9, 8))):
        trump[k] = SimpleNamespace(**vars(trump[k]), timeliness=Timeliness(
            tuple((f"d{i}", lag * hour) for i, lag in enumerate(lags))))
    assert tune.band_totals([openai, trump], 5).endswith(
        "; within 6 h of a second outlet 0 / 1 / 2 (of 2 / 2 / 2 told by two)")
    # kept whole in a saved run, and shown as the figures before by --against
    saved, out = _compared(tune, tmp_path, capsys, f"== trump developments, 3 runs\n{line}",
                           ["== trump"])
    assert out == [f"== against {saved}: 0 line(s) moved",
                   line.replace("== labelled ", "== before:   ")]


def test_the_held_out_band_adds_up_each_run_of_the_sagas_nobody_tuned_on(
        tune: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # two unlabelled sagas, three jittered runs each: an expectation met in time in one
    # run and late in another shows as a spread, not as one replay's luck
    shutdown = [Counter(found=1, MISSED=3, new_development=5, new_actor=1),
                Counter(found=2, MISSED=2, new_development=6, new_actor=1),
                Counter(found=1, LATE=1, MISSED=2, new_development=5, new_actor=1)]
    pope = [Counter(found=2, new_development=4)] * 3
    line = tune.heldout_band([shutdown, pope], 5)
    assert line == ("== held-out band, 3 runs jittered by 5 min (min / median / max): "
                    "in time 3 / 3 / 4 of 6, late 0 / 0 / 1; development alerts 9 / 9 / 10, "
                    "actor alerts 1 / 1 / 1")
    assert tune.heldout_band([], 5) is None
    # kept whole in a saved run, and shown as the figures before by --against, as is the
    # one replay's held-out total
    once = ("== held-out: 29 of 45 expected developments in time (4 late, 12 missed); "
            "106 development alerts, 14 actor alerts")
    pope_line = line.replace("== held-out band", "== pope held-out")  # a saga's own line
    saved, out = _compared(tune, tmp_path, capsys, f"{pope_line}\n{line}\n{once}",
                           ["== pope"])
    assert out[0] == "== pope" and out[1].startswith("-  band in time 3 / 3 / 4 of 6")
    assert out[2:] == [f"== against {saved}: 1 line(s) moved",
                   line.replace("== held-out band", "== before:   held-out band"),
                   "== before:   held-out: 29 of 45 expected developments in time "
                   "(4 late, 12 missed)"]



def test_an_expected_actors_first_judgement_is_found_under_any_of_its_folded_forms(
    tune: ModuleType,
) -> None:
    actors = [
        {"id": "holownia", "name": "Szymon Hołownia", "aliases": ["Hołownia"],
         "status": "expected"},
        {"id": "roe", "name": "Jane Roe", "aliases": [], "status": "expected"},
        {"id": "doe", "name": "John Doe", "aliases": [], "status": "optional"},
    ]
    judged = [("john doe", "ALERTED (03-01 10:00)"),
              ("holownia", "quiet: a guest of a retelling (03-02 09:00)"),
              ("szymon holownia", "ALERTED (03-03 09:00)")]
    fates = tune.first_fates(actors, judged)
    # the first judgement of any form, accents folded as the engine keys names; an
    # actor no form of which was judged is counted too; an optional one is not asked
    assert fates == {"holownia": "quiet: a guest of a retelling (03-02 09:00)",
                     "roe": "never judged"}
    assert tune.fate_kind(fates["holownia"]) == "quiet: a guest of a retelling"


def test_what_stopped_a_missed_development_is_where_most_of_its_reports_ended(
    tune: ModuleType,
) -> None:
    """``--evidence``'s wall: the end most of its read reports came to, the verdict on
    the story each joined or where it was placed; a story of it confirmed (another
    development took its reports) named as such; none read: the prefilter."""
    retold = "one of its reports retells a known event"
    assert tune.wall([retold, retold, "confirmed", "unseen", "unseen", "unseen"]) == retold
    assert tune.wall(["confirmed", "confirmed", "known"]) == "a story of it confirmed"
    assert tune.wall(["known", "known", "known", "one report"]) == "known"
    assert tune.wall(["unseen", "unseen"]) == "unseen"
