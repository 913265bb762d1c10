import os

os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")  # before numba is imported

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tiled_matmul import matmul  # noqa: E402


@pytest.mark.parametrize(("m", "k", "n"), [(8, 8, 8), (16, 24, 8), (13, 7, 11)])
def test_matches_numpy(m, k, n):
    rng = np.random.default_rng(m * k * n)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    np.testing.assert_allclose(matmul(a, b), a @ b, rtol=1e-4, atol=1e-4)
