"""The two FP8 formats and round-to-nearest-even onto their grids, in NumPy.

Micikevicius et al., "FP8 Formats for Deep Learning" (2022), Table 1 (the OCP 8-bit floating point
specification uses the same encodings):

    format  exp bits  mantissa  bias  max normal  min normal  min subnormal  inf
    E4M3    4         3         7     448         2⁻⁶         2⁻⁹            no (S.1111.111 is NaN)
    E5M2    5         2         15    57344       2⁻¹⁴        2⁻¹⁶           yes (IEEE-like)

E4M3 gives up infinities to gain one binade (max 448 instead of 240): it is the format for weights
and activations; E5M2's range suits gradients (the "HYBRID" recipe of NVIDIA Transformer Engine).

:func:`round_to_fp8` returns float32 values that lie exactly on the FP8 grid (it does not pack bits).
Convention ``saturate=True`` (default, as DeepSeek-V3 and Transformer Engine do when they scale): a
magnitude beyond the max normal clips to ±max; ``saturate=False`` gives NaN (E4M3) or ±inf (E5M2),
the bit-level cast's behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.errors import UnknownName

__all__ = ["E4M3", "E5M2", "FORMATS", "Fp8Format", "get_format", "round_to_fp8"]


@dataclass(frozen=True)
class Fp8Format:
    name: str
    exponent_bits: int
    mantissa_bits: int
    bias: int
    max_normal: float
    has_inf: bool

    @property
    def min_normal(self) -> float:
        return 2.0 ** (1 - self.bias)

    @property
    def min_subnormal(self) -> float:
        return 2.0 ** (1 - self.bias - self.mantissa_bits)

    @property
    def epsilon(self) -> float:
        """Spacing just above 1: 2^-mantissa_bits (relative precision ±half of it)."""
        return 2.0 ** -self.mantissa_bits

    def to_dict(self) -> dict:
        return {"name": self.name, "exponent_bits": self.exponent_bits, "mantissa_bits": self.mantissa_bits,
                "bias": self.bias, "max_normal": self.max_normal, "min_normal": self.min_normal,
                "min_subnormal": self.min_subnormal, "epsilon": self.epsilon, "has_inf": self.has_inf}


E4M3 = Fp8Format("e4m3", 4, 3, 7, 448.0, False)
E5M2 = Fp8Format("e5m2", 5, 2, 15, 57344.0, True)
FORMATS = {f.name: f for f in (E4M3, E5M2)}


def get_format(name: str) -> Fp8Format:
    if name.lower() not in FORMATS:
        raise UnknownName("FP8 format", name, FORMATS)
    return FORMATS[name.lower()]


def round_to_fp8(x, fmt: Fp8Format, saturate: bool = True):
    """Nearest FP8 value (ties to even) of each element of ``x``, as float32.

    Each binade [2^e, 2^(e+1)) holds 2^mantissa_bits evenly spaced values, so the spacing there is
    ``2^(e - mantissa_bits)``; below the min normal the spacing stays at the min subnormal.
    """
    import numpy as np

    x = np.asarray(x, dtype=np.float64)
    magnitude = np.abs(x)
    if saturate:
        magnitude = np.minimum(magnitude, fmt.max_normal)
    _, exponent = np.frexp(magnitude)  # magnitude = f·2^exponent with f in [0.5, 1): binade 2^(exponent-1)
    exponent = np.maximum(exponent - 1, 1 - fmt.bias)  # subnormals share the min-normal spacing
    spacing = np.exp2(exponent - fmt.mantissa_bits)
    rounded = np.round(magnitude / spacing) * spacing  # np.round: half to even
    if not saturate:
        overflow = rounded > fmt.max_normal
        rounded = np.where(overflow, np.inf if fmt.has_inf else np.nan, rounded)
    return (np.sign(x) * rounded).astype(np.float32)
