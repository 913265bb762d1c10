"""The CUDA C++ tiled matmul: its g++ twin equals NumPy, ThreadSanitizer catches a missing barrier,
nvcc compiles it, and on a GPU the real kernel is checked."""

import shutil

import numpy as np
import pytest

from infraprep.errors import InfraprepError
from infraprep.labs.kernels import cuda_source
from infraprep.labs.kernels.cuda_source import build, run_binary, source_path
from tests.labs.gpu import requires_gpu

needs_gpp = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")


def integers(n, k, m, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(-4, 5, (n, k)).astype(np.float32), rng.integers(-4, 5, (k, m)).astype(np.float32)


@pytest.fixture(scope="module")
def cpu_binary(tmp_path_factory):
    if shutil.which("g++") is None:
        pytest.skip("needs g++")
    return build(tmp_path_factory.mktemp("cu"), "g++")


@needs_gpp
@pytest.mark.parametrize("kernel,tile", [("naive", 8), ("tiled", 8), ("tiled", 16)])
def test_cpu_twin_equals_numpy(cpu_binary, kernel, tile):
    a, b = integers(40, 24, 36)
    result = run_binary(cpu_binary, kernel, a, b, tile)
    assert result.verdict.passed and result.verdict.max_error == 0.0
    assert result.target == "cpu-emulation" and result.ms is None


@needs_gpp
@pytest.mark.slow
def test_thread_sanitizer_clean_with_both_barriers_and_catches_the_missing_one(tmp_path):
    a, b = integers(16, 16, 16)
    good = run_binary(build(tmp_path, "g++", sanitize=True), "tiled", a, b, 8)
    broken = run_binary(build(tmp_path, "g++", sanitize=True, omit_second_sync=True), "tiled", a, b, 8)
    assert not good.data_race, good.stderr[-2000:]
    assert broken.data_race  # the next phase overwrites a tile that slower threads still read


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="needs the CUDA toolkit (nvcc)")
def test_nvcc_compiles_the_same_source(tmp_path):
    binary = build(tmp_path, "nvcc")
    assert binary.exists() and binary.stat().st_size > 0


def test_missing_compiler_is_one_clear_line(monkeypatch, tmp_path):
    monkeypatch.setattr(cuda_source.shutil, "which", lambda name: None)
    with pytest.raises(InfraprepError, match="g\\+\\+ not found on PATH"):
        build(tmp_path, "g++")


def test_source_ships_with_the_package():
    text = source_path().read_text()
    assert "__syncthreads()" in text and (source_path().parent / "cuda_emu.h").exists()


@requires_gpu
@pytest.mark.skipif(shutil.which("nvcc") is None, reason="needs nvcc")
def test_real_kernel_on_gpu(tmp_path):
    a, b = integers(257, 130, 129)
    binary = build(tmp_path, "nvcc")
    for kernel, tile in (("naive", 16), ("tiled", 16), ("tiled", 32)):
        result = run_binary(binary, kernel, a, b, tile)
        assert result.verdict.passed and result.target == "gpu" and result.ms > 0
