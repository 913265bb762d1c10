"""In one process: views share the source's memory (checked by address), the bytes copy does not."""

import pytest

from infraprep.labs.zerocopy import measure_inprocess, torch_available


@pytest.fixture(scope="module")
def rows():
    return {r.name: r for r in measure_inprocess(4 * 2**20, reps=2, with_torch=torch_available())}


def test_copy_and_views(rows):
    assert rows["bytes(memoryview)"].shares_memory is False
    for name in ("memoryview[:]", "np.frombuffer"):
        assert rows[name].shares_memory is True


@pytest.mark.skipif(not torch_available(), reason="torch not installed")
def test_torch_views_share_memory(rows):
    assert rows["torch.from_numpy"].shares_memory is True
    assert rows["torch.from_dlpack"].shares_memory is True


def test_a_view_is_cheaper_than_a_copy(rows):
    # O(1) vs O(n): at 4 MiB the copy takes ~1 ms, a view microseconds
    assert rows["bytes(memoryview)"].seconds / rows["np.frombuffer"].seconds >= 10


def test_without_torch_there_are_no_torch_rows():
    names = [r.name for r in measure_inprocess(64 * 1024, reps=1, with_torch=False)]
    assert names == ["bytes(memoryview)", "memoryview[:]", "np.frombuffer"]
