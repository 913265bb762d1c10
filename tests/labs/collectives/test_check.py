"""Every implementation against dist.all_reduce and the exact sum: one spawned job of 8 ranks.

The job holds communicators of 2 to 8 members (in scrambled orders, so member index ≠ rank). The
4-member one runs the full grid — every algorithm × float32/float64/int64 × ≥ 20 sizes, odd ones
included — and the others a smaller grid; one job serves all. Pipelines are cut at 4 KiB so that the
larger sizes run the ring's multi-segment and the tree's multi-chunk schedules.
"""

import pytest

from infraprep.labs.collectives.check import DTYPES, check_worker, nodes_of, odd_sizes, verdicts
from infraprep.labs.collectives.launcher import launch

ALGOS = ("ring", "tree", "btree", "rd", "rhd", "hier")
FULL = (0, 1, 2, 3)
PLAN = [
    (FULL, odd_sizes(4), DTYPES),
    ((2, 5), (0, 1, 3, 1000, 4097), ("int64", "float32")),
    ((6, 1, 4), (1, 2, 4, 97, 4097), ("int64", "float64")),
    ((7, 6, 5, 4, 3), (1, 4, 6, 97, 10007), ("int64", "float32")),
    ((1, 3, 5, 7, 0, 2), (5, 7, 1000), ("int64", "float32")),
    ((0, 2, 4, 6, 1, 3, 5), (3, 8, 1023), ("int64", "float32")),
    (tuple(range(8)), (1, 9, 4097), ("int64", "float32")),
]


PIPELINE_BYTES = 4096  # ring segments and tree chunks of 4 KiB: multi-segment paths at test sizes


@pytest.fixture(scope="module")
def records():
    return launch(check_worker, 8, args=(PLAN, ALGOS, 0, PIPELINE_BYTES))


@pytest.mark.slow
def test_all_cases_ran(records):
    expected = sum(len(m) * len(s) * len(d) * len(ALGOS) for m, s, d in PLAN)
    assert len(records) == expected
    assert len(odd_sizes(4)) >= 20 and any(s % 4 for s in odd_sizes(4))


@pytest.mark.slow
def test_exact_for_integers_and_within_the_bound_for_floats(records):
    assert verdicts(records) == []
    ints = [r for r in records if r.dtype == "int64"]
    assert ints and all(r.error == 0 and r.builtin_diff == 0 for r in ints)


@pytest.mark.slow
def test_full_grid_on_four_ranks(records):
    full = {(r.algo, r.dtype, r.size) for r in records if r.members == FULL}
    assert full == {(a, d, s) for a in ALGOS for d in DTYPES for s in odd_sizes(4)}


@pytest.mark.slow
def test_every_communicator_size_from_2_to_8(records):
    assert {len(r.members) for r in records} == set(range(2, 9))


def test_hier_node_sizes():
    assert [nodes_of(p) for p in (2, 3, 4, 6, 8, 9)] == [1, 1, 2, 3, 4, 3]


def test_verdicts_catch_a_wrong_result():
    from infraprep.labs.collectives.check import CheckRecord

    good = CheckRecord((0, 1), 0, "ring", "int64", 5, 0.0, 0.0, 0.0, "a")
    bad = CheckRecord((0, 1), 1, "ring", "int64", 5, 1.0, 0.0, 1.0, "b")
    problems = verdicts([good, bad])
    assert any("error 1 > bound 0" in p for p in problems) and any("disagree" in p for p in problems)
