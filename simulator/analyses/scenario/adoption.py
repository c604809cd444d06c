"""Adoption curves: when each machine of a wave takes its turn.

A wave's curve runs through dated fractions (30 %, 50 %, 100 % ...) as a
logistic ramp; each machine adds its own update lag.

>>> from simulator.analyses.scenario.spec import Tribe
>>> wave = Wave("w", Tribe({}, {}), Tribe({}, {}), 0, [(10 * DAY, 0.5)], 0.0)
>>> round(adoption_at(wave, 10 * DAY), 3)
0.5
"""

from __future__ import annotations

import math

import numpy as np

from simulator.analyses.scenario.spec import DAY, Wave

# Fractions are mapped into [EPS, 1 - EPS] before the logit, so that 0 % at the
# wave's start and 100 % at its last date are finite ends of the ramp.
_EPS = 1e-3


def turn_times(wave: Wave, rng: np.random.Generator, count: int) -> np.ndarray:
    """Each machine's turn (epoch seconds, inf = never) in ``wave``.

    The adoption curve runs through (wave start, 0) and the given points,
    linear in logit space between them: each stretch is a piece of a logistic
    ramp, and the curve passes exactly through every point. A machine's
    uniform draw is mapped back through the curve; its update lag (exponential,
    mean ``lag_days``) comes on top.
    """
    draws = rng.random(count)
    lags = rng.exponential(wave.lag_days * DAY, count) if wave.lag_days > 0 else np.zeros(count)
    if not wave.points:
        return wave.start + lags
    times = np.array([wave.start] + [t for t, _ in wave.points], dtype=float)
    fractions = np.array([0.0] + [f for _, f in wave.points])
    out = np.interp(_logit(draws), _logit(fractions), times)
    out[draws > fractions[-1]] = np.inf
    return out + lags


def _logit(fraction):
    scaled = _EPS + np.asarray(fraction, dtype=float) * (1 - 2 * _EPS)
    return np.log(scaled / (1 - scaled))


def adoption_at(wave: Wave, when: int) -> float:
    """The curve's fraction at ``when`` (without lag): the inverse of ``turn_times``."""
    if not wave.points:
        return 1.0 if when >= wave.start else 0.0
    times = np.array([wave.start] + [t for t, _ in wave.points], dtype=float)
    logits = _logit(np.array([0.0] + [f for _, f in wave.points]))
    if when <= times[0]:
        return 0.0
    if when >= times[-1]:
        return wave.points[-1][1]
    z = float(np.interp(when, times, logits))
    return ((1 / (1 + math.exp(-z))) - _EPS) / (1 - 2 * _EPS)
