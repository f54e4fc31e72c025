"""Step 5: what an alert says, in the words of the reports.

A development's headline is the clearest title of its story (the one closest in meaning
to all its reports: the common denominator of the outlets, not one outlet's angle), then
its date. The explanation always names the nearest known event with its score, the
sources so far and what is new (names no actor had, the reports' sentences).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from monitor.embed import unpack_many
from monitor.lexicon import fold
from monitor.nlp import is_titlecase
from monitor.novelty.genre import pending, tentative
from monitor.novelty.names import holds
from monitor.novelty.novelty import ROOT, STEM, Confirmation
from monitor.novelty.outlets import source_of
from monitor.saga import Event, NameSeen, SagaModel, Story, seed_headlines
from monitor.types import Alert, AlertKind, Explanation, parse_dt, short_hash
from monitor.urls import redact, web_link

# "Article URL: https://...", "Points: 255", "# Comments: 48": an aggregator's summary
# lines (Hacker News, Reddit, Lobsters feeds), a label and a link or a number.
_METADATA = re.compile(r"^\W*[#\w][\w .#-]{0,30}:\s*(https?://\S+|\d[\d,.]*)\W*$")


def informative(sentence: str) -> bool:
    """A sentence that says something: three words or more (not a page's "Fr" / "En"
    language toggle, a "Read more"), not a feed's metadata line."""
    return len(sentence.split()) >= 3 and not _METADATA.match(sentence.strip())


def second_sentence(sentences: tuple[str, ...], title: str) -> str:
    """The sentence that best tells a report beyond its title: its first informative
    sentence after the title (not the title again, which a page may open on after its
    toggles), or the title."""
    head = fold(title).strip()
    return next((x for x in sentences[1:] if informative(x) and fold(x).strip() != head),
                title)


def distinct(sentences: list[str]) -> tuple[str, ...]:
    """The sentences less those that repeat an earlier one (two outlets running the same
    wire copy, one cut short or with other quotes)."""
    out: list[str] = []
    seen: list[str] = []
    for x in sentences:
        key = re.sub(r"\W+", " ", fold(x)).strip()
        if key and not any(k.startswith(key[:60]) or key.startswith(k[:60]) for k in seen):
            seen.append(key)
            out.append(x)
    return tuple(out)


def tells_news(story: Story, title: str) -> int:
    """How much of what the story brings a title holds: the newcomers two of its
    headlines name, and the fresh words two of them use."""
    folded = fold(title)
    words = set(re.findall(r"[^\W\d_]+", folded))
    heads = sum(1 for k, n in story.heads.items() if n >= 2 and holds(folded, k))
    fresh = sum(1 for w, n in story.fresh.items() if n >= 2
                and any(x.startswith(w.partition(":")[2]) for x in words))
    return heads + fresh


def clearest_title(story: Story, done: bool = False, told: Sequence[int] = (),
                   languages: Sequence[str] = (), since: datetime | None = None) -> str:
    """The headline of the alert: of the titles that tell most of what the story brings
    (``tells_news``), the one closest to all its reports; never a column's, unless all
    are columns. A story gathers retellings around its news, and the first or most
    central of them may not say what is new. ``done``: the story takes a known plan to
    its next stage, and a title still telling the plan or the decision to come ("X in
    talks to buy Y", "Council poised to pass the budget": ``genre.pending``) is not the
    news either; nor is it once a later report of the story itself tells the plan
    done ("X in talks to buy Y", then "X to take over Y, regulator confirms").
    ``told``: how many outlets tell what each report tells (``support.told_by``); of
    titles telling as much, the one most outlets tell is the news. ``languages``: those
    the saga's reports are in, the most read first; of titles telling as much, as widely
    told, one in that language is the headline (an English stream's alert is headlined
    from its English report, not its Polish one). ``since``: the story is a wave, told
    at once from then on; a report of before (the hospice that the death's reports
    joined) is not its news, unless every report is."""
    leads = unpack_many(story.vectors[0::2])
    n = min(len(leads), len(story.titles))
    talk = [story.talk[i:i + 1] == [True] for i in range(len(story.titles))]
    done = done or came_to_pass(story)
    out = [t or (done and pending(title)) or _before(story, i, since)
           for i, (t, title) in enumerate(zip(talk, story.titles, strict=True))]
    if all(out):
        out = talk
    if n <= 2:
        best = [i for i in range(len(story.titles)) if not out[i]]
        pick = max(best or [0], key=lambda i: (tells_news(story, story.titles[i]),
                                               _count(told, i), _in(story, i, languages), -i))
        return story.titles[pick]
    centrality = (leads[:n] @ leads[:n].T).sum(axis=1)
    news = np.array([tells_news(story, t) for t in story.titles[:n]], dtype=np.float64)
    widely = np.array([_count(told, i) for i in range(n)], dtype=np.float64)
    mine = np.array([_in(story, i, languages) for i in range(n)], dtype=np.float64)
    # telling the news first, then told by most outlets, then in the saga's language;
    # centrality (a sum of n cosines, below n + 1) breaks ties
    score = ((news * (widely.max() + 1) + widely) * 2 + mine) * (n + 1) + centrality
    if not all(out[:n]):  # a column's title is not the news, unless all are columns
        for i, skip in enumerate(out[:n]):
            if skip:
                score[i] = -np.inf
    return story.titles[int(np.argmax(score))]


def _before(story: Story, i: int, since: datetime | None) -> bool:
    """Whether the story's ``i``-th report was published before ``since`` (False when
    its time was not kept)."""
    if since is None or i >= len(story.times):
        return False
    at = parse_dt(story.times[i])
    return at is not None and at < since


def alert_source(story: Story, headline: str, wave: bool, published: datetime,
                 ) -> tuple[str, str | None, str | None, datetime]:
    """The report a development alert links to (title, address, feed, when confirmed):
    the story's first report that is news, the scoop; a wave's headline report (the
    report of the wave the headline is, not the older one that opened the story)."""
    i = (max(j for j, t in enumerate(story.titles) if t == headline)  # the wave's copy
         if wave and headline in story.titles else story.first_news())
    url = story.urls[i] if i < len(story.urls) else None
    feed = next((f for f in story.feeds if url and source_of(f) == source_of(url)),
                story.feeds[0] if story.feeds else None)
    return story.titles[i], url, feed, published


def _in(story: Story, i: int, languages: Sequence[str]) -> bool:
    """Whether the story's ``i``-th report is in the first of ``languages`` (as read when
    it came in: ``Story.languages``); False with fewer than two, nothing to prefer."""
    return len(languages) > 1 and story.languages[i:i + 1] == [languages[0]]


def _count(told: Sequence[int], i: int) -> int:
    return told[i] if i < len(told) else 0


def came_to_pass(story: Story) -> bool:
    """Whether the story began as a plan, an offer or talks (its first report that is
    not talk: ``genre.tentative``) and a later report tells the thing done."""
    news = [tentative(t) for t in story.news_titles()]
    return bool(news) and news[0] and False in news


def names_written(model: SagaModel, story: Story,
                  known: Callable[[str], bool] | None = None) -> list[str]:
    """The story's names no actor had, as its reports write them ("Jane Doe", not the key
    "jane doe"): those two of its reports name, else its first three; only those the
    reports write as names (``NameSeen.written_as_name``), not a Title Case headline's
    phrase ("Troops Storm Hospital"), nor one a seed's headline told (the hospital the
    saga is about), nor one ``known`` says is a known actor by now, under another form
    or in a phrase ("Top Globex" once Globex is an actor)."""
    keys = [k for k, n in story.names.items() if n >= 2] or list(story.names)[:3]
    seeds = [_spaced(h) for h in seed_headlines(model.events)]
    out = []
    for key in keys:
        seen = model.names.get(key)
        if seen is None or not seen.written_as_name() or (known and known(seen.name)):
            continue
        if any(holds(h, _spaced(fold(f))) for h in seeds for f in {key, *seen.forms}):
            continue  # the place or party the saga is about, which no actor is: not new
        out.append(seen.written())
    return out


def _spaced(folded: str) -> str:
    """"al-shifa hospital" and "al shifa hospital" are one name."""
    return folded.replace("-", " ")


def words_written(story: Story) -> list[str]:
    """The words two of its headlines share that the saga never said, as the headlines
    write them ("consequences"), not as the stems they are counted by ("consequ")."""
    out: dict[str, None] = {}
    for key, n in story.fresh.items():
        if n < 2:
            continue
        stem = key.partition(":")[2]
        # in a title in sentence case, past its first word, the case is the writer's
        # ("Jordan"); elsewhere a capital says nothing ("Storm" in "Troops Storm...")
        found = [(not is_titlecase(t) and i > 0, w) for t in story.titles
                 for i, w in enumerate(_WORDS.findall(t))
                 if (fold(w)[:STEM] if len(stem) == STEM else fold(w)) == stem]
        cased, word = max(found, key=lambda f: f[0], default=(True, stem))
        out[word if cased or word.isupper() else word.lower()] = None
    return list(out)


_WORDS = re.compile(r"[^\W\d_]+")


def _nearest(model: SagaModel, event_id: str | None) -> tuple[str | None, str | None]:
    ev = model.events.get(event_id or "")
    if ev is None:
        return None, None
    return ev.statement, ev.date


def _in_titles(titles: Sequence[str], key: str, *, prefix: bool = False) -> str:
    """``key`` (a folded name, or a word's first letters with ``prefix``) as the first of
    ``titles`` holding it writes it ("Felony Counts" for "felony counts", "Gaza Hospitals"
    for "gaza hospital", "charged" for "charg"); else ``key``."""
    words = [w for w in re.findall(r"[^\W_]+", key) if w]
    if not words:
        return key
    tail = r"[^\W_]*" if prefix else r"[^\W_]{0,2}"  # a name's plural or declension
    rx = re.compile(r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words) + tail + r"(?!\w)")
    for t in titles:
        folded = fold(t)
        m = rx.search(folded)
        if m is not None and len(folded) == len(t):  # folding kept the offsets
            return t[m.start():m.end()]
    return key


def _route(story: Story, why: Confirmation | None) -> str:
    """What made a close story new, when neither its fresh words nor names the reports
    write as names say it: the phrase two of its headlines share ("Felony Counts"), a
    burst of outlets on a word, a known plan's next stage, a wave of outlets."""
    if why is not None and why.heads:
        phrases = ", ".join(f"“{_in_titles(story.titles, k)}”" for k in why.heads[:3])
        return f"two of its headlines name {phrases}"
    if why is not None and why.burst:
        word = _in_titles(story.titles, why.burst.partition(":")[2][:ROOT], prefix=True)
        return f"outlets headline “{word}” at once"
    if why is not None and why.moved:
        return "it takes a known plan to its next stage"
    if why is not None and why.wave:
        return f"{why.wave} outlets told it at once, far from any recent development"
    return "the reports say more"


def _waited(story: Story, now: datetime, since: datetime | None = None) -> str:
    """How long before ``now`` its first report came, when an hour or more: a reader
    weighs a development told since the morning otherwise than one told an hour ago.
    ``since``: the story is a wave, told at once from then on; its first report is the
    wave's, not the older one that opened the story (``clearest_title``)."""
    wave = [t for i, t in enumerate(story.times) if t and not _before(story, i, since)
            ] if since is not None else []
    first = parse_dt(min(wave) if wave else story.first)
    hours = (now - first).total_seconds() / 3600 if first is not None else 0.0
    return f", the first {hours:.0f} h ago" if hours >= 1 else ""


def development_alert(
    model: SagaModel, event: Event, story: Story, threshold: float, now: datetime,
    source: tuple[str, str | None, str | None, datetime | None],
    why: Confirmation | None = None, known: Callable[[str], bool] | None = None,
    since: datetime | None = None,
) -> Alert:
    """``why``: how ``novelty.confirm`` found the story new, for the explanation to say
    what no fresh word or new name of it does; ``known``: whether a name is a known
    actor's (``names_written``); ``since``: the story is a wave, told at once from then
    on (``_waited``)."""
    near_text, near_date = _nearest(model, story.nearest_event)
    new_names = names_written(model, story, known)
    fresh = words_written(story)
    if not near_text:
        nearest = "the model knows no event yet"
    elif story.nearest_score < threshold:
        nearest = f"nearest known event scores {story.nearest_score:.2f} < {threshold:.2f}"
    else:  # close in subject, but its headlines say what the saga never said
        nearest = f"nearest known event scores {story.nearest_score:.2f}, but "
        if fresh:
            nearest += (f"the reports say what it never said ({', '.join(fresh[:6])}"
                        f"{'…' * (len(fresh) > 6)})")
        elif new_names and not (why is not None and why.wave):
            nearest += "the reports name who it never held"
        else:  # a wave is what made it news, whatever names came with it
            nearest += _route(story, why)
    reason = (
        f"{len(story.feeds)} sources in {len(story.docs)} reports{_waited(story, now, since)}; "
        f"{nearest}" + (f"; new names: {', '.join(new_names)}" if new_names else "")
    )
    title, url, feed, published = source
    return Alert(
        # named after its reports, not after the one that happened to open the story: the
        # same reports processed in another order or other batches give the same id
        id=short_hash(
            model.name, AlertKind.NEW_DEVELOPMENT.value, min(story.docs, default=story.id)
        ),
        saga=model.name,
        kind=AlertKind.NEW_DEVELOPMENT,
        headline=f"{event.statement} ({event.date})",
        actors=tuple(model.actor_name(a) for a in event.actors if a in model.actors)[:8],
        explanation=Explanation(
            matched_actors=tuple(model.actor_name(a) for a in event.actors if a in model.actors),
            nearest_event=near_text,
            nearest_event_date=near_date,
            similarity=round(story.nearest_score, 3) if near_text else None,
            new_sentences=distinct(story.sentences)[:3],
            reason=reason,
        ),
        source_title=title,
        source_url=web_link(url),
        source_feed=redact(feed) if feed else feed,
        published=published,
        created=now,
        event_id=event.id,
    )


def with_actors(alert: Alert, brought: Sequence[str]) -> Alert:
    """A development alert that also names the actors it brought into the saga (their
    own alerts follow it), first: "Globex to buy the failed bank's deposits" lists Globex
    among its actors, not only the bank and its receiver."""
    actors = tuple(dict.fromkeys([*brought, *alert.actors]))[:8]
    return alert if actors == alert.actors else replace(alert, actors=actors)


@dataclass(frozen=True, slots=True)
class Standing:
    """What an actor alert cites: how the reports made a name one of the saga's actors."""

    feeds: int  # sources naming it
    docs: int  # relevant reports naming it
    developments: tuple[str, ...]  # the events whose reports name it
    sentences: tuple[str, ...]  # sentences naming it
    parsed: int = 0  # parsed leads naming it (``actors.acts``) ...
    argument: int = 0  # ... as one who acts ...
    spoke: int = 0  # ... as the speaker of a statement
    quiet_since: str | None = None  # woken: in the cast, without an alert, since then
    explained: bool = False  # a relevant report's headline asks who it is
    # the development's headline opens on it (``genre.headed_by``): a quiet actor woken, or
    # a name mostly named elsewhere, made an actor by the act it heads
    headed: bool = False
    # the feed items that named it lately, and of them the saga's reports (``elsewhere``)
    stream: tuple[int, int] | None = None

    @classmethod
    def of(cls, seen: NameSeen) -> Standing:
        return cls(len(seen.feeds), seen.docs, tuple(seen.developments),
                   tuple(seen.sentences), seen.parsed, seen.argument, seen.spoke)


def actor_alert(
    model: SagaModel, actor_id: str, seen: Standing, now: datetime,
    source: tuple[str, str | None, str | None, datetime | None],
) -> Alert:
    actor = model.actors[actor_id]
    events = [model.events[e] for e in seen.developments if e in model.events]
    devs = [e.statement for e in events]
    why = [f"named by {seen.feeds} sources in {seen.docs} relevant reports"]
    if devs:
        why.append(f"in: {devs[0]}")
    if actor.role:
        why.append(f"role: {actor.role}")
    if seen.parsed:  # who the reports make act (``actors.acts``)
        why.append(f"subject, object or agent in {seen.argument} of the {seen.parsed} "
                   "parsed leads naming it" + (f", speaker of a statement in {seen.spoke}"
                                               if seen.spoke else ""))
    if seen.explained:
        why.append("a relevant report's headline asks who it is")
    if seen.headed:
        why.append("the development's headline is about it")
    if seen.stream and seen.stream[0]:  # ``actors.elsewhere``: a name of this saga
        why.append(f"the saga's reports are {seen.stream[1]} of the {seen.stream[0]} "
                   "feed items that named it lately")
    if seen.quiet_since:  # ``Engine._woken``
        why.append(f"in the saga's cast since {seen.quiet_since[:10]} without acting; "
                   "the sources of this development make it act")
    title, url, feed, published = source
    return Alert(
        id=short_hash(model.name, AlertKind.NEW_ACTOR.value, actor_id),
        saga=model.name,
        kind=AlertKind.NEW_ACTOR,
        headline=actor.name + (f" ({actor.role})" if actor.role else ""),
        actors=(actor.name,),
        explanation=Explanation(
            new_sentences=tuple(seen.sentences[:3]),
            nearest_event=devs[0] if devs else None,
            nearest_event_date=events[0].date if events else None,
            reason="; ".join(why),
        ),
        source_title=title,
        source_url=web_link(url),
        source_feed=redact(feed) if feed else feed,
        published=published,
        created=now,
        actor_id=actor_id,
    )
