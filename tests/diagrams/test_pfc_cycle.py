"""The PFC-cycle diagram's data: the simulator's crossed-failure case on the drawn fabric."""

from infraprep.diagrams.pfc_cycle import case


def test_two_crossed_failures_close_a_four_buffer_cycle_of_bounces():
    result = case()
    assert result.failed == ("tor0.0-agg0.0", "tor0.1-agg0.1")
    cycle = result.cycles["pfc"]
    assert len(cycle) == 4
    links = [link.split("->") for link in cycle]
    for (_, b), (c, _) in zip(links, links[1:] + links[:1], strict=True):
        assert b == c  # consecutive links meet: each buffer waits for the next hop's
    # it alternates down (agg → ToR) and up (ToR → agg) inside pod 0, through the two healthy ToRs
    assert [(a[:3], b[:3]) for a, b in links] in ([("agg", "tor"), ("tor", "agg")] * 2,
                                                  [("tor", "agg"), ("agg", "tor")] * 2)
    assert {n for link in links for n in link} == {"agg0.0", "agg0.1", "tor0.2", "tor0.3"}


def test_plain_pfc_freezes_and_each_mitigation_keeps_flowing():
    result = case()
    assert result.cycles["lossy-bounce"] is None and result.cycles["hop-index"] is None
    runs = result.runs
    assert runs["pfc"].frozen and runs["pfc"].stuck > 0
    tail = runs["pfc"].delivered_per_step[result.config.inject_steps:]
    assert sum(tail) == 0
    for name in ("lossy-bounce", "hop-index", "watchdog"):
        assert not runs[name].frozen and runs[name].stuck == 0, name
    assert runs["watchdog"].dropped > 0 and runs["hop-index"].dropped == 0
