"""labs/checkpoint/model.py: the job is deterministic, and resuming from its state is bit-exact."""

import io

import pytest

torch = pytest.importorskip("torch")

from infraprep.labs.checkpoint.model import Job, ModelConfig, params_digest  # noqa: E402


def test_same_seed_same_parameters_different_seed_different():
    a, b, c = Job(ModelConfig(seed=1)), Job(ModelConfig(seed=1)), Job(ModelConfig(seed=2))
    for _ in range(5):
        a.train_step(), b.train_step(), c.train_step()
    assert a.digest() == b.digest() != c.digest()
    assert a.step == 5


def test_resume_from_a_saved_state_is_bit_identical():
    straight = Job(ModelConfig(seed=3))
    for _ in range(20):
        straight.train_step()
    first = Job(ModelConfig(seed=3))
    for _ in range(8):
        first.train_step()
    buffer = io.BytesIO()
    torch.save(first.state(), buffer)
    resumed = Job(ModelConfig(seed=3))
    with torch.no_grad():  # scramble it: everything must come from the saved state
        for p in resumed.model.parameters():
            p.fill_(0.5)
    resumed.load(torch.load(io.BytesIO(buffer.getvalue()), weights_only=True))
    assert resumed.step == 8
    for _ in range(12):
        resumed.train_step()
    for key, value in straight.model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[key])
    assert straight.digest() == resumed.digest()


def test_digest_sees_a_single_bit():
    job = Job(ModelConfig())
    state = {k: v.clone() for k, v in job.model.state_dict().items()}
    before = params_digest(state)
    key = next(iter(state))
    state[key].view(-1).view(torch.int32)[0] ^= 1
    assert params_digest(state) != before
