"""FP8 E4M3 quantization with one scale per 1×block tile (DeepSeek-V3 §3.3.2)."""

import torch

E4M3_MAX = 448.0


def quantize(x, block=128):
    m, n = x.shape
    if n % block:
        raise ValueError(f"columns={n} is not a multiple of block={block}")
    # KATA-BEGIN: one scale per row per tile, mapping the tile's max |x| to 448, then cast
    tiles = x.reshape(m, n // block, block)
    amax = tiles.abs().amax(dim=-1)
    scales = torch.where(amax > 0, amax / E4M3_MAX, torch.ones_like(amax))
    q = (tiles / scales[..., None]).to(torch.float8_e4m3fn).reshape(m, n)
    return q, scales
    # KATA-END


def dequantize(q, scales, block=128):
    m, n = q.shape
    # KATA-BEGIN: multiply each tile back by its scale
    return (q.float().reshape(m, n // block, block) * scales[..., None]).reshape(m, n)
    # KATA-END
