"""Synthetic data: seeded, layout-independent, split over DP ranks and micro-batches exactly once."""

import torch

from infraprep.labs.trainer.config import TrainConfig
from infraprep.labs.trainer.data import global_batch, micro_batch


def test_same_seed_and_step_same_batch_else_different():
    c = TrainConfig(dp=2, micro_batches=3)
    assert torch.equal(global_batch(c, 5), global_batch(c, 5))
    assert not torch.equal(global_batch(c, 5), global_batch(c, 6))
    assert not torch.equal(global_batch(c, 5), global_batch(TrainConfig(dp=2, micro_batches=3, seed=1), 5))


def test_micro_batches_of_all_dp_ranks_tile_the_global_batch():
    c = TrainConfig(dp=3, micro_batches=2, micro_batch_size=2)
    tokens = global_batch(c, 0)
    assert tokens.shape == (12, c.model.seq + 1)
    inputs = torch.cat([micro_batch(tokens, c, r, i)[0] for r in range(3) for i in range(2)])
    targets = torch.cat([micro_batch(tokens, c, r, i)[1] for r in range(3) for i in range(2)])
    assert torch.equal(inputs, tokens[:, :-1]) and torch.equal(targets, tokens[:, 1:])


def test_sequences_are_progressions_modulo_the_vocabulary():
    c = TrainConfig()
    tokens = global_batch(c, 0)
    steps = (tokens[:, 1:] - tokens[:, :-1]) % c.model.vocab
    assert bool((steps == steps[:, :1]).all()) and set(steps[:, 0].tolist()) <= {1, 2, 3, 4}
