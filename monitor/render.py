"""Showing a saga model to people: plain text, Markdown or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from monitor.saga import Change, SagaModel


def _actor_lines(model: SagaModel, md: bool) -> list[str]:
    lines = []
    # by the events each takes part in: ``mentions`` counts only the reports that made a
    # name an actor, not those naming it since (a seeded protagonist shows 0 or 1)
    actors = sorted(model.actors.values(),
                    key=lambda a: (not a.protagonist, -a.in_events, -a.mentions, a.name))
    for a in actors:
        if not a.protagonist:
            continue
        aliases = ", ".join(sorted(set(a.aliases) - {a.name}))
        role = f", {a.role}" if a.role else ""
        # promoted without an alert (``novelty.actors.acts``): say why none came
        quiet = "; quiet: named, never acting yet" if a.quiet else ""
        bullet = "- " if md else "  "
        name = f"**{a.name}**" if md else a.name
        lines.append(
            f"{bullet}{name} ({a.kind}{role}; in {a.in_events} event(s){quiet})"
            + (f" — aliases: {aliases}" if aliases else "")
        )
    others = [a for a in actors if not a.protagonist]
    if others:
        lines.append("")
        lines.append("Not saga actors (peripheral):" if not md else "*Not saga actors:* ")
        lines.append("  " + ", ".join(f"{a.name} [{a.peripheral}]" for a in others))
    return lines


def render_model(
    model: SagaModel, fmt: str = "text", history: Sequence[Change] | None = None
) -> str:
    if fmt == "json":
        d = model.to_dict()
        for e in d["events"]:
            e.pop("vectors", None)
        d.pop("form_counts", None)
        if history is not None:
            d["history"] = [c.__dict__ for c in history]
        return json.dumps(d, ensure_ascii=False, indent=2)
    md = fmt == "md"
    title = model.title or model.name
    out = [
        f"# {title}" if md else f"Saga {model.name}: {title}",
        f"version {model.version}, {model.docs_seen} documents, "
        f"{len(model.protagonists())} protagonists, {len(model.events)} events",
        "",
    ]
    out.append("## Actors" if md else "Actors:")
    out += _actor_lines(model, md)
    out += ["", "## Timeline" if md else "Timeline:"]
    for e in model.timeline():
        bullet = "- " if md else "  "
        out.append(
            f"{bullet}{e.date or 'undated'}  {e.statement}  "
            f"[{len(e.evidence)} source{'s' if len(e.evidence) != 1 else ''}]"
        )
        if e.evidence:
            ev = e.evidence[0].sentence
            out.append(f"      « {ev[:160]}{'…' if len(ev) > 160 else ''} »")
    if history is not None:
        out += ["", "## History" if md else "History:"]
        for c in history:
            out.append(
                f"{'- ' if md else '  '}v{c.version} {c.at[:19]} {c.kind}: {c.detail} "
                f"(cause {c.cause})"
            )
    return "\n".join(out)
