"""The trainer's front door: run a configuration (spawned locally or inside torchrun) and measure it."""

from __future__ import annotations

import time

from infraprep.labs.trainer.config import TrainConfig
from infraprep.labs.trainer.launch import StepCallback, in_torchrun, run_local, run_torchrun
from infraprep.labs.trainer.result import TrainResult

__all__ = ["MAX_LOCAL_RANKS", "train"]

MAX_LOCAL_RANKS = 32  # spawned on one machine; a torchrun job may be any size


def train(config: TrainConfig, on_step: StepCallback | None = None, check: bool = True) -> TrainResult | None:
    """Train ``config`` and return the assembled result (None on torchrun ranks other than 0).

    ``check``: also train the single-process baseline and attach the parity numbers.
    """
    t0 = time.perf_counter()
    if in_torchrun():
        reports = run_torchrun(config, on_step, keep_params=check)
        if reports is None:
            return None
    else:
        if config.world > MAX_LOCAL_RANKS:
            from infraprep.errors import InvalidValue

            raise InvalidValue("--dp × --tp × --pp", config.world,
                               f"at most {MAX_LOCAL_RANKS} ranks spawned on one machine (run under torchrun for more)")
        (reports,) = run_local([config], on_step=on_step, keep_params=check)
    result = TrainResult.from_reports(config, reports, time.perf_counter() - t0)
    if check:
        from infraprep.labs.trainer.parity import compare

        result.parity = compare(config, result.losses, result.params)
    return result
