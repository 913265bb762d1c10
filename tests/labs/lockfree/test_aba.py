"""The scripted ABA interleaving: the expected states are worked out by hand in aba_demo.cpp's header.

Stack 0 -> 1 -> 2. A reads head 0 and link 1; B pops 0, pops 1 (keeps it), pushes 0 back.
Untagged: A's CAS(0 -> 1) succeeds, so A has 0, B has 1, and the stack is 1 -> 2: node 1 twice.
Tagged: A's first CAS fails, A re-reads head 0 and link 2, pops 0, and the stack is just 2.
"""

import shutil

import pytest

from infraprep.labs.lockfree import run_aba

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")


def test_untagged_stack_owns_node_1_twice_and_tagged_does_not():
    result = run_aba()
    untagged, tagged = result.untagged, result.tagged
    assert (untagged.a_popped, untagged.b_kept, untagged.stack_after) == (0, 1, (1, 2))
    assert untagged.owned_twice == (1,) and untagged.lost == () and not untagged.ok
    assert untagged.cas_attempts == 1
    assert (tagged.a_popped, tagged.b_kept, tagged.stack_after) == (0, 1, (2,))
    assert tagged.owned_twice == () and tagged.lost == () and tagged.ok
    assert tagged.cas_attempts == 2  # the stale CAS failed once, then succeeded
    assert result.passed
    assert result.to_dict()["untagged"]["owned_twice"] == [1]
