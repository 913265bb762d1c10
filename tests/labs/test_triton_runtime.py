"""Triton's mode is chosen once per process; asking for the other one is a clear error."""

import pytest

pytest.importorskip("torch")
from infraprep.errors import InfraprepError  # noqa: E402
from infraprep.labs.triton_runtime import device_for, interpreting, jit  # noqa: E402


def _kernel(x_ptr):
    pass


def test_other_mode_is_refused():
    pytest.importorskip("infraprep.labs.kernels.triton_matmul")  # sets the mode, imports triton
    with pytest.raises(InfraprepError, match="fresh process"):
        jit(_kernel, not interpreting())


def test_interpreter_tensors_live_on_the_cpu():
    assert device_for(True) == "cpu" and device_for(False) == "cuda"
