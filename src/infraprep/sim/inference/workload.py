"""Workloads for the replica simulator: arrivals, prompt/output lengths and multi-turn sessions.

Conventions (parameters with defaults, all seeded through one ``numpy.random.Generator``):

* arrivals: ``poisson`` (exponential gaps at ``rate``), ``bursty`` (gamma gaps with the same mean and a
  squared coefficient of variation ``burstiness`` > 1, so requests clump), or ``burst`` (all at t=0 —
  the offline/throughput setting);
* lengths: ``fixed``, ``uniform`` on [1, 2·mean] or ``chat`` — lognormal with medians ``prompt_len`` /
  ``output_len`` and log-σ 1.0 / 0.8, a long right tail like conversational traces (our choice of
  shape, not a fit to a dataset); all clipped so prompt + output ≤ ``max_len``;
* sessions: with ``turns`` > 1 each session is a conversation whose turn k's prompt is the whole
  history (system prompt, earlier user messages and answers) plus a new user message; turn k+1
  arrives an exponential ``think_time`` after turn k finishes (closed loop), so earlier turns' KV is
  a reusable prefix. ``rate`` then counts sessions per second. A ``system_prompt`` of that many
  tokens is shared by every request.

Token ids are never materialised: block ``j`` of a request is identified by ``("sys", j)`` inside the
shared system prompt and by ``(session, j)`` elsewhere — a session's history only grows, so equal
identities mean equal tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.errors import InvalidValue
from infraprep.sim.serving.sequence import Sequence

__all__ = ["SessionSpec", "SimRequest", "WorkloadConfig", "generate_sessions"]

ARRIVALS = ("poisson", "bursty", "burst")
LENGTHS = ("chat", "fixed", "uniform")


@dataclass(frozen=True)
class WorkloadConfig:
    """What arrives. ``requests`` counts requests (turns included); ``rate`` is per second."""

    requests: int = 1000
    rate: float = 10.0
    arrival: str = "poisson"
    burstiness: float = 4.0
    lengths: str = "chat"
    prompt_len: int = 256
    output_len: int = 128
    max_len: int = 4096
    turns: int = 1
    think_time: float = 5.0
    system_prompt: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.requests <= 10_000_000:
            raise InvalidValue("--requests", self.requests, "an integer from 1 to 10,000,000")
        if not (self.rate > 0 and self.rate < 1e9):
            raise InvalidValue("--rate", self.rate, "requests per second > 0")
        if self.arrival not in ARRIVALS:
            raise InvalidValue("--arrival", self.arrival, f"one of {', '.join(ARRIVALS)}")
        if not (1 < self.burstiness < 1e6) and self.arrival == "bursty":
            raise InvalidValue("--burstiness", self.burstiness, "a squared coefficient of variation > 1")
        if self.lengths not in LENGTHS:
            raise InvalidValue("--lengths", self.lengths, f"one of {', '.join(LENGTHS)}")
        for name, value in (("--prompt-len", self.prompt_len), ("--output-len", self.output_len)):
            if not 1 <= value < self.max_len:
                raise InvalidValue(name, value, f"from 1 to below --max-model-len={self.max_len}")
        if not 1 <= self.turns <= 1000:
            raise InvalidValue("--turns", self.turns, "from 1 to 1000")
        if not 0 <= self.think_time < 1e9:
            raise InvalidValue("--think-time", self.think_time, "seconds ≥ 0")
        if not 0 <= self.system_prompt < self.max_len // 2:
            raise InvalidValue("--system-prompt", self.system_prompt, f"tokens from 0 to {self.max_len // 2 - 1}")


@dataclass(frozen=True)
class SessionSpec:
    """One conversation: its first arrival, and per turn the user message, output and think time."""

    session: int
    arrival: float
    user: tuple[int, ...]
    output: tuple[int, ...]
    think: tuple[float, ...]

    def prompt_len(self, turn: int, system_prompt: int) -> int:
        return system_prompt + sum(self.user[: turn + 1]) + sum(self.output[:turn])


class SimRequest(Sequence):
    """One turn of a session as the scheduler sees it, plus the times the metrics need."""

    def __init__(self, seq_id: int, spec: SessionSpec, turn: int, arrival: float, system_prompt: int,
                 block_size: int) -> None:
        super().__init__(seq_id, spec.prompt_len(turn, system_prompt), spec.output[turn], arrival)
        self.spec, self.turn, self.system_prompt, self.bs = spec, turn, system_prompt, block_size
        self.first_token: float | None = None
        self.last_token_time = 0.0
        self.finish: float | None = None
        self.origin: SimRequest | None = None  # the decode-stage request, for a prefill-stage copy

    def block_key(self, j: int) -> tuple:
        if (j + 1) * self.bs <= self.system_prompt:
            return ("sys", j)
        return (self.spec.session, j)


def _lengths(rng, kind: str, median: int, sigma: float, n: int):
    import numpy as np

    if kind == "fixed":
        return np.full(n, median, dtype=np.int64)
    if kind == "uniform":
        return rng.integers(1, 2 * median, size=n, endpoint=True)
    return np.maximum(1, np.rint(rng.lognormal(np.log(median), sigma, size=n))).astype(np.int64)


def generate_sessions(config: WorkloadConfig) -> list[SessionSpec]:
    """Sessions with their turns, seeded by ``config.seed`` (same seed, same workload)."""
    import numpy as np

    c = config
    rng = np.random.default_rng(c.seed)
    sessions = -(-c.requests // c.turns)
    if c.arrival == "burst":
        arrivals = np.zeros(sessions)
    elif c.arrival == "poisson":
        arrivals = np.cumsum(rng.exponential(1.0 / c.rate, size=sessions))
    else:  # gamma gaps: mean 1/rate, squared CV = burstiness
        shape = 1.0 / c.burstiness
        arrivals = np.cumsum(rng.gamma(shape, 1.0 / (c.rate * shape), size=sessions))
    users = _lengths(rng, c.lengths, c.prompt_len, 1.0, sessions * c.turns).reshape(sessions, c.turns)
    outputs = _lengths(rng, c.lengths, c.output_len, 0.8, sessions * c.turns).reshape(sessions, c.turns)
    thinks = rng.exponential(c.think_time, size=(sessions, c.turns)) if c.think_time else np.zeros((sessions, c.turns))
    users, outputs, thinks, arrivals = users.tolist(), outputs.tolist(), thinks.tolist(), arrivals.tolist()
    specs, left = [], c.requests
    for s in range(sessions):
        turns = min(c.turns, left)
        left -= turns
        user, out, history = [], [], c.system_prompt
        for k in range(turns):
            # clip: the turn's prompt (history + message) plus its output must fit max_len
            u = int(min(users[s][k], c.max_len - history - 1))
            if u < 1:
                break
            o = int(min(outputs[s][k], c.max_len - history - u))
            user.append(u)
            out.append(o)
            history += u + o
        specs.append(SessionSpec(s, float(arrivals[s]), tuple(user), tuple(out), tuple(thinks[s][: len(user)])))
    return specs
