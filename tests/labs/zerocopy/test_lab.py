import pytest

from infraprep.errors import InvalidValue
from infraprep.labs.machine import Machine
from infraprep.labs.zerocopy import Transfer, ZeroCopyOptions, ZeroCopyReport, run_zerocopy

MIB = 2**20


def test_options_are_validated():
    with pytest.raises(InvalidValue, match="--size='1020 B' is not valid: expected a multiple of 8 bytes, at least 64 KiB"):
        ZeroCopyOptions(size=1020)
    with pytest.raises(InvalidValue, match="multiple of 8"):
        ZeroCopyOptions(size=MIB + 4)
    with pytest.raises(InvalidValue, match="--reps=0"):
        ZeroCopyOptions(reps=0)


def test_ratios_come_from_the_rows():
    rows = (
        Transfer("pickle over a pipe", "between processes", MIB, 0.5, 0.6, False, ""),
        Transfer("shared memory + numpy view", "between processes", MIB, 0.001, 0.02, True, ""),
    )
    report = ZeroCopyReport(Machine("cpu", "x86_64", 2, 0.0), MIB, 3, 1e9, rows)
    assert report.ipc_speedup == pytest.approx(500)
    assert report.ipc_speedup_with_read == pytest.approx(30)
    d = report.to_dict()
    assert d["meets"] is True and d["acceptance"] == {"shm_vs_pickle": 10.0}
    assert d["transfers"][0]["ratio_to_memcpy"] == pytest.approx(MIB / 0.5 / 1e9)
    assert d["transfers"][1]["bytes_per_s_with_read"] == pytest.approx(MIB / 0.02)


def test_small_run_end_to_end():
    steps = []
    report = run_zerocopy(ZeroCopyOptions(size=2 * MIB, reps=1, torch=False),
                          on_step=lambda label, done, total: steps.append((label, done, total)))
    assert [t.name for t in report.transfers][:3] == [
        "pickle over a pipe", "shared memory + numpy view", "mmap'd file + numpy view"]
    assert report.memcpy_bytes_per_s > 0 and report.nbytes == 2 * MIB
    assert steps[-1][0] == "done" and steps[-1][1] == steps[-1][2]
    assert [done for _, done, _ in steps] == sorted(done for _, done, _ in steps)
