"""Every kata: its reference passes its own tests; its generated skeleton fails them."""

import pytest

from infraprep.content.katas import load_katas
from infraprep.practice.katas import check, make_skeleton

KATAS, PROBLEMS = load_katas()


def test_there_are_at_least_12_katas_across_rounds_1_to_6():
    assert PROBLEMS == []
    assert len(KATAS) >= 12
    assert {k.round for k in KATAS} >= {1, 2, 3, 4, 5, 6}


@pytest.mark.slow
@pytest.mark.parametrize("kata", KATAS, ids=lambda k: k.id)
def test_reference_passes_and_skeleton_fails(kata, tmp_path):
    reference = check(kata, kata.reference)
    assert reference.passed, f"{kata.id}: {reference.message}\n{reference.output}"
    skeleton = tmp_path / kata.solution
    skeleton.write_text(make_skeleton(kata.reference.read_text(), kata.id, kata.language))
    result = check(kata, skeleton)
    assert not result.passed, f"{kata.id}: the skeleton passed its tests"
    assert f"kata {kata.id}: implement" in result.output  # it failed loudly, naming the kata


@pytest.mark.slow
def test_relaxed_orders_are_caught_as_a_data_race(tmp_path):
    kata = next(k for k in KATAS if k.id == "memory-order-fix")
    broken = kata.reference.read_text().replace("memory_order_release", "memory_order_relaxed").replace(
        "memory_order_acquire", "memory_order_relaxed")
    (tmp_path / kata.solution).write_text(broken)
    result = check(kata, tmp_path / kata.solution)
    assert result.verdict == "data-race", result.message
