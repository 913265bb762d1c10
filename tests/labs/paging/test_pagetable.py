"""The page-table walkthrough: exact block tables, refcounts and copies after every step."""

from infraprep.labs.paging.pagetable import MAPPING, walkthrough


def test_walkthrough_states():
    steps = walkthrough(block_size=4)
    tables = [s.tables for s in steps]
    assert tables[0] == {"A": [0, 1]}
    assert tables[2] == {"A": [0, 1, 2]}
    assert tables[3] == {"A": [0, 1, 2], "B": [0, 1, 2]} and steps[3].refcounts == {0: 2, 1: 2, 2: 2}
    assert steps[4].copies == [(2, 3)] and tables[4]["B"] == [0, 1, 3]  # copy-on-write
    assert steps[5].copies == []  # A's block 2 is private again
    assert tables[6]["C"][:2] == [0, 1] and steps[6].refcounts[0] == 3  # shared prefix
    assert "B" not in tables[7] and steps[7].copies == [(0, 0), (1, 1), (3, 2)]  # swap out to CPU 0-2
    assert len(steps[8].copies) == 3 and steps[8].tables["B"] == [5, 6, 7]
    assert steps[-1].tables == {} and steps[-1].free == 8


def test_mapping_names_where_the_analogy_breaks():
    assert len(MAPPING) >= 8 and all(len(row) == 4 and all(row) for row in MAPPING)
    assert any("TLB" in row[1] and "no TLB" in row[3] for row in MAPPING)
