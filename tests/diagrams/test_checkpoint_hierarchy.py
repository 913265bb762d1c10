"""The checkpoint-hierarchy diagram's data: what the lab's default levels hold at the crash, restore order."""

from infraprep.diagrams.checkpoint_hierarchy import CRASH_STEP, held_at, restore_order


def test_what_each_level_holds_after_127_steps():
    # lab defaults (docs/round-6.md): level 0 every step keep 2; level 1 every 10 keep 3; level 2 every
    # 50 keep 2. After 127 steps: the last two steps, the last three multiples of 10, both multiples of 50.
    assert CRASH_STEP == 127
    assert held_at(127) == {0: [126, 127], 1: [100, 110, 120], 2: [50, 100]}


def test_retention_drops_old_checkpoints():
    assert held_at(9) == {0: [8, 9], 1: [], 2: []}
    assert held_at(160) == {0: [159, 160], 1: [140, 150, 160], 2: [100, 150]}


def test_restore_order_is_newest_step_first_then_the_faster_level():
    held = held_at(127)
    assert restore_order(held, (1, 2)) == [(1, 120), (1, 110), (1, 100), (2, 100), (2, 50)]
    assert restore_order(held, (2,)) == [(2, 100), (2, 50)]
    assert restore_order(held, (0, 1, 2))[:3] == [(0, 127), (0, 126), (1, 120)]
