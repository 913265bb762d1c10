import pytest
import torch

from fp8_blocks import dequantize, quantize


def rel_error(a, b):
    return ((a - b).norm() / b.norm()).item()


def test_shapes_dtype_and_round_trip():
    x = torch.randn(4, 256, generator=torch.Generator().manual_seed(0))
    q, scales = quantize(x)
    assert q.dtype == torch.float8_e4m3fn and q.shape == x.shape and scales.shape == (4, 2)
    assert q.float().abs().max() <= 448
    # E4M3 keeps 3 mantissa bits: a rounding error of at most 2^-4 of each value (normal range)
    assert rel_error(dequantize(q, scales), x) < 2**-4


def test_tiles_confine_an_outlier():
    x = torch.randn(8, 1024, generator=torch.Generator().manual_seed(1))
    x[0, 0] = 1e5  # one huge activation: a per-tensor scale pushes the rest into subnormals
    q, scales = quantize(x)
    blocked = dequantize(q, scales)
    whole = x.abs().max() / 448  # a per-tensor scale, for comparison
    per_tensor = (x / whole).to(torch.float8_e4m3fn).float() * whole
    rest = torch.ones_like(x, dtype=torch.bool)
    rest[0, :128] = False  # everything outside the outlier's tile
    assert rel_error(blocked[rest], x[rest]) < 2**-4
    assert rel_error(per_tensor[rest], x[rest]) > 4 * rel_error(blocked[rest], x[rest])


def test_zero_tiles_and_bad_shapes():
    q, scales = quantize(torch.zeros(2, 128))
    assert torch.equal(dequantize(q, scales), torch.zeros(2, 128))
    with pytest.raises(ValueError):
        quantize(torch.zeros(2, 100))
