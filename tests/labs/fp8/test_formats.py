"""E4M3/E5M2: constants from Micikevicius et al. 2022 Table 1; rounding equals torch's casts."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.errors import UnknownName
from infraprep.labs.fp8.formats import E4M3, E5M2, get_format, round_to_fp8

torch = pytest.importorskip("torch")
TORCH = {"e4m3": torch.float8_e4m3fn, "e5m2": torch.float8_e5m2}


def test_table_1_constants():
    assert (E4M3.max_normal, E4M3.min_normal, E4M3.min_subnormal) == (448.0, 2.0**-6, 2.0**-9)
    assert (E5M2.max_normal, E5M2.min_normal, E5M2.min_subnormal) == (57344.0, 2.0**-14, 2.0**-16)
    for fmt in (E4M3, E5M2):
        info = torch.finfo(TORCH[fmt.name])
        assert (info.max, info.smallest_normal, info.eps) == (fmt.max_normal, fmt.min_normal, fmt.epsilon)


@pytest.mark.parametrize("fmt", [E4M3, E5M2], ids=lambda f: f.name)
def test_every_value_and_every_midpoint_rounds_like_torch(fmt):
    codes = torch.arange(256, dtype=torch.uint8).view(TORCH[fmt.name]).float().numpy()
    values = np.unique(codes[np.isfinite(codes)])
    assert len(values) == (253 if fmt is E4M3 else 247)  # 256 codes less NaNs, infinities and -0
    mids = ((values[1:] + values[:-1]) / 2).astype(np.float32)  # ties: must go to the even mantissa
    x = np.concatenate([values, mids, np.nextafter(mids, np.float32(np.inf)), np.nextafter(mids, np.float32(-np.inf))])
    np.testing.assert_array_equal(round_to_fp8(x, fmt), torch.from_numpy(x).to(TORCH[fmt.name]).float().numpy())


@settings(deadline=None)  # a shared, loaded machine: no per-example deadline
@given(st.floats(-448, 448, allow_nan=False, width=32), st.sampled_from(["e4m3", "e5m2"]))
def test_random_values_round_like_torch_and_stay_put(value, name):
    fmt = get_format(name)
    ours = round_to_fp8(np.float32(value), fmt)
    assert ours == torch.tensor(value, dtype=torch.float32).to(TORCH[name]).float().item()
    assert round_to_fp8(ours, fmt) == ours  # idempotent


def test_saturation_convention():
    assert round_to_fp8([1e6, -500], E4M3).tolist() == [448.0, -448.0]
    assert np.isnan(round_to_fp8([1e6], E4M3, saturate=False)[0])  # E4M3 has no infinity
    assert np.isinf(round_to_fp8([1e6], E5M2, saturate=False)[0])


def test_unknown_format():
    with pytest.raises(UnknownName, match="e4m3"):
        get_format("e3m4")
