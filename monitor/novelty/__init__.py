"""The novelty engine: does a report tell the saga something new?

Its steps, one module each, in the order a report meets them::

    relevance  is it about the saga (closeness in meaning to the saga's facts)?
    stories    does it retell a known event, join a story, or open one?
    novelty    is a story confirmed as a new development (independent sources)?
               (a wave's headlines, the saga's topic left out: ``stage``)
    actors     which newcomers have become actors (the names a report holds:
               ``names``; which known actor a name is: ``resolver``; who reports
               the saga rather than acting in it: ``outlets``)?
    text       what the alerts say, in the words of the reports

Seeds are read first, all together (``seednames``: the words heading a seed's names that
are no part of them). ``grow`` is the one step that changes the saga model; ``engine``
wires them for a batch.
Embeddings come from ``monitor.embed`` (computed in the NLP workers).
"""

from monitor.novelty.engine import Engine, Result
from monitor.novelty.memory import Known, known_of
from monitor.novelty.relevance import far, unseeded
from monitor.novelty.types import Placement, Skimmed

__all__ = ["Engine", "Known", "Placement", "Result", "Skimmed", "far", "known_of", "unseeded"]
