"""The softmax temperature is found by scipy's bounded scalar minimiser; it lands where the
golden-section search it replaced landed (kept here as the reference), on a fixed sample."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lapor.routing.ml.model import _fit_temperature, _softmax


def _golden_section_reference(scores: np.ndarray, y: np.ndarray) -> float:
    """The former search: 40 golden-section steps on log T over [0.01, 10]."""

    def nll(log_t: float) -> float:
        p = _softmax(scores / math.exp(log_t))
        return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, None))))

    lo, hi = math.log(0.01), math.log(10.0)
    g = (math.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = nll(a), nll(b)
    for _ in range(40):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = nll(b)
    return math.exp((lo + hi) / 2)


def _sample(seed: int, *, n: int = 400, classes: int = 6, sharpness: float = 1.0):
    """Scores of a linear classifier that is right about 70 % of the time."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, size=n)
    scores = rng.normal(0.0, 0.5, size=(n, classes))
    right = rng.random(n) < 0.7
    scores[np.arange(n)[right], y[right]] += sharpness
    return scores, y


@pytest.mark.parametrize(("seed", "sharpness"), [(1, 1.0), (2, 0.3), (3, 3.0), (4, 8.0)])
def test_temperature_matches_the_former_golden_section_search(seed, sharpness):
    scores, y = _sample(seed, sharpness=sharpness)
    found, reference = _fit_temperature(scores, y), _golden_section_reference(scores, y)
    assert 0.01 < found < 10.0  # an interior optimum: the comparison says something
    assert found == pytest.approx(reference, rel=1e-4)


def test_temperature_stays_inside_its_bounds():
    scores, y = _sample(5)
    # labels opposite to the scores: the flattest softmax (the upper bound) fits best
    wrong = np.argmin(scores, axis=1)
    assert _fit_temperature(scores * 50, wrong) == pytest.approx(10.0, rel=1e-3)
    assert _golden_section_reference(scores * 50, wrong) == pytest.approx(10.0, rel=1e-3)
