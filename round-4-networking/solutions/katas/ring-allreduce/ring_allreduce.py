"""Ring all-reduce (reduce-scatter + all-gather) from point-to-point sends (Patarasuk and Yuan 2009)."""

import torch
import torch.distributed as dist


def _exchange(send, recv_into, right, left):
    """Send ``send`` to the right neighbour while receiving from the left (skipping empty chunks)."""
    request = dist.isend(send, right) if send.numel() else None
    if recv_into.numel():
        dist.recv(recv_into, left)
    if request is not None:
        request.wait()


def ring_allreduce(tensor):
    rank, world = dist.get_rank(), dist.get_world_size()
    if world == 1:
        return tensor
    chunks = list(torch.tensor_split(tensor.view(-1), world))
    right, left = (rank + 1) % world, (rank - 1) % world
    # KATA-BEGIN: reduce-scatter then all-gather, n - 1 steps each, around the ring
    for step in range(world - 1):
        send, recv = (rank - step) % world, (rank - step - 1) % world
        buffer = torch.empty_like(chunks[recv])
        _exchange(chunks[send], buffer, right, left)
        chunks[recv] += buffer
    for step in range(world - 1):
        send, recv = (rank + 1 - step) % world, (rank - step) % world
        buffer = torch.empty_like(chunks[recv])
        _exchange(chunks[send], buffer, right, left)
        chunks[recv].copy_(buffer)
    # KATA-END
    return tensor
