"""Pipeline bubbles and memory factors: the closed forms for GPipe, 1F1B, interleaved 1F1B, ZB1P,
DualPipe and DualPipeV.

Conventions (each one a parameter with a default):

* ``f``, ``b``, ``w`` are per *pipeline stage* (``1/pp`` of the model) per microbatch: ``f`` the forward,
  ``b`` the **full** backward (input and weight gradients), ``w`` the weight-gradient part of ``b``
  (so the input-gradient pass takes ``b − w``); ``fb`` is DualPipe's ``F&B``, the time of one forward
  chunk overlapped with one backward chunk, between ``max(f, b)`` (perfect overlap) and ``f + b``
  (none, the default). This is DeepSeek-V3 Table 2's notation. Times are in seconds, or in any unit
  you like (``--f 1 --b 2`` gives the bubble in units of F).
* Interleaved 1F1B splits each device's stage into ``chunks`` (v) model chunks of ``f/v``, ``b/v``
  (Narayanan et al. 2021 §2.2.2: t_f, t_b are per device, the bubble shrinks by v).
* DualPipeV runs ``pp`` stages on ``pp/2`` devices (two stages each, one V); every other schedule
  runs one stage per device (DualPipe: two stage *copies* per device, one per direction).
* ``denominator`` — which time the bubble fraction is taken of:

  - ``ideal`` (default): the device's compute without a pipeline, ``m·(f + b)`` per stage it
    holds; 1F1B gives ``(p − 1)/m``, Narayanan et al. 2021 §2.2.1's "bubble time fraction";
  - ``total``: the whole step, ``ideal + bubble``; 1F1B gives ``(p − 1)/(m + p − 1)``, GPipe's
    ``O((K − 1)/(M + K − 1))`` (Huang et al. 2019 §2.3). With DualPipe's overlap (``fb < f + b``)
    the step is shorter than ideal + bubble; the fraction still uses ``m·(f + b)``.

* Memory factors follow DeepSeek-V3 Table 2: ``param_memory_factor`` is parameter memory per device
  relative to one stage's parameters; ``activation_memory_microbatches`` is the peak activation
  memory per device in units of one microbatch's activations on one stage.

Where a closed form is exact: :func:`closed_form_exact` states the conditions, found by building
every schedule's real timeline (:mod:`infraprep.sim.schedule`) and checked by
``tests/sim/test_schedule.py``. GPipe, 1F1B and interleaved 1F1B are exact for every input. ZB1P
and DualPipe/DualPipeV assume that a deferred W fits in the gap it fills (``w ≤ f`` and
``w ≤ b − w``; the Zero Bubble paper's analysis takes ``T_F = T_B = T_W``, Qi et al. 2023 §2), and
DualPipe's is exact only when a forward and an input-gradient chunk take the same time (``f = b − w``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from infraprep.calc.units import format_seconds
from infraprep.errors import InvalidValue, UnknownName

__all__ = [
    "DENOMINATORS",
    "SCHEDULES",
    "BubbleResult",
    "PipelineConfig",
    "StageTimes",
    "bubble",
    "closed_form_exact",
]

SCHEDULES = ("gpipe", "1f1b", "interleaved", "zb1p", "dualpipe", "dualpipev")
DENOMINATORS = ("ideal", "total")

_SOURCES = {
    "gpipe": "Huang et al. 2019 (GPipe) §2.3; Narayanan et al. 2021 (Megatron-LM) §2.2.1",
    "1f1b": "Narayanan et al. 2021 (Megatron-LM) §2.2.1; DeepSeek-V3 report Table 2",
    "interleaved": "Narayanan et al. 2021 (Megatron-LM) §2.2.2; activations: Korthikanti et al. 2022 §4.2.3",
    "zb1p": "Qi et al. 2023 (Zero Bubble PP) §2.1, ZB-H1; DeepSeek-V3 report Table 2",
    "dualpipe": "DeepSeek-V3 report §3.2.1 and Table 2",
    "dualpipev": "DualPipe repository README (DualPipeV, Sea AI Lab's cut-in-half)",
}


def _finite(name: str, value: float, valid: str, low: float, strict: bool) -> None:
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value < low or (strict and value == low):
        raise InvalidValue(name, value, valid)


@dataclass(frozen=True)
class StageTimes:
    """Per-stage, per-microbatch pass times (see the module docstring for the convention)."""

    f: float = 1.0
    b: float = 2.0
    w: float | None = None  # default: b/2 (input and weight gradients cost the same, Qi et al. 2023 §2)
    fb: float | None = None  # default: f + b (no overlap)

    def __post_init__(self) -> None:
        _finite("--f", self.f, "a forward time > 0", 0.0, True)
        _finite("--b", self.b, "a full-backward time > 0", 0.0, True)
        if self.w is None:
            object.__setattr__(self, "w", self.b / 2)
        _finite("--w", self.w, f"a weight-gradient time between 0 and --b={self.b:g}", 0.0, False)
        if self.w > self.b:
            raise InvalidValue("--w", self.w, f"at most --b={self.b:g} (W is part of the full backward)")
        if self.fb is not None:
            low, high = max(self.f, self.b), self.f + self.b
            _finite("--fb", self.fb, f"an overlapped F&B time between {low:g} and {high:g}", 0.0, True)
            if not low - 1e-12 <= self.fb <= high + 1e-12:
                raise InvalidValue("--fb", self.fb, f"between max(f, b)={low:g} (full overlap) and f+b={high:g} (none)")

    @property
    def fb_time(self) -> float:
        return self.f + self.b if self.fb is None else self.fb

    @property
    def b_input(self) -> float:
        """The input-gradient pass, ``b − w`` (Zero Bubble's B)."""
        return self.b - self.w


@dataclass(frozen=True)
class PipelineConfig:
    """A pipeline schedule to evaluate: which one, its size, and its pass times."""

    schedule: str
    pp: int
    microbatches: int
    chunks: int = 1
    times: StageTimes = field(default_factory=StageTimes)
    denominator: str = "ideal"

    def __post_init__(self) -> None:
        if self.schedule not in SCHEDULES:
            raise UnknownName("schedule", self.schedule, SCHEDULES)
        if self.denominator not in DENOMINATORS:
            raise UnknownName("denominator", self.denominator, DENOMINATORS)
        p, m, v = self.pp, self.microbatches, self.chunks
        if not isinstance(p, int) or p < 1:
            raise InvalidValue("--pp", p, "a positive integer (pipeline stages)")
        if not isinstance(m, int) or m < 1:
            raise InvalidValue("--microbatches", m, "a positive integer")
        if not isinstance(v, int) or v < 1:
            raise InvalidValue("--chunks", v, "a positive integer")
        if self.schedule == "interleaved":
            if v < 2:
                raise InvalidValue("--chunks", v, "at least 2 model chunks per device for the interleaved schedule")
            if m % p:
                raise InvalidValue("--microbatches", m, f"a multiple of --pp={p} for the interleaved schedule "
                                   "(Narayanan et al. 2021 §2.2.2)")
        elif v != 1:
            raise InvalidValue("--chunks", v, f"1 for {self.schedule} (only the interleaved schedule has model chunks)")
        if self.schedule in ("dualpipe", "dualpipev") and p % 2:
            raise InvalidValue("--pp", p, f"an even number of stages for {self.schedule}")
        if self.schedule == "dualpipe" and (m % 2 or m < 2 * p):
            raise InvalidValue("--microbatches", m, f"an even number ≥ 2·pp={2 * p} for dualpipe (half enter "
                               "from each end)")
        if self.schedule == "dualpipev" and m < p:
            raise InvalidValue("--microbatches", m, f"at least pp={p} for dualpipev")

    @property
    def devices(self) -> int:
        """Devices the schedule runs on: ``pp``, or ``pp/2`` for DualPipeV."""
        return self.pp // 2 if self.schedule == "dualpipev" else self.pp

    @property
    def stages_per_device(self) -> int:
        """Stages whose work one device does per microbatch (DualPipeV: both arms of its V)."""
        return 2 if self.schedule == "dualpipev" else 1

    @property
    def ideal_time(self) -> float:
        """A device's compute with no pipeline: ``m · (f + b)`` per stage it runs."""
        return self.microbatches * (self.times.f + self.times.b) * self.stages_per_device

    def fraction(self, bubble_time: float) -> float:
        """``bubble_time`` as a fraction of the chosen denominator (see the module docstring)."""
        base = self.ideal_time if self.denominator == "ideal" else self.ideal_time + bubble_time
        return bubble_time / base


def closed_form_exact(c: PipelineConfig) -> tuple[bool, str]:
    """Whether the schedule's closed form equals its real timeline's bubble for ``c``, and why not.

    The conditions are sufficient, not necessary (a coincidence elsewhere is not reported).

    * GPipe, 1F1B, interleaved: always (one critical chain of ``p − 1`` hops fills and drains).
    * ZB1P: when ``w = 0`` (it is then 1F1B), or ``m ≥ p`` and ``w ≤ min(f, b − w)``. Otherwise a
      deferred W does not fit the gap it is meant to fill (or, with ``m < p``, there are too few of
      them) and the real bubble is larger: ``(p − 1)(f + b' − min(w, f, b'))`` with ``b' = b − w``
      when ``m ≥ p``.
    * DualPipe/DualPipeV: when ``pp = 2``, or ``w ≤ f`` and ``f = b − w``. With ``w ≤ min(f, b')`` and
      ``f ≠ b'`` the table's form, which prices each of the ``pp/2 − 1`` fill hops with ``b'``, is
      off: the real bubble is the closed form plus ``(pp/2 − 1)(f − b')`` when ``f > b'`` (a hop waits
      for the slower forward), and minus ``min((pp/2 − 1)(b' − f), f)`` when ``f < b'``. With a
      larger ``w`` the form leaves its domain (it can turn negative) and no relation is claimed.

    These relations were measured with :mod:`infraprep.sim.schedule` and are asserted by
    ``tests/sim/test_schedule.py``.
    """
    t, p, m = c.times, c.pp, c.microbatches
    fits = t.w <= t.f + 1e-12 and t.w <= t.b_input + 1e-12
    if c.schedule == "zb1p" and t.w > 0 and p > 1:  # w = 0 is 1F1B; p = 1 has no bubble
        if m < p:
            return False, f"m={m} < p={p}: too few deferred W passes to fill the drain"
        if not fits:
            return False, f"W={t.w:g} exceeds min(F, B−W)={min(t.f, t.b_input):g}: a deferred W overflows its gap"
    if c.schedule in ("dualpipe", "dualpipev") and p > 2:  # pp = 2: no fill hop, no bubble
        if not fits:
            return False, f"W={t.w:g} exceeds min(F, B−W)={min(t.f, t.b_input):g}: a deferred W overflows its gap"
        if abs(t.f - t.b_input) > 1e-12:
            return False, (f"F={t.f:g} ≠ B−W={t.b_input:g}: the table prices each fill hop as if F = B−W")
    return True, ""


@dataclass(frozen=True)
class BubbleResult:
    """The closed-form bubble and memory factors of one :class:`PipelineConfig`."""

    config: PipelineConfig
    bubble_time: float
    formula: str  # the closed form with the numbers substituted
    param_memory_factor: float
    activation_memory_microbatches: float
    activation_formula: str
    exact: bool
    inexact_reason: str

    @property
    def bubble_fraction(self) -> float:
        return self.config.fraction(self.bubble_time)

    def to_dict(self) -> dict:
        c, t = self.config, self.config.times
        return {
            "schedule": c.schedule,
            "pp": c.pp,
            "microbatches": c.microbatches,
            "chunks": c.chunks,
            "devices": c.devices,
            "times": {"f": t.f, "b": t.b, "w": t.w, "fb": t.fb_time},
            "bubble_time": self.bubble_time,
            "bubble_fraction": self.bubble_fraction,
            "ideal_time": c.ideal_time,
            "param_memory_factor": self.param_memory_factor,
            "activation_memory_microbatches": self.activation_memory_microbatches,
            "closed_form": self.formula,
            "closed_form_exact": self.exact,
            "closed_form_note": self.inexact_reason or None,
            "source": _SOURCES[c.schedule],
            "conventions": {
                "denominator": c.denominator,
                "times": "per pipeline stage (1/pp of the model) per microbatch; b = full backward, "
                         "w = its weight-gradient part, fb = overlapped F&B",
                "param_memory_factor": "parameter memory per device, in stages' worth",
                "activation_memory": "peak per device, in one microbatch's activations on one stage",
            },
        }

    def rows(self) -> list[tuple[str, str]]:
        c = self.config
        return [
            ("schedule", f"{c.schedule} (pp={c.pp}, m={c.microbatches}" + (f", v={c.chunks})" if c.chunks > 1 else ")")),
            ("devices", str(c.devices)),
            ("bubble time", _time(self.bubble_time)),
            (f"bubble fraction (of {'ideal compute' if c.denominator == 'ideal' else 'total step'})",
             f"{self.bubble_fraction:.2%}"),
            ("parameter memory", f"{self.param_memory_factor:g}× a stage"),
            ("activation memory", f"{self.activation_memory_microbatches:g} microbatch-stages"),
        ]

    def explain(self) -> str:
        c = self.config
        lines = [f"bubble = {self.formula}"]
        base = "ideal" if c.denominator == "ideal" else "ideal + bubble"
        lines.append(f"ideal = m·(F+B){'·2 (two stages per device)' if c.stages_per_device == 2 else ''} = "
                     f"{_time(c.ideal_time)}; fraction = bubble / ({base}) = {self.bubble_fraction:.4f}")
        lines.append(f"parameters: {self.param_memory_factor:g}×; activations: {self.activation_formula}")
        if not self.exact:
            lines.append(f"note: the closed form is not exact here — {self.inexact_reason}")
        lines.append(f"source: {_SOURCES[c.schedule]}")
        return "\n".join(lines)


def _time(x: float) -> str:
    return f"{x:.6g}" if x == 0 or abs(x) >= 1 else format_seconds(x)


def bubble(c: PipelineConfig) -> BubbleResult:
    """The closed-form bubble and memory factors (DeepSeek-V3 Table 2 and the sources per schedule).

    ========== ================================ ============ ==============================
    schedule   bubble (time)                    parameters   activations (microbatch-stages)
    ========== ================================ ============ ==============================
    gpipe      (p−1)(F+B)                       1×           m
    1f1b       (p−1)(F+B)                       1×           min(p, m)
    interleaved (p−1)(F+B)/v                    1×           p + (p−1)/v  (p when m = p)
    zb1p       (p−1)(F+B−2W)                    1×           min(p, m)
    dualpipe   (p/2−1)(F&B+B−3W)                2×           p + 1
    dualpipev  (p/2−1)(F&B+B−3W), p/2 devices   2×           p + 1
    ========== ================================ ============ ==============================
    """
    p, m, v = c.pp, c.microbatches, c.chunks
    t = c.times
    f, b, w, fb = t.f, t.b, t.w, t.fb_time
    s = c.schedule
    if s in ("gpipe", "1f1b"):
        time, formula = (p - 1) * (f + b), f"(p−1)(F+B) = ({p}−1)({f:g}+{b:g})"
    elif s == "interleaved":
        time, formula = (p - 1) * (f + b) / v, f"(p−1)(F+B)/v = ({p}−1)({f:g}+{b:g})/{v}"
    elif s == "zb1p":
        time, formula = (p - 1) * (f + b - 2 * w), f"(p−1)(F+B−2W) = ({p}−1)({f:g}+{b:g}−2·{w:g})"
    else:
        time, formula = (p / 2 - 1) * (fb + b - 3 * w), f"(p/2−1)(F&B+B−3W) = ({p}/2−1)({fb:g}+{b:g}−3·{w:g})"
    formula += f" = {time:.6g}"
    if s == "gpipe":
        activations, act_text = float(m), f"m = {m} (every forward before any backward)"
    elif s in ("1f1b", "zb1p"):
        activations, act_text = float(min(p, m)), f"min(p, m) = {min(p, m)}"
    elif s == "interleaved":
        activations = float(p) if m == p else p + (p - 1) / v
        act_text = (f"p = {p} (m = p: all forwards first)" if m == p
                    else f"p + (p−1)/v = {p} + {p - 1}/{v} = {activations:g}")
    else:
        activations, act_text = float(p + 1), f"p + 1 = {p + 1}"
    exact, reason = closed_form_exact(c)
    return BubbleResult(c, time, formula, 2.0 if s in ("dualpipe", "dualpipev") else 1.0, activations, act_text,
                        exact, reason)
