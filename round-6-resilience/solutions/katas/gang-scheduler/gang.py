"""All-or-nothing (gang) placement of pod groups, Volcano PodGroup minMember semantics."""


def schedule(free, groups):
    placements = {}
    for name, pods, gpus_per_pod, min_member in groups:
        # KATA-BEGIN: plan on a copy first-fit; commit only if at least min_member pods fit
        scratch = dict(free)
        bound = []
        for _ in range(pods):
            node = next((n for n, gpus in scratch.items() if gpus >= gpus_per_pod), None)
            if node is None:
                break
            scratch[node] -= gpus_per_pod
            bound.append(node)
        if len(bound) >= min_member:
            free.update(scratch)
            placements[name] = bound
        else:
            placements[name] = []
        # KATA-END
    return placements
