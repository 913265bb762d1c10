"""Run configurations validate on construction and name the CLI option at fault."""

import pytest

from infraprep.errors import InvalidValue, UnknownName
from infraprep.labs.trainer.config import ModelShape, TrainConfig


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tp": 3}, r"--tp=3 .*divisor of heads=4"),
        ({"pp": 3}, r"--pp=3 .*divisor of layers=4"),
        ({"zero": 2}, r"--zero=2 .*0, 1 or 3"),
        ({"zero": 1}, r"--zero=1 .*--dp=1"),
        ({"sp": True}, r"--sp=True .*--tp > 1"),
        ({"dp": 0}, r"--dp=0 .*positive integer"),
        ({"micro_batches": -1}, r"--micro-batches=-1"),
        ({"lr": 0.0}, r"--lr=0.0"),
        ({"tp": 2, "sp": True, "model": ModelShape(seq=15)}, r"--seq=15 .*multiple of tp=2"),
    ],
)
def test_invalid_values_name_the_option(kwargs, message):
    with pytest.raises(InvalidValue, match=message):
        TrainConfig(**kwargs)


def test_unknown_schedule_lists_the_valid_ones():
    with pytest.raises(UnknownName, match="gpipe, 1f1b"):
        TrainConfig(pp=2, schedule="zigzag")


def test_model_shape_needs_heads_dividing_hidden():
    with pytest.raises(InvalidValue, match="--heads=5 .*divisor of hidden=64"):
        ModelShape(heads=5)


def test_batch_arithmetic():
    c = TrainConfig(dp=2, tp=2, pp=2, micro_batches=4, micro_batch_size=3, sp=True, model=ModelShape(seq=16))
    assert (c.world, c.global_batch, c.layers_per_stage, c.local_seq) == (8, 24, 2, 8)
    assert c.describe() == "dp=2 × tp=2 × pp=2 (SP, 1f1b)"
