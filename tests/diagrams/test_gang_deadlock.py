"""The gang-deadlock diagram's data, read from the gang simulator's classic case."""

from infraprep.diagrams.gang_deadlock import classic_run


def test_greedy_binds_four_plus_four_and_deadlocks():
    shape, jobs, result, first = classic_run("greedy")
    assert shape.gpus == 8 and [j.gang for j in jobs] == [6, 6]
    assert {job: len(nodes) for job, nodes in first.items()} == {0: 4, 1: 4}
    assert result.deadlocked and result.completed == 0


def test_gang_runs_one_job_whole_then_the_other():
    _, _, result, first = classic_run("gang")
    assert {job: len(nodes) for job, nodes in first.items()} == {0: 6}  # job B holds nothing
    assert not result.deadlocked and result.completed == 2
    assert (result.starts, result.ends) == ({0: 0.0, 1: 10.0}, {0: 10.0, 1: 20.0})
