"""``requires_gpu``: the ``gpu`` marker plus a skip when no CUDA GPU is visible (checked lazily)."""

from __future__ import annotations

import functools
import shutil

import pytest

__all__ = ["cuda_available", "requires_gpu"]


@functools.cache
def cuda_available() -> bool:
    if shutil.which("nvidia-smi") is None:
        return False
    import torch

    return torch.cuda.is_available()


def requires_gpu(test):
    """Mark ``test`` as ``gpu`` and skip it without a CUDA GPU; its CPU twin lives beside it."""
    return pytest.mark.gpu(pytest.mark.skipif(not cuda_available(), reason="needs a CUDA GPU")(test))
