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


_COMPILE = """
import json, os, sys
os.environ["TRITON_INTERPRET"] = "0"
import importlib, triton
from triton.backends.compiler import GPUTarget
from triton.compiler import ASTSource
spec = json.loads(sys.argv[1])
fn = triton.jit(getattr(importlib.import_module(spec["module"]), spec["kernel"]))
source = ASTSource(fn, spec["signature"], constexprs=spec["constexprs"])
kernel = triton.compile(source, target=GPUTarget("cuda", spec["capability"], 32), options=spec["options"])
print(json.dumps({"stages": list(kernel.asm), "wgmma": "wgmma" in kernel.asm["ptx"], "shared": kernel.metadata.shared}))
"""


def compile_for_gpu(module: str, kernel: str, signature: dict, constexprs: dict, options: dict,
                    capability: int = 90) -> dict:
    """Compile a Triton kernel ahead of time for a GPU architecture, no GPU needed (Triton bundles
    ptxas), in a fresh process: this one may have Triton in interpreter mode. Returns the stages
    produced, whether the PTX uses Hopper's wgmma, and the shared memory it needs."""
    import json
    import os
    import subprocess
    import sys

    spec = {"module": module, "kernel": kernel, "signature": signature, "constexprs": constexprs,
            "options": options, "capability": capability}
    env = {**os.environ, "TRITON_INTERPRET": "0", "TRITON_DEFAULT_FP_FUSION": "1"}
    done = subprocess.run([sys.executable, "-c", _COMPILE, json.dumps(spec)], capture_output=True, text=True,
                          env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
