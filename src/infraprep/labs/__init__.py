"""Labs: real implementations on real engines (torch.distributed, g++ + TSAN, numba CUDA simulator, Triton)."""
