"""Step 4: who is new to the saga.

A name no actor has (``names``) becomes a *new actor* when the saga's reports make it
one: central to a story several outlets tell (named by two of its reports or more), and
named by ``new_actor_min_sources`` distinct feeds in relevant items. One passing mention
in one roundup never does, nor a name that only a Title Case headline shows. It alerts
only if it acts: a subject, an object or an agent in a parsed lead (``acts``).

What becomes of a name the reports made ready is its ``Fate``, told by two pure steps:
``refused`` (no newcomer at all: an outlet, a known actor under another form...), then
``standing`` (a quiet member of the cast, a familiar face, or a new actor). The engine
applies it (``Engine._new_actors``); ``tools/tune.py --names`` prints it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from monitor.config import NoveltySettings
from monitor.lexicon import fold
from monitor.nlp import Sentence
from monitor.novelty.genre import formerly, headed_by, heading_country
from monitor.novelty.names import (
    holds,
    hosted,
    is_group,
    is_title,
    only_quoted,
    plausible_name,
)
from monitor.novelty.outlets import names_an_outlet
from monitor.novelty.places import countries_in, country_named
from monitor.novelty.resolver import Resolver
from monitor.novelty.types import Name
from monitor.saga import NameSeen, SagaModel
from monitor.types import parse_dt


def persons_named(sentences: Iterable[Sentence], resolver: Resolver) -> list[str]:
    """Ids of the known organisations that a mention the NER calls a person names under
    their very name, shaped like a person's: the NER took one person for an organisation
    in an earlier sentence or seed and for a person here. A person named so is a person."""
    out: dict[str, None] = {}
    for sent in sentences:
        for m in sent.mentions:
            if m.kind != "person" or not plausible_name(m.text, "person"):
                continue
            aid = resolver.index.form_to_actor.get(fold(m.text))
            if aid is not None and resolver.model.actors[aid].kind == "org":
                out[aid] = None
    return list(out)


def in_earnest(sentences: Iterable[Sentence], resolver: Resolver) -> list[str]:
    """Ids of the known people a seed names other than in passing: with no byline or
    citation cue around the name, or in its headline, which names no byline ("Globe
    Herald reporter Jane Doe detained": the reporter is the story). Not an outlet: one
    cited in a seed's text is a source, whatever the words around it."""
    out: dict[str, None] = {}
    for sent in sentences:
        for m in sent.mentions:
            if m.kind != "person":
                continue
            if m.peripheral is None or (sent.index == 0 and m.peripheral == "journalist"):
                aid = resolver.resolve(m.text)
                if aid is not None:
                    out[aid] = None
    return list(out)


def new_forms(sentences: Iterable[Sentence], resolver: Resolver) -> list[tuple[str, str]]:
    """(actor id, surface) of the names that resolved to a known actor under a form it
    does not have yet ("HTB" for Harbor Trust Bank): aliases to learn while seeding."""
    out: dict[str, str] = {}
    for sent in sentences:
        for m in sent.mentions:
            f = fold(m.text)
            if f in resolver.index.form_to_actor or len(f) < 3:
                continue
            aid = resolver.resolve(m.text)
            if aid is None or not (m.text.isupper() or " " in m.text):
                continue
            # a known form with words around it is a phrase, not a form ("Saga Jane Doe",
            # "Jane Doe UK", "Harbor Resort Jane Doe")
            if not any(holds(f, k) for k in resolver.model.actors[aid].forms()):
                out.setdefault(m.text, aid)
    return [(aid, text) for text, aid in out.items()]


def track(model: SagaModel, names: Iterable[Name], feed: str, development: str | None,
          sentence_of: dict[str, str], at: str) -> None:
    """Count the uses of unknown names by relevant reports (mutates the model)."""
    for n in names:
        seen = model.names.get(n.key)
        if seen is None:
            seen = model.names[n.key] = NameSeen(name=n.text, kind=n.kind, first_seen=at)
        seen.docs += 1
        seen.forms[n.text] = seen.forms.get(n.text, 0) + 1
        seen.titles += n.in_title
        seen.prose += n.prose
        seen.lower += n.lower
        if feed not in seen.feeds:
            seen.feeds.append(feed)
        seen.short += [f for f in n.short if f not in seen.short]
        if n.role and n.role not in seen.roles:
            seen.roles.append(n.role)
        if n.argument is not None:
            seen.parsed += 1
            seen.argument += n.argument
        seen.spoke += bool(n.speaks)
        if development and development not in seen.developments:
            seen.developments.append(development)
        said = sentence_of.get(n.key)
        if said and len(seen.sentences) < 3 and said not in seen.sentences:
            seen.sentences.append(said)


def acting(sentences: Iterable[Sentence], resolver: Resolver) -> list[str]:
    """The known actors that a report's parsed sentences make a subject, an object or an
    agent (``Mention.argument``)."""
    ids = (resolver.resolve(m.text) for s in sentences for m in s.mentions if m.argument)
    return list(dict.fromkeys(a for a in ids if a is not None))


def acts(seen: NameSeen) -> bool:
    """Whether a tracked name is one who acts: a subject, object or agent in more of its
    reports than it is the speaker of a statement in (English leads are parsed; a Polish
    or French quote tells its speaker by its verb, ``names.said_by``), or neither parsed
    nor quoted anywhere. A name that only qualifies others ("a TikTok ban", "the MAGA
    base", "'Shark Tank's' host") is a product, a show, a venue or a topic; one the
    reports mostly make speak ("Roe slams the bailout", "Roe says...", "– oceniła Anna
    Nowak") is a commentator. Either may join the saga's cast, but is no news."""
    if not seen.parsed and not seen.spoke:
        return True
    return seen.argument > seen.spoke


def ready(seen: NameSeen, settings: NoveltySettings, *, developed: bool = True) -> bool:
    """A tracked name that the saga's reports have made an actor. ``developed=False``:
    one that will be, once the story it is central to is told widely (``support``)."""
    return (
        seen.kind in settings.new_actor_kinds
        and len(seen.feeds) >= settings.new_actor_min_sources
        and (bool(seen.developments) or not developed)
        and seen.written_as_name()  # not a phrase of Title Case headlines, nor a common noun
    )


def elsewhere(stream: int, said: int, settings: NoveltySettings) -> bool:
    """Whether a newcomer is a name of the news at large, met in the saga in passing: of
    the ``stream`` feed items that named it lately, fewer than ``actor_share`` were the
    saga's relevant reports (``said``). A president, a platform, a party is named
    everywhere, and a saga's reports are a sliver of it; the banker who bought the
    failed bank, the prosecutor of the case are named mostly there. Judged only once
    ``actor_share_items`` items named it: three mentions tell nothing."""
    return (settings.actor_share > 0 and stream >= settings.actor_share_items
            and said < settings.actor_share * stream)


def named_elsewhere(share: tuple[int, int] | None, settings: NoveltySettings) -> bool:
    """``elsewhere`` of a name's ``share`` (stream items, the saga's among them); False
    when it was not counted (None)."""
    return share is not None and elsewhere(*share, settings)


class Fate(StrEnum):
    """What becomes of a newcomer the saga's reports made ready to be an actor
    (``refused``, then ``standing``), in the order it is judged."""

    OUTLET = "a news outlet"
    HOST = "a show's host: a journalist"
    ROLE = "a job title or a crowd"  # never a name again
    KNOWN = "became a known actor's name meanwhile"
    ALIAS = "another form of a known actor"  # learned as its alias
    PHRASE = "a known actor in a phrase"  # "Top Globex"
    TRANSLATION = "a known organisation in another language"  # learned as its alias
    QUOTED = "named only inside quotations"  # words someone said, no party
    RETOLD = "a guest of a retelling"  # from here on: promoted
    IDLE = "named, never acting"  # a product, a show, a commentator
    ELSEWHERE = "named mostly elsewhere in the stream"  # a name of the news at large
    FORMER = "named as someone's former employer or client"
    FAMILIAR = "a familiar face, named long before"
    NEW = "a new actor"  # alerted
    # alerted: a name of the news at large that does the development's act, its subject
    HEADED = "a new actor, named mostly elsewhere, heading its development"

    @property
    def alerted(self) -> bool:
        """Whether the name is alerted as a new actor."""
        return self in (Fate.NEW, Fate.HEADED)

    @property
    def promoted(self) -> bool:
        """Whether the name joins the saga's cast (quiet or not)."""
        return self in _CAST

    @property
    def quiet(self) -> bool:
        """Whether it joins the cast without an alert, woken later by a development that
        makes it act (``Engine._woken``)."""
        return self in _QUIET


_QUIET = frozenset({Fate.RETOLD, Fate.IDLE, Fate.ELSEWHERE, Fate.FORMER})
_CAST = _QUIET | {Fate.FAMILIAR, Fate.NEW, Fate.HEADED}


@dataclass(frozen=True, slots=True)
class Refusal:
    """A newcomer that is no new name: its ``fate``, and the known actor it is (``same``)
    when it is one under another form."""

    fate: Fate
    same: str | None = None


def refused(key: str, seen: NameSeen, model: SagaModel, resolver: Resolver,
            translated: Callable[[NameSeen], str | None]) -> Refusal | None:
    """Why the tracked name ``key`` is no newcomer to the saga at all (None: it is one):
    an outlet, a show's host (``names.hosted``), a job or a crowd, a known actor's name
    or form, a known actor in a phrase, a known organisation named in another language
    (``translated``, which calls the encoder: asked last but one), or words someone
    said. Pure: the engine applies it."""
    if names_an_outlet(key, seen.forms, model.outlets):
        return Refusal(Fate.OUTLET)
    if seen.kind == "person" and hosted(seen.name, seen.sentences):
        return Refusal(Fate.HOST)
    if is_title(key) or is_group(key, seen.kind):
        return Refusal(Fate.ROLE)
    if resolver.resolve(seen.name) is not None:
        return Refusal(Fate.KNOWN)
    same = resolver.overlapping(seen.name)
    if same is not None:
        return Refusal(Fate.ALIAS, same)
    if resolver.held(seen.name) is not None:
        return Refusal(Fate.PHRASE)
    same = translated(seen)
    if same is not None:
        return Refusal(Fate.TRANSLATION, same)
    if only_quoted(seen.name, seen.sentences):
        return Refusal(Fate.QUOTED)
    return None


def standing(seen: NameSeen, share: tuple[int, int] | None, now: datetime,
             settings: NoveltySettings, *, explained: bool = False, retold: bool = False,
             headline: str = "") -> Fate:
    """What a newcomer joining the cast is: a quiet actor (a guest of a retelling; one
    that never acts, unless a headline asks who it is, ``explained``; a name the stream
    (``share``: ``Engine._share``) mostly names elsewhere, unless the development's
    ``headline`` opens on it, its subject: "Globex pulls its ads from the platform" is
    the act of a name the news at large carries every day, as a quiet actor woken by a
    development is (``Engine._woken``); one the development's ``headline`` gives only
    as someone's former employer or client), a familiar face (first named longer than
    ``actor_news_h`` before ``now``), or a new actor."""
    if retold:
        return Fate.RETOLD
    elsewhere = not explained and named_elsewhere(share, settings)
    if not explained:
        if not acts(seen):
            return Fate.IDLE
        if elsewhere and not headed_by(headline, forms(seen)):
            return Fate.ELSEWHERE  # not when it does the development's act, as its subject
        if formerly(headline, forms(seen)):
            return Fate.FORMER
    if familiar(seen.first_seen, now, settings):
        return Fate.FAMILIAR
    return Fate.HEADED if elsewhere else Fate.NEW


def familiar(since: str | None, now: datetime, settings: NoveltySettings) -> bool:
    """Whether a name the saga's relevant reports first named (or that joined its cast
    quietly) ``since`` then is a familiar face at ``now``: longer ago than
    ``actor_news_h``. It is no newcomer to the saga's readers; the development that
    makes it act tells its part, and names it. In every labelled saga, such an alert
    came days after the actor's entry, which the engine had missed (a retelling or the
    stream's other news kept it quiet, or its development was found late)."""
    at = parse_dt(since)
    return bool(settings.actor_news_h and at is not None
                and now - at > timedelta(hours=settings.actor_news_h))


def forms(seen: NameSeen) -> list[str]:
    """The forms a headline may give a newcomer in: its name, the form its reports write
    most, a person's surname."""
    last = [seen.name.split()[-1]] if seen.kind == "person" and " " in seen.name else []
    return list(dict.fromkeys([seen.name, seen.written(), *last]))


def acting_state(headline: str, seeds: Iterable[str], resolver: Resolver) -> tuple[str, ...]:
    """The names of a country that a development's headline opens on as the party that
    acts ("UK bans the app from government phones": ``genre.heading_country``), when the
    seeds (``seeds``: their headlines and sentences) name it nowhere and it is no known
    actor under any of its names: a new actor of the saga, its state. () otherwise.

    A place is no actor when the reports name it where something happens, or as a
    nation ("Israeli forces"); a country that bans, ratifies or sues is its government
    acting, and the press names the government by the country. The country the saga
    happens in, or that its seeds bring in, is no newcomer."""
    written = heading_country(headline)
    if written is None:
        return ()
    seeds = list(seeds)
    forms = country_named(written) or (written,)  # a country's names, or a state's
    state = re.compile(rf"(?<!\w){re.escape(fold(written))}(?!\w)")
    if ({fold(f) for f in forms} & countries_in(seeds)
            or any(state.search(fold(t)) for t in seeds)):
        return ()
    if any(resolver.resolve(f) is not None for f in forms):
        return ()
    return forms
