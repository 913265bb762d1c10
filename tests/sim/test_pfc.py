"""sim/pfc: dependency counts against hand-derived formulas, up-down is cycle-free, failures close a
cycle that each mitigation opens, and the pause simulation freezes on it."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.errors import InvalidValue
from infraprep.sim.pfc import Clos, PfcConfig, analyze
from infraprep.sim.pfc.bdg import dependency_edges, find_cycle
from infraprep.sim.pfc.pause import route_through, run_pause
from infraprep.sim.pfc.routing import Router, enumerate_turns


def healthy_dependencies(P, T, A, C):
    # Turns of up-down routes, counted by hand: ToR→agg→core (P·T·C), core→agg→ToR (P·T·C),
    # agg(q)→core→agg(p) (C·P·(P−1)), ToR→agg→ToR inside a pod (P·A·T·(T−1)).
    return 2 * P * T * C + C * P * (P - 1) + P * A * T * (T - 1)


@pytest.fixture(scope="module")
def default_run():
    return analyze(PfcConfig())


def test_default_fabric_has_over_1000_switches_and_a_cycle_found_fast(default_run):
    r = default_run
    assert r.switches == 32 * (28 + 4) + 16 == 1040
    assert r.cycles["pfc"] is not None
    # Detection = routing every ToR pair + the plain-PFC graph + its cycle search. Judged on CPU time:
    # the machine is shared by many jobs, and CPU time is what the work costs (wall time when idle).
    assert r.detect[1] < 5.0, r.detect


@pytest.mark.parametrize("shape", [(32, 28, 4, 16), (3, 5, 2, 4), (4, 3, 3, 6)])
def test_healthy_clos_is_cycle_free_and_counts_match(shape):
    router = Router(Clos(*shape))
    turns = enumerate_turns(router)
    assert len(turns.all) == healthy_dependencies(*shape)
    assert not turns.bounces
    assert find_cycle(turns.all) is None


@settings(max_examples=25, deadline=None)
@given(pods=st.integers(2, 4), tors=st.integers(2, 5), aggs=st.integers(2, 3), per_group=st.integers(1, 2),
       fails=st.integers(0, 4), seed=st.integers(0, 10**6))
def test_every_cycle_needs_a_bounce(pods, tors, aggs, per_group, fails, seed):
    # Key each link by (direction, level): every up-down turn raises the key, so only a bounce (down then
    # up) can close a cycle — with or without failures, and never on the lossless (unbounced) graph.
    clos = Clos(pods, tors, aggs, aggs * per_group).with_failures(min(fails, pods * tors * aggs), "random", seed)
    router = Router(clos)
    turns = enumerate_turns(router)

    def key(link):
        u, v = router.ends(link)
        return (0, router.level[u]) if router.level[v] > router.level[u] else (1, -router.level[u])

    for a, b in turns.all:
        assert key(b) > key(a) or (a, b) in turns.bounces
    if not turns.bounces:
        assert find_cycle(turns.all) is None
    assert find_cycle(dependency_edges(turns, "lossy-bounce")) is None
    assert find_cycle(dependency_edges(turns, "hop-index")) is None


def test_one_failure_bounces_but_two_crossed_failures_close_a_cycle():
    one = enumerate_turns(Router(Clos().with_failures(1)))
    # Traffic for tor0.0 entering agg0.0 bounces via each of the 27 other ToRs up to the 3 other aggs.
    assert len(one.bounces) == 27 * 3 and find_cycle(one.all) is None
    router = Router(Clos().with_failures(2))
    two = enumerate_turns(router)
    # Each failed-over ToR: 26 ToRs × 3 aggs, plus the other failed ToR with 2 usable aggs.
    assert len(two.bounces) == 2 * (26 * 3 + 2)
    cycle = find_cycle(two.all)
    assert cycle is not None
    turns = {(cycle[k], cycle[(k + 1) % len(cycle)]) for k in range(len(cycle))}
    assert turns & two.bounces


def test_mitigations_remove_the_cycle(default_run):
    assert default_run.failed == ("tor0.0-agg0.0", "tor0.1-agg0.1")
    assert default_run.cycles["lossy-bounce"] is None and default_run.cycles["hop-index"] is None
    assert default_run.cycles["watchdog"] == default_run.cycles["pfc"]  # it acts at run time instead


def test_flows_freeze_under_pfc_and_keep_flowing_with_each_mitigation(default_run):
    runs = default_run.runs
    assert runs["pfc"].frozen and runs["pfc"].stuck > 0 and runs["pfc"].dropped == 0
    for name in ("lossy-bounce", "hop-index", "watchdog"):
        assert not runs[name].frozen and runs[name].stuck == 0, name
    assert runs["hop-index"].dropped == 0  # every hop has its own lossless class: nothing to drop
    assert runs["watchdog"].dropped > 0  # it breaks the deadlock by dropping the paused queues
    tail = runs["pfc"].delivered_per_step[default_run.config.inject_steps:]
    assert sum(tail) == 0


def test_deadlock_is_the_rule_not_a_fluke():
    router = Router(Clos().with_failures(2))
    loop = find_cycle(enumerate_turns(router).all)
    routes, taken = [], set()
    for k, link in enumerate(loop):
        for r in route_through(router, (router.ends(link), router.ends(loop[(k + 1) % len(loop)])), 4, taken):
            routes.append(r)
    frozen = {m: sum(run_pause(routes, router.level, m, buffer=2, steps=600, inject_steps=300, seed=s).frozen
                     for s in range(5)) for m in ("pfc", "lossy-bounce", "hop-index", "watchdog")}
    assert frozen["pfc"] >= 3
    assert frozen["lossy-bounce"] == frozen["hop-index"] == frozen["watchdog"] == 0


def test_same_seed_same_output():
    config = PfcConfig(pods=4, tors=6, aggs=2, cores=4, fail_links=5, failures="random", seed=3)
    a, b = analyze(config).to_dict(), analyze(config).to_dict()
    for d in (a, b):
        d.pop("analysis_s"), d.pop("detection_s"), d.pop("detection_cpu_s")
    assert a == b
    assert analyze(PfcConfig(pods=4, tors=6, aggs=2, cores=4, fail_links=5, failures="random", seed=4)).failed \
        != tuple(a["failed_links"])


def test_bigger_fabric_stays_fast():
    start = time.process_time()
    r = analyze(PfcConfig(pods=24, tors=40, aggs=4, cores=16, fail_links=0))
    assert r.switches >= 1000 and r.cycles["pfc"] is None
    assert time.process_time() - start < 10


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"cores": 6, "aggs": 4}, "--cores=6"), ({"tors": 1}, "--tors=1"),
])
def test_bad_fabric(kwargs, match):
    with pytest.raises(InvalidValue, match=match):
        Clos(**kwargs)


def test_bad_failures():
    with pytest.raises(InvalidValue, match="--fail-links=99"):
        Clos(pods=2, tors=4, aggs=2, cores=2).with_failures(99)
    with pytest.raises(InvalidValue, match="--failures='all'"):
        Clos().with_failures(1, "all")
    with pytest.raises(InvalidValue, match="--buffer=0"):
        PfcConfig(buffer=0)
