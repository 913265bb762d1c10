"""The schedule simulator (sim/schedule/): real timelines against the closed forms of calc/bubble.py.

Where a closed form is exact (``calc.bubble.closed_form_exact``) the simulated bubble must equal it,
for a grid of (pp, microbatches, chunks, F/B/W, F&B). Where it is not, the documented relation is
asserted instead:

* ZB1P with a W that does not fit its gap (``w > min(f, b − w)``, ``m ≥ p``): the bubble is
  ``(p − 1)(f + b' − min(w, f, b'))``, ``b' = b − w`` — the closed form prices each of the ``p − 1``
  fill hops as ``f + b' − w``, but a deferred W can only hide ``min(w, f, b')`` of a hop (it has to
  fit between a forward and an input-gradient pass). With ``m < p`` there are too few deferred W to
  fill the drain, and the closed form is a lower bound.
* DualPipe/DualPipeV with ``w ≤ min(f, b')``: Table 2's ``F&B + B − 3W`` prices each of the
  ``pp/2 − 1`` fill hops as if a forward and an input-gradient chunk took the same time; the real
  bubble is the closed form plus ``(pp/2 − 1)(f − b')`` when ``f > b'`` (each hop waits for the
  slower forward), and minus ``min((pp/2 − 1)(b' − f), f)`` when ``f < b'``. Outside
  ``w ≤ min(f, b')`` the closed form leaves its domain (it can go negative) and only the timeline's
  own invariants are asserted.

Every timeline is also checked by an independent verifier: each pass runs exactly once, no rank
runs two operations at once, and every operation starts after the passes it depends on.
"""

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from infraprep.calc.bubble import PipelineConfig, StageTimes, bubble
from infraprep.errors import InvalidValue
from infraprep.sim.schedule import ScheduleDeadlock, execute, render_gantt, simulate
from infraprep.sim.schedule.ops import backward, forward

TIMES = st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0])
FRACTIONS = st.sampled_from([Fraction(0), Fraction(1, 4), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3),
                             Fraction(3, 4), Fraction(1)])


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def verify(timeline):
    """Independent check of a timeline: passes once each, ranks sequential, dependencies respected."""
    config = timeline.config
    end = {}
    for rank in timeline.slots:
        previous = 0.0
        for slot in rank:
            assert slot.start >= previous - 1e-9, "a rank runs two operations at once"
            previous = slot.end
            for p in slot.op.passes:
                assert p not in end, f"{p} runs twice"
                end[p] = slot.end
    pipes = {p[1] for p in end}
    last = {pipe: max(p[2] for p in end if p[1] == pipe) for pipe in pipes}
    per_pipe = config.microbatches // 2 if config.schedule == "dualpipe" else config.microbatches
    for pipe in pipes:
        stages = last[pipe] + 1
        assert stages == config.pp * config.chunks
        for kind in "FBW":
            assert {p[2:] for p in end if p[0] == kind and p[1] == pipe} == {
                (s, j) for s in range(stages) for j in range(per_pipe)}
    for rank in timeline.slots:
        for slot in rank:
            for kind, pipe, s, j in slot.op.passes:
                if kind == "F" and s > 0:
                    needs = [("F", pipe, s - 1, j)]
                elif kind == "B":
                    needs = [("F", pipe, s, j)] + ([("B", pipe, s + 1, j)] if s < last[pipe] else [])
                elif kind == "W":
                    needs = [("B", pipe, s, j)]
                else:
                    needs = []
                for need in needs:
                    if need not in slot.op.passes:
                        assert end[need] <= slot.start + 1e-9, f"{slot.op} starts before {need} ends"


def run(schedule, pp, m, chunks=1, f=1.0, b=2.0, w=None, fb=None):
    config = PipelineConfig(schedule, pp, m, chunks, StageTimes(f, b, w, fb))
    timeline = simulate(config)
    verify(timeline)
    return timeline, bubble(config)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["gpipe", "1f1b"]), st.integers(1, 8), st.integers(1, 20), TIMES, TIMES, FRACTIONS)
def test_gpipe_and_1f1b_match_for_every_input(schedule, p, m, f, b, wf):
    timeline, closed = run(schedule, p, m, f=f, b=b, w=float(wf) * b)
    assert closed.exact
    assert all(close(idle, (p - 1) * (f + b)) for idle in timeline.idle)  # every rank idles the same
    assert close(timeline.makespan, (m + p - 1) * (f + b))
    expected_peak = m if schedule == "gpipe" else min(p, m)
    assert max(timeline.peak_activations) == expected_peak == closed.activation_memory_microbatches


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 6), st.integers(2, 4), st.integers(1, 4), TIMES, TIMES)
def test_interleaved_matches_and_its_first_rank_holds_p_plus_p_minus_1_over_v(p, v, k, f, b):
    timeline, closed = run("interleaved", p, p * k, chunks=v, f=f, b=b)
    assert all(close(idle, (p - 1) * (f + b) / v) for idle in timeline.idle)
    assert close(timeline.bubble_time, closed.bubble_time)
    # Korthikanti et al. 2022 §4.2.3: rank 0 holds p(1 + (p−1)/(pv)) stages' worth when m > p.
    assert close(timeline.peak_activations[0], p + (p - 1) / v if k > 1 else p)
    assert close(max(timeline.peak_activations), closed.activation_memory_microbatches)


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 8), st.integers(0, 10), TIMES, TIMES, FRACTIONS)
def test_zb1p_matches_where_exact_and_the_documented_relation_elsewhere(p, extra, f, b, wf):
    m, w = p + extra, float(wf) * b
    timeline, closed = run("zb1p", p, m, f=f, b=b, w=w)
    b_in = b - w
    if closed.exact:
        assert w == 0 or w <= min(f, b_in) + 1e-12
        assert close(timeline.bubble_time, closed.bubble_time)
    else:
        assert close(timeline.bubble_time, (p - 1) * (f + b_in - min(w, f, b_in)))
        assert timeline.bubble_time > closed.bubble_time
    assert max(timeline.peak_activations) == p == closed.activation_memory_microbatches


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 8), st.integers(1, 7), TIMES, TIMES, FRACTIONS)
def test_zb1p_with_fewer_microbatches_than_stages_is_bounded_below(p, m, f, b, wf):
    assume(m < p)
    timeline, closed = run("zb1p", p, m, f=f, b=b, w=float(wf) * b)
    assert timeline.bubble_time >= closed.bubble_time - 1e-9
    assert max(timeline.peak_activations) == m == closed.activation_memory_microbatches


def dualpipe_case(draw_schedule, half, extra):
    pp = 2 * half
    m = 2 * pp + 2 * extra if draw_schedule == "dualpipe" else pp + extra
    return pp, m


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["dualpipe", "dualpipev"]), st.integers(1, 5), st.integers(0, 4), TIMES, FRACTIONS,
       st.sampled_from([0.0, 0.5, 1.0]))
def test_dualpipe_matches_where_f_equals_the_input_gradient(schedule, half, extra, f, wf, overlap):
    pp, m = dualpipe_case(schedule, half, extra)
    w = float(wf) * f  # w ≤ f
    b = f + w  # f = b − w
    fb = f + b - overlap * min(f, b)  # from no overlap (f + b) to full overlap (max(f, b))
    timeline, closed = run(schedule, pp, m, f=f, b=b, w=w, fb=fb)
    assert closed.exact
    assert close(timeline.bubble_time, (pp / 2 - 1) * (fb + b - 3 * w))
    assert max(timeline.peak_activations) == pp + 1 == closed.activation_memory_microbatches


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(["dualpipe", "dualpipev"]), st.integers(1, 5), st.integers(0, 4), TIMES, TIMES, FRACTIONS,
       st.sampled_from([0.0, 0.5, 1.0]))
def test_dualpipe_documented_relation_when_f_differs_from_the_input_gradient(schedule, half, extra, f, b_in, wf,
                                                                             overlap):
    pp, m = dualpipe_case(schedule, half, extra)
    w = float(wf) * min(f, b_in)  # w ≤ min(f, b')
    b = b_in + w
    fb = f + b - overlap * min(f, b)
    timeline, closed = run(schedule, pp, m, f=f, b=b, w=w, fb=fb)
    hops = pp / 2 - 1
    if f >= b_in:
        expected = closed.bubble_time + hops * (f - b_in)
    else:
        expected = closed.bubble_time - min(hops * (b_in - f), f)
    assert close(timeline.bubble_time, expected)
    assert closed.exact == close(timeline.bubble_time, closed.bubble_time) or hops == 0


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["dualpipe", "dualpipev"]), st.integers(2, 4), TIMES, TIMES, st.floats(0.0, 1.0))
def test_dualpipe_with_an_oversized_w_still_builds_a_valid_timeline(schedule, half, f, b, wf):
    pp, m = dualpipe_case(schedule, half, 1)
    w = wf * b
    assume(w > min(f, b - w))
    timeline, closed = run(schedule, pp, m, f=f, b=b, w=w)
    assert not closed.exact and "overflows" in closed.inexact_reason
    assert timeline.bubble_time >= 0


@pytest.mark.parametrize("schedule", ["dualpipe", "dualpipev"])
def test_dualpipe_runs_the_reference_step_counts(schedule):
    # DualPipe repository: rank 0 of 8 runs 2·(4−0−1) = 6 plain F0 first, and every rank overlaps
    # at least one F&B pair per main-step iteration.
    pp, m = (8, 20) if schedule == "dualpipe" else (8, 10)
    timeline, _ = run(schedule, pp, m)
    first = [s.op.kind for s in timeline.slots[0][:7]]
    assert first[:6] == ["F"] * 6
    assert all(count.get("FB", 0) > 0 for count in timeline.counts())
    assert all(sum(n for k, n in c.items() if k != "W") > 0 for c in timeline.counts())


def test_comm_latency_adds_two_hops_per_stage_to_gpipe():
    # GPipe with latency c per hop: the fill pays (p−1)(F + c), the drain (p−1)(B + c).
    config = PipelineConfig("gpipe", 4, 6, times=StageTimes(1, 2, 1))
    timeline = simulate(config, comm=0.25)
    verify(timeline)
    assert close(timeline.bubble_time, 3 * (1 + 2 + 2 * 0.25))


def test_jitter_is_seeded_and_zero_jitter_is_exact():
    config = PipelineConfig("1f1b", 4, 8)
    a, b = simulate(config, jitter=0.2, seed=7), simulate(config, jitter=0.2, seed=7)
    assert a.slots == b.slots
    assert simulate(config, jitter=0.2, seed=8).slots != a.slots
    assert simulate(config, jitter=0.0, seed=7).slots == simulate(config).slots
    verify(a)
    with pytest.raises(InvalidValue, match="--jitter"):
        simulate(config, jitter=1.5)


def test_an_order_against_the_dependencies_is_a_deadlock():
    # Rank 0 waits for the backward of microbatch 0 before it sends the forward that would start it.
    programs = [[backward(0, 0, 0), forward(0, 0, 0)], [forward(0, 1, 0), backward(0, 1, 0)]]
    with pytest.raises(ScheduleDeadlock, match="deadlocks"):
        execute(programs, lambda pipe: 1, lambda op: 1.0)


def test_progress_is_reported_while_a_big_timeline_builds():
    seen = []
    config = PipelineConfig("1f1b", 8, 1100)  # 8 ranks x 2,200 operations = 17,600
    timeline = simulate(config, progress=seen.append)
    assert seen == [4096, 8192, 12288, 16384]
    assert timeline.bubble_time == pytest.approx(7 * 3)


def test_too_big_to_simulate_is_an_error():
    with pytest.raises(InvalidValue, match="operations"):
        simulate(PipelineConfig("1f1b", 512, 4096))


def test_gantt_svg_is_deterministic_and_png_is_written(tmp_path):
    timeline = simulate(PipelineConfig("dualpipe", 4, 8, times=StageTimes(1, 2, 1, 2.5)))
    one, two = render_gantt(timeline, tmp_path / "a.svg"), render_gantt(timeline, tmp_path / "b.svg")
    text = one.read_text()
    assert text == two.read_text()
    assert text.startswith("<?xml") and "rank 3" in text and "F&amp;B" in text
    png = render_gantt(simulate(PipelineConfig("interleaved", 2, 4, 2)), tmp_path / "c.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(InvalidValue, match="--plot"):
        render_gantt(timeline, tmp_path / "chart.pdf")
