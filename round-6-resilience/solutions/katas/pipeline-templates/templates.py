"""Oobleck-style pipeline instantiation from templates of n_min … 2·n_min − 1 nodes, and the batch split."""


def instantiate(nodes, n_min, f):
    """Pipeline sizes (largest first) covering ``nodes`` with templates; [] below n_min."""
    # KATA-BEGIN: fewest pipelines (at least f + 1 when possible), template sizes, as even as possible
    if n_min < 1 or nodes < 0 or f < 0:
        raise ValueError("need n_min ≥ 1, nodes ≥ 0 and f ≥ 0")
    if nodes < n_min:
        return []
    n_max = 2 * n_min - 1
    most = nodes // n_min  # more pipelines than this leaves one below n_min
    fewest = -(-nodes // n_max)  # fewer than this leaves one above n_max
    k = min(most, max(f + 1, fewest))
    base, extra = divmod(nodes, k)
    return [base + 1] * extra + [base] * (k - extra)
    # KATA-END


def split_batch(sizes, batch):
    """Micro-batches per pipeline ∝ size, summing to ``batch`` (largest remainder)."""
    # KATA-BEGIN: floor each proportional share, then hand out the leftover by largest remainder
    if batch < 1 or not sizes or any(s <= 0 for s in sizes):
        raise ValueError("need batch ≥ 1 and a non-empty list of positive sizes")
    total = sum(sizes)
    shares = [divmod(batch * s, total) for s in sizes]  # exact integer floor and remainder
    counts = [q for q, _ in shares]
    leftover = batch - sum(counts)
    order = sorted(range(len(sizes)), key=lambda i: (-shares[i][1], i))
    for i in order[:leftover]:
        counts[i] += 1
    return counts
    # KATA-END
