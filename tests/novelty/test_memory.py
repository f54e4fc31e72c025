"""What the engine compares reports with: the known events' vectors, unpacked once and
reused while the saga holds the same events."""

from __future__ import annotations

import numpy as np

from monitor.embed import pack
from monitor.novelty.memory import known_of, memory_of, with_done, with_known
from monitor.saga import Event, SagaModel
from novelty.helpers import unit


def _event(eid: str, *vecs: np.ndarray) -> Event:
    return Event(id=eid, action="", actors=[], date=None, statement=eid,
                 vectors=[pack(v) for v in vecs])


def test_known_vectors_are_reused_while_the_events_are_the_same() -> None:
    model = SagaModel(name="s")
    model.events["a"] = _event("a", unit((0, 1.0)), unit((1, 1.0)))
    first = known_of(model)
    assert first.owners == ("a", "a") and first.rows.shape[0] == 2
    assert known_of(model, first) is first  # the next batch decodes nothing
    model.events["b"] = _event("b", unit((2, 1.0)))  # a development alerted meanwhile
    second = known_of(model, first)
    assert second is not first and second.owners == ("a", "a", "b")
    # seeded again from an edited document: same id, as many vectors, other ones
    model.events["b"] = _event("b", unit((3, 1.0)))
    assert known_of(model, second) is not second
    # the memory built on the reused vectors is the one built from scratch
    fresh, reused = memory_of(model), memory_of(model, second)
    assert np.array_equal(fresh.known, reused.known)
    assert np.allclose(fresh.centroid, reused.centroid)
    assert fresh.known_owner == reused.known_owner


def test_a_saga_with_no_event_knows_nothing() -> None:
    known = known_of(SagaModel(name="s"))
    assert known.rows.shape[0] == 0 and known.owners == ()


def test_a_plan_taken_to_its_next_stage_is_no_plan_any_more() -> None:
    """Talks alerted, then the deal: a second story on the deal (another outlet's
    wording, another language) is not the talks' next stage again, so it does not pass
    the retell gate as one. Kept across restarts by ``Event.follows``."""
    model = SagaModel(name="s")
    talks = _event("talks", unit((0, 1.0)))
    talks.statement = "Globex in talks to buy Acme's UK arm"
    model.events["talks"] = talks
    assert memory_of(model).tentative == {"talks"}
    assert with_done(memory_of(model), "talks").tentative == frozenset()
    deal = _event("deal", unit((1, 1.0)))
    deal.follows = "talks"
    model.events["deal"] = deal
    assert memory_of(model).tentative == frozenset()  # as read back from the store


def test_what_the_saga_began_as_and_who_took_part_are_kept_as_it_grows() -> None:
    """The seeds' centroid stays where the seeds are while developments move the saga's,
    and each known event keeps the actors it names: built row by row in a batch or from
    the stored model, the same."""
    from monitor.novelty.memory import with_known

    model = SagaModel(name="s")
    seed = _event("seed-1", unit((0, 1.0)))
    seed.origin, seed.actors = "seed", ["acme"]
    dev = _event("dev-1", unit((1, 1.0)), unit((1, 1.0), (2, 0.5)))
    dev.origin, dev.actors = "story", ["acme", "globex"]
    model.events = {"seed-1": seed, "dev-1": dev}
    stored = memory_of(model)
    assert np.allclose(stored.seed_centroid, unit((0, 1.0)))  # type: ignore[arg-type]
    assert not np.allclose(stored.centroid, stored.seed_centroid)  # type: ignore[arg-type]
    assert stored.event_actors == {"seed-1": frozenset({"acme"}),
                                   "dev-1": frozenset({"acme", "globex"})}
    grown = memory_of(SagaModel(name="s"))
    grown = with_known(grown, "seed-1", np.stack([unit((0, 1.0))]), actors=["acme"], seed=True)
    grown = with_known(grown, "dev-1", np.stack([unit((1, 1.0)), unit((1, 1.0), (2, 0.5))]),
                       actors=["acme", "globex"])
    assert np.allclose(grown.seed_centroid, stored.seed_centroid, atol=1e-3)  # type: ignore[arg-type]
    assert np.allclose(grown.centroid, stored.centroid, atol=1e-3)  # vectors are packed
    assert grown.event_actors == stored.event_actors


def test_how_closely_the_seeds_agree_is_kept_as_the_saga_grows() -> None:
    """``seed_typical``, the median cosine of the seeds' rows to their centroid: high for
    seeds telling one thing, lower for seeds telling it from several sides; alerted
    developments do not change it. Built row by row or from the stored model, the same."""
    from monitor.novelty.memory import with_known

    def seeded(*rows: np.ndarray) -> SagaModel:
        model = SagaModel(name="s")
        for i, v in enumerate(rows):
            model.events[f"seed-{i}"] = _event(f"seed-{i}", v)
            model.events[f"seed-{i}"].origin = "seed"
        return model

    one_thing = seeded(unit((0, 1.0), (1, 0.2)), unit((0, 1.0), (2, 0.2)), unit((0, 1.0)))
    sides = seeded(unit((0, 1.0), (1, 0.9)), unit((0, 1.0), (2, 0.9)), unit((0, 1.0), (3, 0.9)))
    assert memory_of(one_thing).seed_typical > 0.95
    assert 0.6 < memory_of(sides).seed_typical < 0.9
    assert memory_of(SagaModel(name="s")).seed_typical == 0.0  # no seed: no floor
    one = SagaModel(name="s")  # one seed document, however many sentences: no floor
    one.events["seed-0"] = _event("seed-0", unit((0, 1.0)), unit((0, 1.0), (1, 0.9)))
    one.events["seed-0"].origin = "seed"
    assert memory_of(one).seed_typical == 0.0
    grown = memory_of(SagaModel(name="s"))
    for i, v in enumerate([unit((0, 1.0), (1, 0.9)), unit((0, 1.0), (2, 0.9)),
                           unit((0, 1.0), (3, 0.9))]):
        grown = with_known(grown, f"seed-{i}", np.stack([v]), seed=True)
    assert abs(grown.seed_typical - memory_of(sides).seed_typical) < 1e-3
    after = with_known(grown, "dev-1", np.stack([unit((5, 1.0))]))
    assert after.seed_typical == grown.seed_typical  # a development moves the saga, not its seeds


def test_an_alerted_announcement_of_a_decision_is_a_plan_its_outcome_moves_on() -> None:
    """"Court to rule on the plan", alerted, is pending (``genre.pending``): the ruling
    that follows is its next stage, not its retelling (``stories.moved_on``)."""
    grown = memory_of(SagaModel(name="s"))
    grown = with_known(grown, "dev-1", np.stack([unit((1, 1.0))]),
                       "Court to rule on the Acme plan on Friday")
    grown = with_known(grown, "dev-2", np.stack([unit((2, 1.0))]), "Court rules against Acme")
    assert "dev-1" in grown.tentative and "dev-2" not in grown.tentative
