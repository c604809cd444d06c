from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.pools.coupling import couple


def marginal_of(joint, i):
    out = Counter()
    for values, n in joint:
        out[values[i]] += n
    return out


@st.composite
def marginals(draw):
    total = draw(st.integers(1, 200))
    tables = []
    for t in range(draw(st.integers(1, 4))):
        cuts = sorted(draw(st.lists(st.integers(0, total), max_size=6)))
        edges = [0, *cuts, total]
        pairs = zip(edges, edges[1:], strict=False)
        tables.append([(f"{t}-{i}", b - a) for i, (a, b) in enumerate(pairs)])
    return tables


@given(marginals())
def test_the_joint_keeps_every_marginal_and_is_monotone(tables):
    joint = couple(*tables)
    for i, table in enumerate(tables):
        expected = Counter({v: n for v, n in table if n})
        assert marginal_of(joint, i) == expected
        # Oldest with oldest: along the joint each table's values only move forward.
        order = [v for v, n in table]
        positions = [order.index(values[i]) for values, _ in joint]
        assert positions == sorted(positions)


def test_an_example():
    joint = couple([("rhel4", 3), ("rhel5", 2)], [("k1", 1), ("k2", 4)])
    assert joint == [(("rhel4", "k1"), 1), (("rhel4", "k2"), 2), (("rhel5", "k2"), 2)]


def test_totals_must_agree():
    with pytest.raises(ValueError, match="same total"):
        couple([("a", 2)], [("b", 3)])
