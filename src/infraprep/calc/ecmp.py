"""ECMP hashing as balls into bins, computed exactly: idle uplinks, the busiest uplink, the slowdown.

A leaf hashes each of N = n·q subflows (n connections, q queue pairs or source ports each) onto one of
m equal-cost uplinks, independently and uniformly — the idealised hash (Mitzenmacher & Upfal,
*Probability and Computing*, 2005, §5.2 "Balls into bins"). Everything here is exact, no sampling:

* **idle uplinks** — a given uplink is missed by all N with probability (1 − 1/m)^N, so by linearity of
  expectation m(1 − 1/m)^N uplinks sit idle (§5.2); → 1/e of them when N = m grows;
* **perfect balance** — P(K ≤ ⌈N/m⌉) with K the load of the busiest uplink; for N ≤ m this is the
  birthday-problem probability m!/((m − N)!·m^N) that no two subflows share (§5.1);
* **the busiest uplink** — P(K ≤ k) by Poissonization (§5.4): give every uplink an independent
  Poisson(λ = N/m) load; conditioned on their sum being N the loads are exactly multinomial, so
  P(K ≤ k) = [y^N] (Σ_{j≤k} e^{−λ}λ^j/j!·y^j)^m ÷ (e^{−N}N^N/N!). The power is taken by squaring
  polynomials truncated at degree N — every term is positive, so nothing cancels — and
  E[K] = Σ_{k≥0} P(K > k);
* **the collective's slowdown** — convention: every connection carries the same bytes B and its NIC is
  as fast as one uplink (C). Under max-min fairness a subflow on an uplink shared by k gets C/k, so the
  busiest uplink's K subflows of B/q finish at K·B/(qC), and no connection beats its NIC's B/C; a
  collective ends when its slowest flow does. Ideal (perfect spread): max(1, n/m)·B/C. Hence
  slowdown = max(K, q) / (q·max(1, n/m)), exact per draw — the quantity ``sim ecmp`` samples.

Pure Python (no numpy): the CLI answers in milliseconds at interview sizes; the input caps keep the
worst case near a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infraprep.errors import InvalidValue

__all__ = ["MAX_PER_UPLINK", "MAX_SUBFLOWS", "MAX_UPLINKS", "EcmpBins", "ecmp_bins", "idle_fraction", "max_load_cdf"]

MAX_UPLINKS = 1024
MAX_SUBFLOWS = 1024
MAX_PER_UPLINK = 64  # mean subflows per uplink; with the caps above the worst case takes about a second
_NEGLIGIBLE = 1e-18  # coefficients below this fraction of a product's largest are dropped (under float resolution)
_TAIL = 1e-12  # stop summing P(K > k) once its union bound is below this


def idle_fraction(balls: int, bins: int) -> float:
    """Expected fraction of the m bins that none of N balls lands in: (1 − 1/m)^N (§5.2)."""
    return (1.0 - 1.0 / bins) ** balls


def _multiply(a: tuple[int, list[float]], b: tuple[int, list[float]], top: int) -> tuple[int, list[float]]:
    """Product of two sparse-window polynomials (offset, coefficients), truncated at degree ``top``."""
    (oa, ca), (ob, cb) = a, b
    lo, hi = oa + ob, min(top, oa + len(ca) - 1 + ob + len(cb) - 1)
    out = [0.0] * (hi - lo + 1)
    for i, x in enumerate(ca):
        if x == 0.0:
            continue
        base = i  # index into out of (oa + i) + ob − lo
        for j in range(min(len(cb), hi - lo - base + 1)):
            out[base + j] += x * cb[j]
    floor = _NEGLIGIBLE * max(out, default=0.0)
    first = next((k for k, v in enumerate(out) if v > floor), len(out))
    last = next((k for k in range(len(out) - 1, -1, -1) if out[k] > floor), -1)
    return (lo + first, out[first:last + 1]) if first <= last else (lo, [])


def _coefficient(poly: tuple[int, list[float]], power: int, degree: int) -> float:
    """[y^degree] poly^power by repeated squaring (all coefficients are non-negative)."""
    result: tuple[int, list[float]] = (0, [1.0])
    base = poly
    while power:
        if power & 1:
            result = _multiply(result, base, degree)
        power >>= 1
        if power:
            base = _multiply(base, base, degree)
    offset, coefs = result
    return coefs[degree - offset] if 0 <= degree - offset < len(coefs) else 0.0


def _check(balls: int, bins: int) -> None:
    if isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= MAX_UPLINKS:
        raise InvalidValue("--uplinks", bins, f"an integer from 1 to {MAX_UPLINKS}")
    if isinstance(balls, bool) or not isinstance(balls, int) or not 1 <= balls <= MAX_SUBFLOWS:
        raise InvalidValue("--flows", balls, f"flows × qps from 1 to {MAX_SUBFLOWS}")
    if bins > 1 and balls > MAX_PER_UPLINK * bins:
        raise InvalidValue("--flows", balls, f"flows × qps at most {MAX_PER_UPLINK} × uplinks = {MAX_PER_UPLINK * bins}"
                           " (mean load per uplink ≤ 64 keeps the exact sum fast)")


def _union_bound(balls: int, bins: int, k: int) -> float:
    """P(K > k) ≤ m·P(Binomial(N, 1/m) > k): one uplink's load is binomial (union bound, §5.2)."""
    if k >= balls:
        return 0.0
    if bins == 1:
        return 1.0
    p, log_p, log_q = 1.0 / bins, -math.log(bins), math.log1p(-1.0 / bins)
    tail = 0.0
    for j in range(k + 1, balls + 1):
        term = math.exp(math.lgamma(balls + 1) - math.lgamma(j + 1) - math.lgamma(balls - j + 1)
                        + j * log_p + (balls - j) * log_q)
        tail += term
        if j > balls * p and term < 1e-18 * tail:
            break
    return min(1.0, bins * tail)


def max_load_cdf(balls: int, bins: int, k: int) -> float:
    """P(no bin holds more than ``k``) when ``balls`` land uniformly in ``bins`` (Poissonization, see above)."""
    _check(balls, bins)
    if k >= balls:
        return 1.0
    if k * bins < balls or k < 0:
        return 0.0
    lam = balls / bins
    weights = [math.exp(j * math.log(lam) - lam - math.lgamma(j + 1)) for j in range(k + 1)]
    total = math.exp(balls * math.log(balls) - balls - math.lgamma(balls + 1))  # P(Poisson(N) = N)
    return min(1.0, _coefficient((0, weights), bins, balls) / total)


@dataclass(frozen=True)
class EcmpBins:
    """Exact ECMP statistics for n connections × q subflows on m uplinks. Implements ``CalcResult``."""

    flows: int
    uplinks: int
    qps: int
    cdf: tuple[tuple[int, float], ...]  # (k, P(K ≤ k)) from ⌈N/m⌉ − 1 up to where P(K > k) < 1e-15 (or k = N)

    @property
    def subflows(self) -> int:
        return self.flows * self.qps

    @property
    def idle_fraction(self) -> float:
        return idle_fraction(self.subflows, self.uplinks)

    @property
    def idle_links(self) -> float:
        return self.uplinks * self.idle_fraction

    @property
    def fair_share(self) -> float:
        return self.subflows / self.uplinks

    @property
    def perfect_balance(self) -> float:
        return dict(self.cdf)[self.least_max]

    @property
    def least_max(self) -> int:
        """⌈N/m⌉: the busiest uplink can hold no fewer."""
        return -(-self.subflows // self.uplinks)

    def _tail_from(self, start: int) -> float:
        """Σ_{k ≥ start} P(K > k): 1 for every k below ⌈N/m⌉, then 1 − P(K ≤ k) from the table."""
        below = max(0, self.least_max - start)
        return below + sum(1.0 - p for k, p in self.cdf[1:] if start <= k < self.subflows)

    @property
    def expected_max(self) -> float:
        return self._tail_from(0)  # E[K] = Σ_{k≥0} P(K > k)

    def quantile(self, q: float) -> int:
        """The smallest k with P(K ≤ k) ≥ q."""
        return next((k for k, p in self.cdf if p >= q - 1e-12), self.subflows)

    def slowdown(self, k: float) -> float:
        """Completion ÷ ideal when the busiest uplink carries ``k`` subflows (see the module docstring)."""
        return max(k, self.qps) / (self.qps * max(1.0, self.flows / self.uplinks))

    @property
    def expected_slowdown(self) -> float:
        # completion is linear in max(K, q), and E[max(K, q)] = q + Σ_{k ≥ q} P(K > k)
        q = self.qps
        return (q + self._tail_from(q)) / (q * max(1.0, self.flows / self.uplinks))

    def distribution(self) -> list[tuple[int, float]]:
        """(k, P(K = k)) wherever P(K = k) ≥ 1e-9."""
        out, previous = [], 0.0
        for k, p in self.cdf:
            if p - previous >= 1e-9:
                out.append((k, p - previous))
            previous = p
        return out

    def to_dict(self) -> dict:
        return {
            "flows": self.flows, "uplinks": self.uplinks, "qps": self.qps, "subflows": self.subflows,
            "idle_fraction": self.idle_fraction, "idle_links": self.idle_links,
            "perfect_balance_probability": self.perfect_balance,
            "fair_share": self.fair_share,
            "max_load": {"mean": self.expected_max, "p50": self.quantile(0.5), "p99": self.quantile(0.99),
                         "distribution": [[k, p] for k, p in self.distribution()]},
            "max_over_fair_share": self.expected_max / self.fair_share,
            "slowdown": {"mean": self.expected_slowdown, "p50": self.slowdown(self.quantile(0.5)),
                         "p99": self.slowdown(self.quantile(0.99))},
            "conventions": {
                "hash": "each subflow on a uniformly random uplink, independently (balls into bins)",
                "bandwidth": "a connection's NIC is as fast as one uplink; equal bytes per connection",
                "fairness": "max-min; the collective ends when its slowest flow does",
                "slowdown": "completion ÷ max(1, n/m)·B/C (perfect spread)",
            },
        }

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("subflows N = flows × qps", f"{self.subflows:,}"),
            ("idle uplinks (expected)", f"{self.idle_links:.3g} of {self.uplinks} ({self.idle_fraction:.1%})"),
            ("P(perfect balance)", f"{self.perfect_balance:.4g}"),
            ("fair share N/m", f"{self.fair_share:.4g}"),
            ("busiest uplink E[K]", f"{self.expected_max:.4g} subflows"),
            ("busiest uplink p50 / p99", f"{self.quantile(0.5)} / {self.quantile(0.99)}"),
            ("E[K] ÷ fair share", f"{self.expected_max / self.fair_share:.3f}"),
            ("slowdown mean", f"{self.expected_slowdown:.3f}×"),
            ("slowdown p99", f"{self.slowdown(self.quantile(0.99)):.3f}×"),
        ]

    def explain(self) -> str:
        n, m, q, big = self.flows, self.uplinks, self.qps, self.subflows
        lines = [
            f"N = n·q = {n}·{q} = {big:,} subflows on m = {m} uplinks",
            f"idle: m(1 − 1/m)^N = {m}·(1 − 1/{m})^{big} = {self.idle_links:.4g} ({self.idle_fraction:.2%})",
            f"P(K ≤ ⌈N/m⌉ = {-(-big // m)}) = {self.perfect_balance:.4g}"
            + ("  (= m!/((m−N)!·m^N), no two share)" if big <= m else ""),
            f"E[K] = Σ_k P(K > k) = {self.expected_max:.4g}; fair share N/m = {self.fair_share:.4g}",
            f"slowdown = E(max(K, q)) / (q·max(1, n/m)) = {self.expected_slowdown:.4g}",
            "source: Mitzenmacher & Upfal 2005, §5.2 (balls into bins), §5.4 (Poisson approximation, exact when conditioned)",
        ]
        return "\n".join(lines)


def ecmp_bins(flows: int, uplinks: int, qps: int = 1) -> EcmpBins:
    """Exact ECMP statistics for ``flows`` connections of ``qps`` subflows each on ``uplinks`` links.

    Raises:
        InvalidValue: flows, uplinks or qps not a positive integer, or past the caps.
    """
    for name, value in (("--flows", flows), ("--qps", qps)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidValue(name, value, "a positive integer")
    big = flows * qps
    if big > MAX_SUBFLOWS or (uplinks > 1 and big > MAX_PER_UPLINK * uplinks):
        cap = MAX_SUBFLOWS if not isinstance(uplinks, int) or uplinks < 1 else min(MAX_SUBFLOWS, MAX_PER_UPLINK * uplinks)
        raise InvalidValue("--flows", flows, f"flows × qps ≤ {cap} (qps = {qps}; at most {MAX_SUBFLOWS} subflows and "
                           f"{MAX_PER_UPLINK} per uplink on average)")
    _check(big, uplinks)
    k0 = -(-big // uplinks)  # the busiest uplink holds at least ⌈N/m⌉
    cdf = [(k0 - 1, 0.0)]
    for k in range(k0, big + 1):
        bound = _union_bound(big, uplinks, k)
        if bound < _TAIL:  # P(K > k) ≤ bound: the rest of the sum is negligible
            cdf.append((k, 1.0))
            break
        cdf.append((k, max(max_load_cdf(big, uplinks, k), 1.0 - bound)))
    return EcmpBins(flows, uplinks, qps, tuple(cdf))
