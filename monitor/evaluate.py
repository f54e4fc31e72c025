"""Score alerts against hand-written labels: precision, recall, misses, false alarms.

Labels (format in docs/labels.md) list the saga's real *developments* and *new actors*,
each with its first report in the archive and the words that identify it. Each label has a
status: ``expected`` (the monitor should alert), ``known`` (the seed documents already tell
it: an alert after seeding is a false alarm; without seeding it is expected) or
``optional`` (a real but minor item: an alert on it is neither rewarded nor punished).

Rules, applied to each alert kind on its own (new-development alerts against development
labels, new-actor alerts against actor labels), alerts taken in ``published`` order:

* an alert *names* a development when, for every term group of the label's ``match``, at
  least one term starts a word of the alert's text (headline, new sentences and actors by
  default; see ``match_fields``), compared without case or accents;
* an alert *names* an actor when one of the actor's name/aliases appears as whole words in
  the alert's actor name (the first of ``actors``, else the headline before any "(");
* a label is *found* by the first alert that names it within ``window`` (one day) after its
  first report (an actor's: after it entered the saga, ``opens``); that alert is a hit;
* every other alert is a false alarm: it names no label (``unmatched``), names a label
  already found (``duplicate`` -- a second alert on the same development or actor is noise),
  names an expected label only outside its window (``late``), or names only labels the seeds
  already tell (``known``). Alerts naming an optional label are listed as ``optional`` and
  left out of precision.

precision = hits / (hits + false alarms); recall = expected labels found / expected labels.

*Timeliness* (``Timeliness``): a found development's alert is also timed from the report
of the second outlet among its labelled reports (first report and evidence, one outlet
per publisher), the earliest that a monitor waiting for independent sources could alert.
The window says whether an alert counts; this says how long its reader waited.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from monitor.errors import InputError
from monitor.novelty.outlets import source_of
from monitor.types import Alert, AlertKind, parse_dt

DEFAULT_WINDOW = timedelta(days=1)
DEFAULT_MATCH_FIELDS = ("headline", "new_sentences", "actors")
MATCH_FIELDS = (
    "headline",
    "new_sentences",
    "actors",
    "matched_actors",
    "source_title",
    "nearest_event",
    "reason",
)


class Status(StrEnum):
    EXPECTED = "expected"
    KNOWN = "known"
    OPTIONAL = "optional"


class Outcome(StrEnum):
    HIT = "hit"
    DUPLICATE = "duplicate"
    LATE = "late"
    KNOWN = "known"
    UNMATCHED = "unmatched"
    OPTIONAL = "optional"


FALSE_ALARMS = (Outcome.DUPLICATE, Outcome.LATE, Outcome.KNOWN, Outcome.UNMATCHED)


# --------------------------------------------------------------------------- text matching

_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "đ": "d", "ß": "ss", "’": "'", "‘": "'"})


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Lower case, accents removed (``Müller`` -> ``muller``), whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@cache
def _term_re(term: str, whole_word: bool) -> re.Pattern[str]:
    words = [re.escape(w) for w in normalize(term).split()]
    tail = r"(?!\w)" if whole_word else ""
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + tail)


def has_term(text: str, term: str, *, whole_word: bool = False) -> bool:
    """True when ``term`` starts a word of ``text`` (both normalized): ``resign`` finds
    "resigned"; with ``whole_word`` it must also end one."""
    return bool(_term_re(term, whole_word).search(normalize(text)))


# --------------------------------------------------------------------------- labels


@dataclass(frozen=True, slots=True)
class Evidence:
    """An archive item that reports a label."""

    time: datetime
    link: str
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.time.isoformat(), "link": self.link, "title": self.title}


@dataclass(frozen=True, slots=True)
class DevelopmentLabel:
    id: str
    statement: str
    status: Status
    first_report: Evidence
    match: tuple[tuple[str, ...], ...]  # all groups must match; any term within a group
    actors: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    note: str = ""

    def named_in(self, text: str) -> bool:
        return all(any(has_term(text, t) for t in group) for group in self.match)


@dataclass(frozen=True, slots=True)
class ActorLabel:
    id: str
    name: str
    status: Status
    first_report: Evidence
    aliases: tuple[str, ...] = ()
    role: str = ""
    evidence: tuple[Evidence, ...] = ()
    note: str = ""
    # the first report of the first development label that lists it among its actors
    # (``parse_labels``): when it entered the saga, if that is after its first naming
    enters: Evidence | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def named_in(self, actor_name: str) -> bool:
        return any(has_term(actor_name, n, whole_word=True) for n in self.names)


Label = DevelopmentLabel | ActorLabel


def opens(label: Label) -> datetime:
    """When a label's window opens: a development's first report; an actor's entry into
    the saga, the first report of a development it takes part in, when the stream named
    it before (a president named in an op-ed on day one enters when he addresses the
    nation on day three: an alert on the op-ed would be a false alarm)."""
    if isinstance(label, ActorLabel) and label.enters is not None:
        return max(label.first_report.time, label.enters.time)
    return label.first_report.time


def _entries(actors: tuple[ActorLabel, ...],
             devs: tuple[DevelopmentLabel, ...]) -> tuple[ActorLabel, ...]:
    """``actors``, each with ``enters``: the first report of the earliest development
    label whose ``actors`` name it (any of its names, without case)."""
    out = []
    for a in actors:
        names = {n.casefold() for n in a.names}
        reports = [d.first_report for d in devs if names & {x.casefold() for x in d.actors}]
        first = min(reports, key=lambda e: e.time) if reports else None
        out.append(replace(a, enters=first))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Labels:
    saga: str
    developments: tuple[DevelopmentLabel, ...]
    actors: tuple[ActorLabel, ...]
    window: timedelta = DEFAULT_WINDOW
    match_fields: tuple[str, ...] = DEFAULT_MATCH_FIELDS
    period: tuple[datetime, datetime] | None = None


def _need(d: dict[str, Any], key: str, where: str) -> Any:
    if key not in d or d[key] in (None, ""):
        raise InputError(f"{where}: missing '{key}'")
    return d[key]


def _time(value: Any, where: str) -> datetime:
    try:
        dt = parse_dt(str(value))
    except ValueError as exc:
        raise InputError(f"{where}: bad time {value!r}") from exc
    if dt is None:
        raise InputError(f"{where}: missing time")
    return dt


def _evidence(d: Any, where: str) -> Evidence:
    if not isinstance(d, dict):
        raise InputError(f"{where}: expected an object with time and link")
    return Evidence(
        time=_time(_need(d, "time", where), where),
        link=str(_need(d, "link", where)),
        title=str(d.get("title") or ""),
    )


def _status(value: Any, where: str) -> Status:
    try:
        return Status(value or Status.EXPECTED)
    except ValueError as exc:
        choices = ", ".join(s.value for s in Status)
        raise InputError(f"{where}: status must be one of {choices}, not {value!r}") from exc


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InputError(f"{where}: expected a list of non-empty strings")
    return tuple(value)


def _development(d: Any, i: int) -> DevelopmentLabel:
    where = f"developments[{i}]"
    if not isinstance(d, dict):
        raise InputError(f"{where}: expected an object")
    where = f"development {d.get('id') or i}"
    groups = _need(d, "match", where)
    if not isinstance(groups, list) or not groups:
        raise InputError(f"{where}: 'match' must be a non-empty list of term lists")
    match = tuple(_strings(g, f"{where}: match") for g in groups)
    if any(not g for g in match):
        raise InputError(f"{where}: empty term list in 'match'")
    return DevelopmentLabel(
        id=str(_need(d, "id", where)),
        statement=str(_need(d, "statement", where)),
        status=_status(d.get("status"), where),
        first_report=_evidence(_need(d, "first_report", where), f"{where}: first_report"),
        match=match,
        actors=_strings(d.get("actors"), f"{where}: actors"),
        evidence=tuple(_evidence(e, f"{where}: evidence") for e in d.get("evidence") or ()),
        note=str(d.get("note") or ""),
    )


def _actor(d: Any, i: int) -> ActorLabel:
    where = f"actors[{i}]"
    if not isinstance(d, dict):
        raise InputError(f"{where}: expected an object")
    where = f"actor {d.get('id') or i}"
    return ActorLabel(
        id=str(_need(d, "id", where)),
        name=str(_need(d, "name", where)),
        status=_status(d.get("status"), where),
        first_report=_evidence(_need(d, "first_report", where), f"{where}: first_report"),
        aliases=_strings(d.get("aliases"), f"{where}: aliases"),
        role=str(d.get("role") or ""),
        evidence=tuple(_evidence(e, f"{where}: evidence") for e in d.get("evidence") or ()),
        note=str(d.get("note") or ""),
    )


def parse_labels(data: Any) -> Labels:
    """Labels from their JSON form (see docs/labels.md); InputError names what is wrong."""
    if not isinstance(data, dict):
        raise InputError("labels: expected a JSON object")
    devs = tuple(_development(d, i) for i, d in enumerate(data.get("developments") or ()))
    actors = _entries(tuple(_actor(d, i) for i, d in enumerate(data.get("actors") or ())),
                      devs)
    if not devs and not actors:
        raise InputError("labels: no developments and no actors")
    all_labels: tuple[Label, ...] = (*devs, *actors)
    ids = [label.id for label in all_labels]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InputError(f"labels: duplicate ids: {', '.join(dupes)}")
    fields = _strings(data.get("match_fields"), "labels: match_fields") or DEFAULT_MATCH_FIELDS
    unknown = [f for f in fields if f not in MATCH_FIELDS]
    if unknown:
        raise InputError(
            f"labels: unknown match_fields {unknown} (known: {', '.join(MATCH_FIELDS)})"
        )
    try:
        window = timedelta(hours=float(data.get("window_hours", 24)))
    except (TypeError, ValueError) as exc:
        raise InputError("labels: window_hours must be a number") from exc
    period = None
    if data.get("period"):
        p = data["period"]
        if not isinstance(p, dict):
            raise InputError("labels: period must be an object with start and end")
        period = (
            _time(_need(p, "start", "labels: period"), "labels: period"),
            _time(_need(p, "end", "labels: period"), "labels: period"),
        )
    return Labels(
        saga=str(data.get("saga") or ""),
        developments=devs,
        actors=actors,
        window=window,
        match_fields=fields,
        period=period,
    )


def status_conflicts(labels: Labels, seeds: Sequence[str]) -> list[str]:
    """Where the labels' statuses disagree with the seed texts: a 'known' label that no
    seed names, an 'expected' one that a seed names (empty: they agree)."""
    out: list[str] = []
    items = [(d.id, d.status, any(d.named_in(s) for s in seeds)) for d in labels.developments]
    items += [
        (a.id, a.status, any(has_term(s, n, whole_word=True) for s in seeds for n in a.names))
        for a in labels.actors
    ]
    for lid, status, told in items:
        if status is Status.KNOWN and not told:
            out.append(f"{lid} is 'known' but no seed names it")
        elif status is Status.EXPECTED and told:
            out.append(f"{lid} is 'expected' but a seed names it")
    return out


def load_labels(path: Path) -> Labels:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"labels file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read labels file {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"labels file {path} is not valid JSON: {exc}") from exc
    try:
        return parse_labels(data)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from exc


def _alert_of(obj: Any) -> Alert | None:
    """An alert from a JSONL line: a bare alert (``monitor replay --output``) or the
    daemon's JSONL sink envelope (schema alert.v1; follow-ups and test probes are no
    alerts: None)."""
    if isinstance(obj, dict) and "schema" in obj and "data" in obj:
        if obj.get("type") != "alert.created":
            return None
        obj = obj["data"]
    return Alert.from_dict(obj)


def load_alerts(path: Path) -> list[Alert]:
    """Alerts from a JSONL file as ``monitor replay --output`` or the daemon's JSONL sink
    writes it (blank lines skipped)."""
    alerts: list[Alert] = []
    try:
        with Path(path).open(encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    alert = _alert_of(json.loads(line))
                    if alert is not None:
                        alerts.append(alert)
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                    raise InputError(f"{path}:{n}: not an alert: {exc}") from exc
    except FileNotFoundError as exc:
        raise InputError(f"alerts file not found: {path}") from exc
    except IsADirectoryError as exc:
        raise InputError(f"alerts path is a directory: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read alerts file {path}: {exc}") from exc
    return alerts


# --------------------------------------------------------------------------- scoring


def alert_text(alert: Alert, fields: Iterable[str] = DEFAULT_MATCH_FIELDS) -> str:
    """The parts of an alert a development label is looked for in, one per line."""
    ex = alert.explanation
    parts: dict[str, Sequence[str]] = {
        "headline": (alert.headline,),
        "new_sentences": ex.new_sentences,
        "actors": alert.actors,
        "matched_actors": ex.matched_actors,
        "source_title": (alert.source_title,),
        "nearest_event": (ex.nearest_event or "",),
        "reason": (ex.reason,),
    }
    return "\n".join(s for f in fields for s in parts[f] if s)


def actor_name(alert: Alert) -> str:
    """The new actor an alert is about: first of ``actors``, else the headline's name part."""
    if alert.actors:
        return alert.actors[0]
    return alert.headline.split(" (", 1)[0]


def _when(alert: Alert) -> datetime:
    return alert.published or alert.created


@dataclass(frozen=True, slots=True)
class Judged:
    """One alert and what it was judged to be."""

    alert: Alert
    outcome: Outcome
    labels: tuple[str, ...] = ()  # label ids it names (for a hit: the one it found)

    def to_dict(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert.id,
            "outcome": self.outcome.value,
            "labels": list(self.labels),
            "headline": self.alert.headline,
            "published": _when(self.alert).isoformat(),
            "url": self.alert.source_url,
        }


@dataclass(frozen=True, slots=True)
class Miss:
    label_id: str
    what: str  # statement or actor name
    first_report: Evidence
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label_id,
            "what": self.what,
            "first_report": self.first_report.to_dict(),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class KindScore:
    """The score of one alert kind against its labels."""

    kind: AlertKind
    expected: int
    found: tuple[tuple[str, Judged, timedelta], ...]  # label id, its hit, delay after report
    missed: tuple[Miss, ...]
    judged: tuple[Judged, ...]

    @property
    def hits(self) -> int:
        return len(self.found)

    @property
    def false_alarms(self) -> tuple[Judged, ...]:
        return tuple(j for j in self.judged if j.outcome in FALSE_ALARMS)

    @property
    def optional(self) -> tuple[Judged, ...]:
        return tuple(j for j in self.judged if j.outcome is Outcome.OPTIONAL)

    @property
    def precision(self) -> float | None:
        counted = self.hits + len(self.false_alarms)
        return self.hits / counted if counted else None

    @property
    def recall(self) -> float | None:
        return self.hits / self.expected if self.expected else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "alerts": len(self.judged),
            "expected": self.expected,
            "hits": self.hits,
            "false_alarm_count": len(self.false_alarms),
            "precision": self.precision,
            "recall": self.recall,
            "found": [
                {"label": lid, "alert_id": j.alert.id, "delay_hours": _hours(delay)}
                for lid, j, delay in self.found
            ],
            "missed": [m.to_dict() for m in self.missed],
            "false_alarms": [j.to_dict() for j in self.false_alarms],
            "optional": [j.to_dict() for j in self.optional],
        }


def _hours(delay: timedelta) -> float:
    return round(delay.total_seconds() / 3600, 2)


def second_outlet(label: DevelopmentLabel) -> datetime | None:
    """When a second outlet told ``label``, by its labelled reports (first report and
    evidence; an outlet's several addresses are one, ``outlets.source_of``); None when
    they are one outlet's."""
    seen: set[str] = set()
    for ev in sorted((label.first_report, *label.evidence), key=lambda e: e.time):
        seen.add(source_of(ev.link) if ev.link else ev.title)
        if len(seen) == 2:
            return ev.time
    return None


@dataclass(frozen=True, slots=True)
class Timeliness:
    """How long after a second outlet told them the found developments were alerted
    (``second_outlet``): label id and lag, for those whose labels give two outlets. A
    lag below zero: the monitor confirmed on reports the labels do not list."""

    lags: tuple[tuple[str, timedelta], ...] = ()

    def of(self, label_id: str) -> timedelta | None:
        return next((lag for lid, lag in self.lags if lid == label_id), None)

    def within(self, hours: float) -> int:
        return sum(1 for _, lag in self.lags if lag <= timedelta(hours=hours))

    @property
    def median_hours(self) -> float | None:
        hours = sorted(_hours(lag) for _, lag in self.lags)
        if not hours:
            return None
        mid = len(hours) // 2
        return hours[mid] if len(hours) % 2 else round((hours[mid - 1] + hours[mid]) / 2, 2)

    def line(self) -> str:
        """One line, as ``Report.render`` prints it and ``tools/tune.py`` adds it up."""
        if not self.lags:
            return "  timeliness: no found development told by two outlets in its labels"
        return (f"  timeliness: {len(self.lags)} found told by two outlets; alerted a median "
                f"{self.median_hours:+g} h after the second; {self.within(1)} within 1 h, "
                f"{self.within(6)} within 6 h")

    def to_dict(self) -> dict[str, Any]:
        return {"told_by_two": len(self.lags), "median_hours": self.median_hours,
                "within_1h": self.within(1), "within_6h": self.within(6),
                "lags": {lid: _hours(lag) for lid, lag in self.lags}}


def timeliness(found: KindScore, labels: Sequence[DevelopmentLabel]) -> Timeliness:
    """``Timeliness`` of the development labels ``found`` found."""
    second = {lb.id: second_outlet(lb) for lb in labels}
    return Timeliness(tuple(
        (lid, _when(j.alert) - at) for lid, j, _ in found.found
        if (at := second.get(lid)) is not None))


@dataclass(frozen=True, slots=True)
class Report:
    developments: KindScore
    actors: KindScore
    after_seeding: bool
    window: timedelta
    ignored_alerts: int = 0  # alerts of another saga
    meta: dict[str, Any] = field(default_factory=dict)
    timeliness: Timeliness = Timeliness()

    def to_dict(self) -> dict[str, Any]:
        return {
            "after_seeding": self.after_seeding,
            "window_hours": _hours(self.window),
            "ignored_alerts": self.ignored_alerts,
            **self.meta,
            "new_development": self.developments.to_dict(),
            "timeliness": self.timeliness.to_dict(),
            "new_actor": self.actors.to_dict(),
        }

    def render(self) -> str:
        mode = "after seeding" if self.after_seeding else "fresh (seeds' labels expected too)"
        lines = [f"evaluation ({mode}, window {_hours(self.window):g} h)"]
        for title, ks in (("new developments", self.developments), ("new actors", self.actors)):
            lines.append("")
            lines.append(
                f"{title}: {len(ks.judged)} alert(s), {ks.hits}/{ks.expected} expected found, "
                f"{len(ks.false_alarms)} false alarm(s), {len(ks.optional)} optional"
            )
            lines.append(f"  precision {_pct(ks.precision)}   recall {_pct(ks.recall)}")
            if ks is self.developments:
                lines.append(self.timeliness.line())
            for lid, j, delay in ks.found:
                lag = self.timeliness.of(lid) if ks is self.developments else None
                after = "" if lag is None else f" ({_hours(lag):+g} h after a second outlet)"
                lines.append(f"  found   {lid}  +{_hours(delay):g} h{after}  "
                             f"{_clip(j.alert.headline)}")
            for m in ks.missed:
                lines.append(f"  MISSED  {m.label_id}  {m.reason}: {_clip(m.what)}")
            for j in ks.false_alarms:
                on = f" [{', '.join(j.labels)}]" if j.labels else ""
                lines.append(
                    f"  FALSE   {j.outcome.value}{on}  {_when(j.alert):%m-%d %H:%M}  "
                    f"{_clip(j.alert.headline)}"
                )
            for j in ks.optional:
                lines.append(f"  option  [{', '.join(j.labels)}]  {_clip(j.alert.headline)}")
        if self.ignored_alerts:
            lines.append(f"\n{self.ignored_alerts} alert(s) of other sagas ignored")
        return "\n".join(lines)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def _clip(s: str, n: int = 90) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _effective(status: Status, after_seeding: bool) -> Status:
    return Status.EXPECTED if status is Status.KNOWN and not after_seeding else status


def _score_kind(
    kind: AlertKind,
    alerts: Sequence[Alert],
    labels: Sequence[Label],
    names: Any,
    window: timedelta,
    after_seeding: bool,
) -> KindScore:
    status = {lb.id: _effective(lb.status, after_seeding) for lb in labels}
    found: dict[str, tuple[Judged, timedelta]] = {}
    outside: dict[str, list[datetime]] = {}
    judged: list[Judged] = []
    for alert in sorted(alerts, key=lambda a: (_when(a), a.created, a.id)):
        t = _when(alert)
        named = [lb for lb in labels if names(lb, alert)]

        def in_window(lb: Label, t: datetime = t) -> bool:
            return opens(lb) <= t <= opens(lb) + window

        fresh = [
            lb
            for lb in named
            if status[lb.id] is Status.EXPECTED and lb.id not in found and in_window(lb)
        ]
        if fresh:
            # the most recent development it can be about
            lb = max(fresh, key=opens)
            j = Judged(alert, Outcome.HIT, (lb.id,))
            found[lb.id] = (j, t - opens(lb))
            judged.append(j)
            continue
        ids = tuple(lb.id for lb in named)
        if not named:
            outcome = Outcome.UNMATCHED
        elif any(status[lb.id] is Status.OPTIONAL for lb in named):
            outcome = Outcome.OPTIONAL
        elif any(lb.id in found for lb in named):
            outcome = Outcome.DUPLICATE
        elif any(status[lb.id] is Status.EXPECTED for lb in named):
            outcome = Outcome.LATE
            for lb in named:
                outside.setdefault(lb.id, []).append(t)
        else:
            outcome = Outcome.KNOWN
        judged.append(Judged(alert, outcome, ids))

    missed = []
    for lb in labels:
        if status[lb.id] is not Status.EXPECTED or lb.id in found:
            continue
        what = lb.statement if isinstance(lb, DevelopmentLabel) else lb.name
        times = outside.get(lb.id)
        if times:
            first = min(times)
            gap = _hours(first - opens(lb))
            reason = f"named only outside the window (first at {first:%m-%d %H:%M}, {gap:+g} h)"
        else:
            reason = "no alert named it"
        missed.append(Miss(lb.id, what, lb.first_report, reason))
    order = {lb.id: i for i, lb in enumerate(labels)}
    return KindScore(
        kind=kind,
        expected=sum(1 for s in status.values() if s is Status.EXPECTED),
        found=tuple(
            (lid, j, d) for lid, (j, d) in sorted(found.items(), key=lambda kv: order[kv[0]])
        ),
        missed=tuple(missed),
        judged=tuple(judged),
    )


def score(alerts: Sequence[Alert], labels: Labels, *, after_seeding: bool = True) -> Report:
    """Score alerts against labels (rules in the module docstring and docs/labels.md).

    ``after_seeding=False`` scores a replay that started from an empty model: labels the
    seeds already tell (status ``known``) are then expected too.
    """
    mine = [a for a in alerts if not labels.saga or not a.saga or a.saga == labels.saga]
    fields = labels.match_fields

    def names_dev(lb: Label, alert: Alert) -> bool:
        assert isinstance(lb, DevelopmentLabel)
        return lb.named_in(alert_text(alert, fields))

    def names_actor(lb: Label, alert: Alert) -> bool:
        assert isinstance(lb, ActorLabel)
        return lb.named_in(actor_name(alert))

    devs = _score_kind(
        AlertKind.NEW_DEVELOPMENT,
        [a for a in mine if a.kind is AlertKind.NEW_DEVELOPMENT],
        labels.developments,
        names_dev,
        labels.window,
        after_seeding,
    )
    actors = _score_kind(
        AlertKind.NEW_ACTOR,
        [a for a in mine if a.kind is AlertKind.NEW_ACTOR],
        labels.actors,
        names_actor,
        labels.window,
        after_seeding,
    )
    return Report(
        developments=devs,
        actors=actors,
        after_seeding=after_seeding,
        window=labels.window,
        ignored_alerts=len(alerts) - len(mine),
        timeliness=timeliness(devs, labels.developments),
    )


def evaluate_files(alerts_path: Path, labels_path: Path, *, after_seeding: bool = True) -> Report:
    labels = load_labels(labels_path)
    alerts = load_alerts(alerts_path)
    report = score(alerts, labels, after_seeding=after_seeding)
    return Report(
        developments=report.developments,
        actors=report.actors,
        after_seeding=report.after_seeding,
        window=report.window,
        ignored_alerts=report.ignored_alerts,
        meta={"alerts_file": str(alerts_path), "labels_file": str(labels_path)},
        timeliness=report.timeliness,
    )


def utc(value: str) -> datetime:
    """Parse an ISO time as aware UTC (helper for tests and scripts)."""
    dt = parse_dt(value)
    assert dt is not None
    return dt.astimezone(UTC)
