"""The Triton FlashAttention forward equals the reference (interpreter on a CPU; compiled on a GPU)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
flash_attention = pytest.importorskip("infraprep.labs.attention.triton_flash").flash_attention

from infraprep.errors import InvalidValue  # noqa: E402
from infraprep.labs.attention.standard import attention_reference  # noqa: E402
from tests.labs.gpu import requires_gpu  # noqa: E402


@pytest.mark.parametrize("shape,causal", [((1, 2, 128, 64), False), ((1, 2, 128, 64), True), ((2, 1, 100, 32), True),
                                          ((1, 1, 70, 16), False)])
def test_forward_and_lse_equal_reference(shape, causal):
    g = torch.Generator().manual_seed(sum(shape))
    q, k, v = (torch.randn(shape, generator=g) for _ in range(3))
    out, lse = flash_attention(q, k, v, causal)
    for b in range(shape[0]):
        for h in range(shape[1]):
            qn, kn, vn = (x[b, h].double().numpy() for x in (q, k, v))
            expected = attention_reference(qn, kn, vn, causal)
            assert np.abs(out[b, h].cpu().numpy() - expected).max() <= 1e-5 * np.abs(expected).max()
            s = qn @ kn.T / np.sqrt(shape[3])
            if causal:
                s = np.where(np.tril(np.ones_like(s, dtype=bool)), s, -np.inf)
            top = s.max(1)
            np.testing.assert_allclose(lse[b, h].cpu().numpy(), top + np.log(np.exp(s - top[:, None]).sum(1)),
                                       rtol=1e-5, atol=1e-5)


def test_head_dim_must_be_a_power_of_two():
    with pytest.raises(InvalidValue, match="--head-dim"):
        flash_attention(*(torch.zeros(1, 1, 8, 24) for _ in range(3)))


@requires_gpu
def test_compiled_on_gpu_matches_sdpa_in_bf16():
    q, k, v = (torch.randn(1, 4, 1024, 128, device="cuda", dtype=torch.bfloat16) for _ in range(3))
    for causal in (False, True):
        out, _ = flash_attention(q, k, v, causal, interpret=False, block_m=128, block_n=64)
        expected = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)
        assert ((out.float() - expected.float()).abs().max() / expected.float().abs().max()).item() < 2e-2


@pytest.mark.slow
@pytest.mark.parametrize("causal", [False, True])
def test_compiles_for_hopper_with_wgmma(causal):
    from tests.labs.gpu import compile_for_gpu

    signature = {"q_ptr": "*bf16", "k_ptr": "*bf16", "v_ptr": "*bf16", "o_ptr": "*bf16", "lse_ptr": "*fp32",
                 "n_ctx": "i32", "qk_scale": "fp32", "stride_h": "i32", "stride_n": "i32", "lse_stride_h": "i32"}
    constexprs = {"HEAD_DIM": 128, "BLOCK_M": 128, "BLOCK_N": 64, "CAUSAL": causal}
    result = compile_for_gpu("infraprep.labs.attention.triton_flash", "flash_forward_kernel",
                             {**signature, **dict.fromkeys(constexprs, "constexpr")}, constexprs,
                             {"num_warps": 8, "num_stages": 3})
    assert result["stages"][-1] == "cubin" and result["wgmma"]
    # NVIDIA H100 Tensor Core GPU Architecture whitepaper: shared memory configurable up to 228 KB per SM
    assert result["shared"] <= 228 * 1024
