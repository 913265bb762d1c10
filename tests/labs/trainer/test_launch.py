"""Starting ranks: locally (the spawned runs of conftest.py) and as the ranks of a torchrun job."""

import json
import os
import signal
import socket
import subprocess
import sys

import pytest

from infraprep.labs.trainer.config import TrainConfig
from infraprep.labs.trainer.launch import in_torchrun, run_local


def test_a_configuration_larger_than_the_world_is_refused():
    with pytest.raises(ValueError, match="more than 2 ranks"):
        run_local([TrainConfig(dp=4)], world=2)


def test_torchrun_environment_is_detected(monkeypatch):
    for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(k, raising=False)
    assert not in_torchrun()
    for k, v in {"RANK": "0", "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "1"}.items():
        monkeypatch.setenv(k, v)
    assert in_torchrun()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _torchrun(nproc: int, args: list[str], env_extra: dict) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", **env_extra}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(nproc),
           "--master-addr", "127.0.0.1", "--master-port", str(_free_port()),
           "-m", "infraprep", "lab", "train", *args, "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # torchrun and its ranks: the session we started
        out, err = proc.communicate()
        pytest.fail(f"torchrun did not finish in 300 s: {err[-2000:]}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _check(run: subprocess.CompletedProcess) -> dict:
    assert run.returncode == 0, run.stderr[-3000:]
    data = json.loads(run.stdout)  # only rank 0 printed: one JSON document
    for row in data["comparison"]["comm"]:
        assert row["measured_elements"] == row["predicted_elements"], row
    assert data["parity"]["drift"] < 1e-4
    return data


@pytest.mark.slow
def test_inside_torchrun_on_cpu_with_gloo():
    """The CPU twin of the GPU test: the same entry point as ranks of a torchrun job."""
    data = _check(_torchrun(2, ["--dp", "1", "--tp", "2", "--pp", "1", "--sp", "--steps", "2"], {"CUDA_VISIBLE_DEVICES": ""}))
    assert {r["rank"] for r in data["ranks"]} == {0, 1}


@pytest.mark.gpu
def test_inside_torchrun_on_gpus_with_nccl():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available() or torch.cuda.device_count() < 2:
        pytest.skip("needs 2 CUDA GPUs")
    _check(_torchrun(2, ["--dp", "2", "--tp", "1", "--pp", "1", "--zero", "1", "--steps", "2"], {}))
