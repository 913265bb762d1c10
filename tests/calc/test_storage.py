"""Checkpoint size, I/O times, data-loader bandwidth and file-system sizing (calc/storage.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.model import count_params, get_model
from infraprep.calc.result import CalcResult
from infraprep.calc.storage import StorageInputs, storage_plan
from infraprep.errors import InvalidValue


def test_seventy_billion_checkpoint_by_hand():
    # 70e9 params · (2 B bf16 weights + 12 B Adam states) = 980 GB; at 100 GB/s, 9.8 s.
    plan = storage_plan(StorageInputs(70e9, write_bandwidth=100e9, read_bandwidth=200e9))
    assert isinstance(plan, CalcResult)
    assert plan.checkpoint_bytes == 980e9
    assert plan.write_time == pytest.approx(9.8)
    assert plan.read_time == pytest.approx(4.9)
    assert "70 B·(2 + 12 + 0) B = 980 GB" in plan.explain()


def test_preset_parameter_count_feeds_the_size():
    params = count_params(get_model("llama3-8b")).total  # 8,030,261,248 (Llama 3 herd Table 3 shape)
    plan = storage_plan(StorageInputs(params, weight_bytes=2, optimizer_bytes=12, grad_bytes=2))
    assert plan.checkpoint_bytes == 8_030_261_248 * 16


def test_loader_and_file_system_sizing():
    # 1M tokens/s at 4 B = 4 MB/s; writing 980 GB in 30 s needs 32.67 GB/s -> 2 servers of 20 GB/s;
    # keeping 5 checkpoints (4.9 TB) on 1 TB servers needs 5: capacity wins.
    plan = storage_plan(StorageInputs(70e9, tokens_per_second=1e6, target_write_time=30, server_bandwidth=20e9,
                                      server_capacity=1e12, checkpoints_kept=5))
    assert plan.loader_bandwidth == 4e6
    assert plan.required_write_bandwidth == pytest.approx(980e9 / 30)
    assert (plan.servers_for_bandwidth, plan.servers_for_capacity, plan.servers) == (2, 5, 5)
    assert plan.write_time == pytest.approx(980e9 / (5 * 20e9))  # at the sized file system


def test_loader_alone_can_drive_the_server_count():
    plan = storage_plan(StorageInputs(1e9, tokens_per_second=1e10, bytes_per_token=4, server_bandwidth=10e9))
    assert plan.servers == 4


@given(st.floats(1e6, 1e13), st.floats(1e9, 1e13), st.floats(1.0, 1e4))
def test_servers_always_meet_the_target(params, server_bw, target):
    plan = storage_plan(StorageInputs(params, target_write_time=target, server_bandwidth=server_bw))
    assert plan.servers * server_bw >= plan.required_write_bandwidth * (1 - 1e-9)
    assert (plan.servers - 1) * server_bw < plan.required_write_bandwidth


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(params=0), "--params=0"),
        (dict(params=1e9, weight_bytes=-2), "--weight-bytes=-2"),
        (dict(params=1e9, write_bandwidth=0), "--write-bw=0"),
        (dict(params=1e9, checkpoints_kept=0), "--keep=0"),
        (dict(params=1e9, server_bandwidth=1e9), "--target-write-time and/or --tokens-per-sec"),
        (dict(params=1e9, server_capacity=1e12), "together with --server-bw"),
        (dict(params=float("nan")), "--params=nan"),
    ],
)
def test_bad_input_names_the_value(kwargs, match):
    with pytest.raises(InvalidValue, match=match):
        StorageInputs(**kwargs)
