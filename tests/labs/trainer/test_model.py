"""A stage's forward pass on one rank computes the baseline's loss (the model is the same model)."""

import pytest

from infraprep.labs.trainer.config import ModelShape, TrainConfig
from infraprep.labs.trainer.data import global_batch, micro_batch
from infraprep.labs.trainer.layout import Group
from infraprep.labs.trainer.meter import CommMeter
from infraprep.labs.trainer.model import ResidentParams, StageModel, stage_units
from infraprep.labs.trainer.params import init_full_params
from infraprep.labs.trainer.reference import reference_loss
from infraprep.labs.trainer.tp import TPComm


def test_units_in_forward_order():
    c = TrainConfig(pp=2)
    assert list(stage_units(c, 0)) == ["pre", "layers.0", "layers.1"]
    assert list(stage_units(c, 1)) == ["layers.2", "layers.3", "post"]


@pytest.mark.parametrize("micro_batch_size", [1, 3])
def test_forward_loss_equals_the_reference(micro_batch_size):
    c = TrainConfig(model=ModelShape(layers=2, hidden=32, heads=4, vocab=40, seq=8), micro_batches=1,
                    micro_batch_size=micro_batch_size)
    w = init_full_params(c.model, c.seed)
    one = Group("tp", None, [0], 0)
    model = StageModel(c, 0, TPComm(CommMeter(), one), ResidentParams(w))
    tokens = global_batch(c, 0)
    inputs, targets = micro_batch(tokens, c, 0, 0)
    # the stage returns Σ cross-entropy / tokens of the global batch; with m = dp = 1 that is the mean
    assert model.forward(inputs, targets).item() == pytest.approx(reference_loss(w, tokens, c).item(), abs=1e-6)
