from pathlib import Path

import pytest

from infraprep.errors import InvalidValue
from infraprep.labs.machine import Machine
from infraprep.labs.zerocopy import Transfer, ZeroCopyReport
from infraprep.labs.zerocopy.plot import plot_zerocopy

REPORT = ZeroCopyReport(Machine("cpu", "x86_64", 2, 0.0), 2**20, 3, 5e9, (
    Transfer("pickle over a pipe", "between processes", 2**20, 0.5, 0.6, False, ""),
    Transfer("np.frombuffer", "in process", 2**20, 1e-6, None, True, ""),
))


def test_writes_an_svg(tmp_path):
    out = tmp_path / "zc.svg"
    plot_zerocopy(REPORT, out)
    text = out.read_text()
    assert text.lstrip().startswith("<?xml") and "memcpy 5.0 GB/s" in text


def test_rejects_an_unknown_format():
    with pytest.raises(InvalidValue, match="--plot='zc.txt'"):
        plot_zerocopy(REPORT, Path("zc.txt"))
