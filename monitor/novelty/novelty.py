"""Step 3: is a story a new development yet?

A story becomes a development when independent sources confirm it: ``min_sources``
distinct outlets (an outlet's several feeds are one, ``actors.source_of``) within
``story_window_h`` of its first report. One outlet's scoop, a lone
op-ed or a briefing that strings unrelated items together rarely finds a second outlet
telling the same thing in the same words; a real development always does, within hours.
It must also bring something new: a newcomer (a name no actor has) that two of its
reports share, not a familiar one that the saga's reports named before the story's
window opened (``familiar_names``: a commentator, a bystander) -- and two of its
*headlines* naming one newcomer outweigh any closeness to a known event ("X to buy the
failed bank's arm" is as close to "the bank failed" as a recap), unless its reports only
make him speak ("X slams the indictment": a reaction); or the next stage of a known
plan, offer or talks (the deal after "in talks to buy":
``stories.moved_on``), or a decision the saga's reports announced, taken ("passes"
the day after "poised to pass": ``support.awaited``, ``done_alike``), which no
closeness to the plan makes a retelling; or
*fresh words*, words of its headlines that the saga's reports never used and
that headlines in general seldom use ("shipping venture", "investigate", "Chapter 11"), shared
by two reports, unless it comes as close to a known event as its retellings do
(``retell_threshold``); or a *burst*: ``burst_sources`` outlets or more, that many of
their reports (a third of the outlets at least: one more outlet telling it in its own
words does not undo a burst) headlining one same fresh word ("files" for
bankruptcy, "resigns"; "betrayal", "betrayed", "betraying" are one word there), which
no closeness to a known event makes a retelling: recaps do not converge on a new word
within hours; or a *wave*: ``wave_sources`` outlets telling it at once, none of its
reports close to an event younger than ``wave_age_h`` (the outcome the saga awaited,
told everywhere in its own words: the vote counted, the death after the hospice); or a
meaning far from every known event (``distinct_threshold``). Fresh
words are counted per language, and only once the saga has read enough reports in that
language: when the seeds are in another language than the stream, every word of the
first reports would look new. A retelling of known events in new words -- a recap, an
explainer, a podcast -- has none of these. Last, it must be told widely at once
(``support``): ``support_sources`` outlets with a report close to it within hours.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from monitor.config import NoveltySettings
from monitor.lexicon import fold
from monitor.novelty.genre import headed_by, pending
from monitor.novelty.names import holds
from monitor.novelty.outlets import source_of
from monitor.novelty.types import Item
from monitor.saga import Event, NameSeen, Story, seed_headlines
from monitor.types import parse_dt


@dataclass(frozen=True, slots=True)
class Confirmation:
    confirmed: bool
    feeds: int
    reason: str
    retelling: bool = False  # sources enough, but it tells known events again
    held: bool = False  # new, but not yet told widely at once (``support``)
    # what made it new, for the alert to say (``text.development_alert``): the newcomers
    # two of its headlines name (``heads_shared``), the root of a burst's fresh word
    # ("en:charge"), a known plan's next stage
    heads: tuple[str, ...] = ()
    burst: str = ""
    moved: bool = False
    wave: int = 0  # the outlets of a wave (``wave_sources``), 0 if it was none


def confirm(
    story: Story, item: Item, known_score: float, settings: NoveltySettings,
    fresh: frozenset[str] = frozenset(), moved: bool = False, told: frozenset[str] = frozenset(),
    support: int | None = None, familiar: frozenset[str] = frozenset(),
    young: float | None = None,
) -> Confirmation:
    """Judge ``story`` as it would be with ``item`` added (the story is not changed);
    ``known_score`` is the item's closeness to the nearest known event. Every report of
    a story is a chance to recognise a retelling: a story any of whose reports comes
    within ``retell_threshold`` of a known event is never a development (but for the
    exceptions below), nor, whatever else it brings, one holding a copy of a known
    event's report (``copy_threshold``). ``told``: the newcomers that the known events
    nearest to it headlined (``Event.heads``); two headlines naming one of them are
    another outlet on that development, not a new one.
    ``support``: how many outlets told it in the last hours (``support.support``; None:
    not counted). ``familiar``: its newcomers the saga named long before it
    (``familiar_names``); they make nothing new. ``young``: the story's best closeness to
    a known event younger than ``wave_age_h`` (``young_events``; None: not measured, no
    wave); told by ``wave_sources`` outlets at once and not that close to one, the story
    is a *wave*, news however close to an older event."""
    feeds = {source_of(f) for f in [*story.feeds, item.feed]}  # outlets, not their feeds
    heads = heads_shared(story, item, told | speakers(story, item) | familiar)
    said = shared_fresh(story, fresh) >= settings.shared_fresh or bool(heads)
    agreed = agreed_fresh(story, fresh)
    burst = (0 < settings.burst_sources <= min(len(feeds), agreed)
             and 3 * agreed >= len(feeds))
    wave = (support is not None and young is not None
            and 0 < settings.wave_sources <= support and young < settings.known_threshold)
    # New words do not make a retelling new: seeds in one language, a stream in another,
    # every word of the stream is new to the saga. Two headlines naming a newcomer do.
    near = max(story.nearest_score, known_score)
    # a copy of a known event's report holds the story to that event, whatever the rest
    # of it brings (a burst of the words its later reports add)
    if near >= settings.copy_threshold or (
        near >= settings.retell_threshold and not (heads or moved or burst or wave)
    ):
        return Confirmation(False, len(feeds), "one of its reports retells a known event",
                            retelling=len(feeds) >= settings.min_sources)
    first = parse_dt(story.first) or item.published
    if item.published - first > timedelta(hours=settings.story_window_h):
        return Confirmation(False, len(feeds), "too late to confirm")
    if len(feeds) < settings.min_sources:
        return Confirmation(False, len(feeds), "waiting for another source")
    if len(wordings([*story.titles, item.title])) < 2:
        return Confirmation(False, len(feeds), "one wording: copies of one report")
    keys = {x.key for x in item.names}
    newcomer = any((k in keys or n >= 2) and k not in familiar for k, n in story.names.items())
    distinct = near < settings.distinct_threshold
    if not (newcomer or said or distinct or moved or burst or wave):
        return Confirmation(
            False, len(feeds), "no newcomer in its reports and close to known events",
            retelling=True,
        )
    if support is not None and support < settings.support_sources:
        return Confirmation(False, len(feeds), f"told by {support} outlet(s) in the last "
                            f"{settings.support_window_h:g} h: waiting for more", held=True)
    why = [w for w, on in (("a newcomer", newcomer), ("new words", said),
                           ("a known plan's next stage", moved),
                           ("a burst of outlets on a fresh word", burst),
                           (f"a wave of {support} outlets at once", wave),
                           (f"far from known events ({near:.2f})", distinct)) if on]
    return Confirmation(True, len(feeds), f"{len(feeds)} sources; {', '.join(why)}",
                        heads=heads, burst=burst_root(story, fresh) if burst else "",
                        moved=moved, wave=support if wave and support else 0)


_WORD = re.compile(r"[^\W\d_]{5,}")
STEM = 7  # letters kept of a word: "investigates", "investigation" -> "investi"


def content_words(text: str) -> frozenset[str]:
    """The longer words of a text, folded and cut to their first ``STEM`` letters: what a
    report is about, in its own language. Cutting is a crude stemmer, but one that works
    alike for English, French and Polish inflections, which no single stemmer covers."""
    return frozenset(w[:STEM] for w in _WORD.findall(fold(text)))


def novel_words(
    words: frozenset[str], language: str, vocab: dict[str, int], settings: NoveltySettings
) -> frozenset[str]:
    """Words the saga's reports in this language have used fewer than ``rare_reports``
    times so far ("malfeasance", "chip"): new to the saga, or only in the reports of the
    story that brought them. None while the saga has read fewer than ``mature_reports``
    reports in that language: seeds in French teach nothing of the English words that
    will retell them, and every word of the first English reports would look new."""
    if vocab.get(f"{language}:", 0) < settings.mature_reports:
        return frozenset()
    return frozenset(w for w in words if vocab.get(f"{language}:{w}", 0) < settings.rare_reports)


def languages_read(vocab: Mapping[str, int]) -> list[str]:
    """The languages the saga's relevant reports were in, the most read first (``vocab``
    counts them under ``"en:"``, as ``novel_words`` reads it)."""
    counts = {k[:-1]: n for k, n in vocab.items()
              if k.endswith(":") and len(k) > 1 and not k.startswith("*")}
    return sorted(counts, key=lambda lang: -counts[lang])


def fresh_words(
    headline: frozenset[str], novel: frozenset[str], language: str, vocab: dict[str, int],
    settings: NoveltySettings,
) -> frozenset[str]:
    """The headline's words new to the saga that say something: not among the words that
    headlines of every kind use ("about", "report", "talks"), as counted over all the
    headlines the engine has read in that language (``"*pl:"`` in ``vocab``; all
    languages, ``"*:"``, until it has read ``mature_reports`` of them): "kryzys" is in
    few of all headlines, but in many Polish ones. Keyed as in ``vocab`` (``"en:chip"``).

    In a language that is a minority of the headlines read (under half), a share of
    ``common_share`` of so few headlines is noise: 1 % of the 145 Polish headlines a saga
    read in English is 1.45, and a word new to the saga stopped being fresh at its second
    Polish headline, before any burst (``burst_sources`` outlets) could show. There a word
    is common only once more than ``burst_sources`` headlines hold it."""
    scope = f"*{language}" if vocab.get(f"*{language}:", 0) >= settings.mature_reports else "*"
    limit = settings.common_share * vocab.get(f"{scope}:", 0)
    if 2 * vocab.get(f"*{language}:", 0) < vocab.get("*:", 0):
        limit = max(limit, float(settings.burst_sources))
    return frozenset(
        f"{language}:{w}" for w in headline & novel if vocab.get(f"{scope}:{w}", 0) <= limit
    )


def shared_fresh(story: Story, fresh: frozenset[str]) -> int:
    """How many fresh headline words two reports of the story (this one included) share."""
    return sum(1 for w, n in story.fresh.items() if n >= 2 or w in fresh)


ROOT = 6  # letters of a fresh word that its forms share, for a burst


def _root(key: str) -> str:
    lang, _, word = key.partition(":")
    return f"{lang}:{word[:ROOT]}"


def _stem(key: str) -> str:
    """A fresh word's first ``ROOT`` letters, its language left out ("en:charged" ->
    "charge"): what its forms share."""
    return key.partition(":")[2][:ROOT]


def _holds_stem(title: str, stems: Collection[str]) -> bool:
    """Whether a headline holds a word of one of ``stems`` (``_stem``), in any form."""
    return any(w[:ROOT] in stems for w in content_words(title))


def _roots(story: Story, fresh: frozenset[str]) -> dict[str, int]:
    """How many of the story's reports (this one included) headline each fresh word, a
    word's forms counted together ("betrayal", "betrayed", "betraying" share their first
    ``ROOT`` letters; the 7-letter cut keeps them apart)."""
    counts: dict[str, int] = {}
    for w, n in story.fresh.items():
        root = _root(w)
        counts[root] = counts.get(root, 0) + n
    for root in {_root(w) for w in fresh}:
        counts[root] = counts.get(root, 0) + 1
    return counts


def agreed_fresh(story: Story, fresh: frozenset[str]) -> int:
    """How many of the story's reports (this one included) headline its most shared
    fresh word (``_roots``)."""
    return max(_roots(story, fresh).values(), default=0)


def done_alike(story: Story, fresh: frozenset[str]) -> bool:
    """Whether another report of ``story`` that tells no plan (``genre.pending``) nor
    talk headlines one of the fresh words of the report judged (``fresh``, keyed as in
    ``fresh_words``; a word's forms alike, ``ROOT``): two outlets telling the thing done
    in one word ("charged", "charges"), not one announcing it ("expected to be
    discharged") and another telling something else ("Jane Doe to leave hospital")."""
    stems = {_stem(w) for w in fresh}
    return any(_holds_stem(t, stems) for t in story.news_titles() if not pending(t))


def burst_root(story: Story, fresh: frozenset[str]) -> str:
    """The root of the fresh word most of the story's reports headline ("en:charg")."""
    counts = _roots(story, fresh)
    return max(counts, key=lambda r: (counts[r], r), default="")


def burst_reports(story: Story, root: str) -> list[int]:
    """The story's reports (their indices) whose headline holds the word of its burst
    (``root``, as ``burst_root`` gives it: "en:generi"), in any of its forms: the
    reports that tell the development the burst is. A story judged a retelling keeps
    joining the reports that come near it (a sink), and the burst that confirms it at
    last may be a development its earlier reports never told ("Generic maker sues the
    regulator to keep Globex's pill on sale" gathered by an explainer on the case that
    also holds one outlet's late report of the court's ruling of the same day)."""
    stems = {_stem(root)} - {""}
    return [i for i, t in enumerate(story.titles) if _holds_stem(t, stems)]


def telling_burst(story: Story, item: Item, rows: np.ndarray,
                  burst: str) -> tuple[np.ndarray, list[str]]:
    """The embeddings and news headlines of the reports of ``story`` (``rows``: its
    reports' two rows each, then ``item``'s) that tell its development: those whose
    headline holds the word of its ``burst`` (``burst_reports``) and ``item``,
    when it confirms on one; else all of them. A sink gathers the reports that come near
    it, those of a development alerted that day among them, and the burst that confirms
    it at last must be judged a duplicate by its own reports, not by what the sink held
    before (the generic maker's suit was folded into the court's ruling of that day,
    alerted hours before). All of them too when the rows do not tell one report's from
    another's (a story holds the rows of its first ``grow.MAX_STORY_REPORTS`` reports)."""
    everything = rows, [*story.news_titles(), item.title]
    n = len(story.titles)
    keep = burst_reports(story, burst) if burst else []
    if not keep or len(keep) == n or len(story.vectors) != 2 * n:
        return everything
    mine = [r for i in keep for r in (2 * i, 2 * i + 1)]
    news = [story.titles[i] for i in keep if story.talk[i:i + 1] != [True]]
    return np.vstack([rows[mine], rows[len(story.vectors):]]), [*news, item.title]


def heads_shared(story: Story, item: Item,
                 told: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The newcomers two headlines of the story (this one's included) name: "Rival Y to
    buy lender X", "Y buys X's arm" bring Y into the saga, however close their words
    come to a known event about X. Not one that a known development near it headlined
    already (``told``): that is the development, told by one more outlet."""
    titled = {n.key for n in item.names if n.in_title}
    return tuple(k for k, n in story.heads.items()
                 if not _told(k, told) and n + (k in titled) >= 2)


def _told(key: str, told: frozenset[str]) -> bool:
    """Whether a headline's name is one of ``told``, or a Title Case phrase opening on
    one of them ("YouTube Lifts Restrictions" once "YouTube" is told): the newcomer and
    the headline's verb, the same newcomer. Not one holding it further on ("House GOP"
    is not the "GOP" told: measured, the House chairmen's demand came a day late)."""
    return key in told or any(key.startswith(f"{t} ") for t in told)


def speakers(story: Story, item: Item) -> frozenset[str]:
    """The newcomers that the story's reports (this one's included) make the speaker of
    a statement at least as often as they make them act ("Roe reacts to the
    indictment", "Roe calls for calm")."""
    spoke, acted = dict(story.spoke), dict(story.acted)
    for n in item.names:
        spoke[n.key] = spoke.get(n.key, 0) + bool(n.speaks)
        acted[n.key] = acted.get(n.key, 0) + bool(n.argument)
    return frozenset(k for k, n in spoke.items() if n and n >= acted.get(k, 0))


def familiar_names(story: Story, item: Item, names: Mapping[str, NameSeen],
                   events: Mapping[str, Event], window_h: float) -> frozenset[str]:
    """The newcomers of ``story`` (``item`` added) that the saga's reports named before
    its window opened (``window_h`` hours before its first report) and that no headline
    of it opens on: a name the stream has carried for days is one of the saga's familiar
    names -- a commentator, a bystander, a Title Case phrase ("The Acme Indictment"), a
    party to an earlier development; naming it again tells nothing new. A
    headline opening on it ("Harbor Trust's chair resigns", a party named in passing for
    days that now acts) is news about it, and so is a name a seed's headline told (a place
    the saga is about, "Harbor Hospital", which no actor is): the saga's own from its
    start. Not a name first met in a report retelling a seed's event: a commentator
    reacting to it is no part of it."""
    start = parse_dt(story.first) or item.published
    since = start - timedelta(hours=window_h)
    titles = [*story.titles, item.title]
    seeds = seed_headlines(events)
    out: set[str] = set()
    for key in {*story.names, *story.heads, *(n.key for n in item.names)}:
        seen = names.get(key)
        first = parse_dt(seen.first_seen) if seen is not None and seen.first_seen else None
        if (seen is not None and first is not None and first < since
                and not any(holds(s, fold(f)) for s in seeds for f in {key, *seen.forms})
                and not any(headed_by(t, [seen.name, *seen.forms]) for t in titles)):
            out.add(key)
    return frozenset(out)


def young_events(events: Mapping[str, Event], now: datetime, hours: float) -> frozenset[str]:
    """The known events younger than ``hours`` at ``now``: an alerted development by when
    it was alerted, a seed's fact by its day (from the day's start). A wave of outlets
    close to one of them is its aftermath, not a development of its own. Not a reaction
    the model keeps unalerted (``Event.talk``): the senators' condemnation of a charge
    to come does not make the charge, told everywhere the next day, its aftermath."""
    since = now - timedelta(hours=hours)
    out = set()
    for e in events.values():
        if e.talk:
            continue
        at = parse_dt(e.first_seen) if e.origin == "story" and e.first_seen else None
        if at is None and e.day is not None:
            at = datetime.combine(e.day, datetime.min.time(), tzinfo=now.tzinfo)
        if at is not None and at > since:
            out.add(e.id)
    return frozenset(out)


def told_names(events: Mapping[str, Event], nearest: Iterable[str | None], now: datetime,
               window_h: float) -> frozenset[str]:
    """The newcomers headlined by the known events ``nearest`` a story (``Event.heads``),
    when alerted within ``window_h`` hours before ``now``: a later outlet's report of the
    same development headlines them too. Days later the same name heads other news, and a
    name that several developments headlined is the saga's subject, not any one's news."""
    out: set[str] = set()
    for eid in nearest:
        event = events.get(eid or "")
        at = parse_dt(event.first_seen) if event and event.first_seen else None
        if event and at and now - at <= timedelta(hours=window_h):
            out.update(event.heads)
    if out:
        subject = Counter(k for e in events.values() for k in e.heads)
        out = {k for k in out if subject[k] < 2}
    return frozenset(out)


# The share of a Title Case phrase's words that a recent development's headline must hold
# for the phrase to be that headline again ("Doe Fires Defense Minister": three of four).
RETOLD_SHARE = 2 / 3


def recent_headlines(events: Mapping[str, Event], now: datetime,
                     window_h: float) -> list[frozenset[str]]:
    """The words of each headline that told a development alerted within ``window_h``
    hours before ``now`` (``young_events``, seed facts left out): its own and its
    reports' (``content_words``)."""
    out: list[frozenset[str]] = []
    for eid in young_events(events, now, window_h):
        e = events[eid]
        if e.origin == "story" and e.first_seen:
            out += [content_words(t) for t in e.told_as()]
    return out


def retold_heads(keys: Iterable[str], names: Mapping[str, NameSeen],
                 headlines: list[frozenset[str]]) -> frozenset[str]:
    """The headline newcomers ``keys`` that are a recent development's headline again:
    Title Case phrases that no report writes in running text (``NameSeen.prose``), most
    of whose words one of ``headlines`` holds ("Doe Fires Defense Minister" after "Doe
    fires defence minister who criticised the plan"). Another outlet tells that
    development; the phrase brings nobody in. A name written in running text ("Harbor
    Hospital") is left to ``told_names``: a real name may head many developments."""
    out = set()
    for key in keys:
        seen = names.get(key)
        words = content_words(key)
        if (seen is None or not seen.prose) and len(words) >= 2 and any(
                len(words & h) >= RETOLD_SHARE * len(words) for h in headlines):
            out.add(key)
    return frozenset(out)


def expired(story: Story, now: datetime, settings: NoveltySettings) -> bool:
    first = parse_dt(story.first)  # past the window it can no longer be confirmed
    return first is not None and now - first > timedelta(hours=settings.story_window_h)


_TOKEN = re.compile(r"[^\W_]+")
SAME_WORDING = 0.6  # share of title tokens two copies of one report have in common


def wordings(titles: list[str]) -> list[list[str]]:
    """The titles grouped by wording: a wire story or a syndicated report carried by
    several feeds keeps its headline, give or take a suffix or a word ("- report",
    "| Reuters"); outlets that wrote the news themselves word it their own way."""
    groups: list[tuple[set[str], list[str]]] = []
    for t in titles:
        toks = set(_TOKEN.findall(fold(t)))
        for seen, members in groups:
            if len(toks & seen) / (len(toks | seen) or 1) >= SAME_WORDING:
                members.append(t)
                break
        else:
            groups.append((toks, [t]))
    return [members for _, members in groups]
