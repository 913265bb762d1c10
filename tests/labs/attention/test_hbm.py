"""The HBM model counts what moves: loads and stores by element, uncounted placement of inputs."""

import numpy as np

from infraprep.labs.attention.hbm import HBM


def test_counts_by_element():
    hbm = HBM()
    hbm.put("Q", np.zeros((10, 4)))
    block = hbm.load("Q", slice(2, 5))
    block[:] = 1  # a copy in SRAM: HBM is unchanged until stored
    assert hbm.arrays["Q"].sum() == 0 and hbm.reads["Q"] == 12
    hbm.store("Q", slice(2, 5), block)
    hbm.alloc("l", np.zeros(10))
    assert hbm.writes == {"Q": 12, "l": 10} and hbm.total == 34
