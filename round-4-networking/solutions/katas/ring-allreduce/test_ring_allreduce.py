import os
import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from ring_allreduce import ring_allreduce

WORLD = 3
SIZES = [1, 3, 4, 7, 64, 1000, 4097]


def rank_tensor(rank, size, dtype):
    g = torch.Generator().manual_seed(1000 * rank + size)
    if dtype.is_floating_point:
        return torch.randn(size, generator=g, dtype=dtype)
    return torch.randint(-1000, 1000, (size,), generator=g, dtype=dtype)


def worker(rank, port):
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=WORLD)
    try:
        for dtype in (torch.float32, torch.float64, torch.int64):
            for size in SIZES:
                got = rank_tensor(rank, size, dtype)
                ring_allreduce(got)
                want = sum(rank_tensor(r, size, dtype) for r in range(WORLD))
                if dtype.is_floating_point:
                    torch.testing.assert_close(got, want)
                else:
                    assert torch.equal(got, want), (dtype, size)
        matrix = torch.full((5, 3), float(rank + 1))
        ring_allreduce(matrix)  # any shape: reduced in place through a flat view
        assert torch.equal(matrix, torch.full((5, 3), 6.0))
    finally:
        dist.destroy_process_group()


def test_ring_allreduce_matches_the_exact_sum():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    mp.spawn(worker, args=(port,), nprocs=WORLD, join=True)
