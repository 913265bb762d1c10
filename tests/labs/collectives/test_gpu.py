"""The same implementations on nccl with CUDA tensors (its CPU twin is test_check.py on gloo)."""

import pytest

from infraprep.labs.collectives.check import check_worker, verdicts
from infraprep.labs.collectives.launcher import launch

pytestmark = pytest.mark.gpu


def test_nccl_matches_the_builtin_all_reduce():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available() or torch.cuda.device_count() < 2:
        pytest.skip("nccl runs one rank per GPU: needs two CUDA GPUs")
    plan = [((0, 1), (1, 3, 97, 4097, 65537, 1 << 20), ("float32", "float64", "int64"))]
    records = launch(check_worker, 2, backend="nccl", args=(plan, ("ring", "tree", "btree", "rd", "rhd", "hier"), 0,
                                                             4096))
    assert records and verdicts(records) == []
