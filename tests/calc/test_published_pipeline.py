"""Published pipeline and topology figures, reproduced by the closed forms and by the simulator.

Each test names its source (paper + section/table). Pipeline figures are checked twice: the closed
form of calc/bubble.py, and the timeline the simulator builds from the schedule's dependencies.
"""

import pytest

from infraprep.calc.bubble import PipelineConfig, StageTimes, bubble
from infraprep.calc.topology import fat_tree
from infraprep.sim.schedule import simulate


def both(schedule, pp, m, chunks=1, times=StageTimes(1.0, 2.0, 1.0), denominator="ideal"):
    config = PipelineConfig(schedule, pp, m, chunks, times, denominator)
    return bubble(config), simulate(config)


def test_megatron_1f1b_bubble_fraction_is_p_minus_1_over_m():
    # Narayanan et al. 2021 (Megatron-LM, SC'21) §2.2.1: bubble time fraction = (p − 1)/m,
    # Fig. 4 (top) draws p = 4 devices and m = 8 microbatches.
    closed, timeline = both("1f1b", 4, 8)
    assert closed.bubble_fraction == pytest.approx(3 / 8)
    assert timeline.bubble_time / closed.config.ideal_time == pytest.approx(3 / 8)


def test_megatron_interleaving_divides_the_bubble_by_v():
    # Narayanan et al. 2021 §2.2.2: with v model chunks per device the bubble time fraction is
    # (1/v)·(p − 1)/m; Fig. 4 (bottom) draws p = 4, v = 2, m = 8.
    closed, timeline = both("interleaved", 4, 8, chunks=2)
    assert closed.bubble_fraction == pytest.approx(3 / 16)
    assert timeline.bubble_time / closed.config.ideal_time == pytest.approx(3 / 16)


def test_megatron_1f1b_caps_in_flight_microbatches_at_p_while_gpipe_holds_m():
    # Narayanan et al. 2021 §2.2.1: 1F1B limits outstanding microbatches to the pipeline depth p,
    # where GPipe (all forwards, then all backwards) keeps the activations of all m.
    one, t_one = both("1f1b", 4, 8)
    gpipe, t_gpipe = both("gpipe", 4, 8)
    assert one.activation_memory_microbatches == max(t_one.peak_activations) == 4
    assert gpipe.activation_memory_microbatches == max(t_gpipe.peak_activations) == 8


def test_gpipe_bubble_overhead_is_k_minus_1_over_m_plus_k_minus_1():
    # Huang et al. 2019 (GPipe) §2.3: bubble overhead O((K − 1)/(M + K − 1)) of the step time,
    # K partitions, M micro-batches — the "total" denominator.
    closed, timeline = both("gpipe", 8, 32, denominator="total")
    assert closed.bubble_fraction == pytest.approx(7 / 39)
    assert timeline.bubble_time / timeline.makespan == pytest.approx(7 / 39)


def test_korthikanti_interleaved_first_stage_activations():
    # Korthikanti et al. 2022 §4.2.3: with interleaving, the first stage holds
    # p·(1 + (p − 1)/(p·v)) microbatches' worth of one stage's activations.
    p, v = 8, 4
    closed, timeline = both("interleaved", p, 32, chunks=v)
    assert closed.activation_memory_microbatches == pytest.approx(p * (1 + (p - 1) / (p * v)))
    assert timeline.peak_activations[0] == pytest.approx(p * (1 + (p - 1) / (p * v)))


@pytest.mark.parametrize(
    ("schedule", "bubble_time", "params", "activations"),
    [
        # DeepSeek-V3 report Table 2, with PP = 8, F = 1, B = 2 (full backward), W = 1, F&B = F + B = 3:
        ("1f1b", 7 * (1 + 2), 1, 8),  # (PP−1)(F+B), 1×, PP
        ("zb1p", 7 * (1 + 2 - 2 * 1), 1, 8),  # (PP−1)(F+B−2W), 1×, PP
        ("dualpipe", 3 * (3 + 2 - 3 * 1), 2, 9),  # (PP/2−1)(F&B+B−3W), 2×, PP+1
    ],
)
def test_deepseek_v3_table_2(schedule, bubble_time, params, activations):
    closed, timeline = both(schedule, 8, 40)
    assert closed.bubble_time == pytest.approx(bubble_time)
    assert timeline.bubble_time == pytest.approx(bubble_time)
    assert closed.param_memory_factor == params
    assert closed.activation_memory_microbatches == max(timeline.peak_activations) == activations


def test_deepseek_v3_dualpipe_with_overlap():
    # DeepSeek-V3 report Table 2: the overlapped pair F&B enters the bubble once per fill hop.
    times = StageTimes(1.0, 2.0, 1.0, fb=2.4)
    closed, timeline = both("dualpipe", 8, 20, times=times)  # the README's 8 ranks, 20 micro-batches
    assert closed.bubble_time == pytest.approx(3 * (2.4 + 2 - 3))
    assert timeline.bubble_time == pytest.approx(closed.bubble_time)


def test_dualpipev_matches_dualpipe_on_half_the_devices():
    # DualPipe repository README, "Pipeline Bubbles and Memory Usage Comparison (based on the same
    # number of PP stages)": DualPipeV has DualPipe's bubble (PP/2−1)(F&B+B−3W), 2× parameters and
    # PP+1 activations per device, on PP/2 devices; its example is 4 PP ranks (8 stages), 10 micro-batches.
    v, tv = both("dualpipev", 8, 10)
    d, td = both("dualpipe", 8, 20)
    assert v.config.devices == tv.ranks == 4
    assert tv.bubble_time == td.bubble_time == v.bubble_time == pytest.approx(3 * (3 + 2 - 3))
    assert (v.param_memory_factor, v.activation_memory_microbatches) == (2, 9)
    assert max(tv.peak_activations) == 9


def test_zero_bubble_h1_is_a_third_of_1f1b():
    # Qi et al. 2023 (Zero Bubble PP) §2.1: with T_F = T_B = T_W, ZB-H1's bubble is a third of
    # 1F1B's; the project README gives the rates (p−1)/m and (p−1)/(3m). T_B here is the
    # input-gradient pass, so the full backward is B = T_B + T_W = 2.
    one, t_one = both("1f1b", 4, 12)
    zb, t_zb = both("zb1p", 4, 12)
    assert zb.bubble_time == pytest.approx(one.bubble_time / 3)
    assert t_zb.bubble_time == pytest.approx(t_one.bubble_time / 3)
    ideal_with_split = 12 * 3  # m·(T_F + T_B + T_W)
    assert t_zb.bubble_time / ideal_with_split == pytest.approx(3 / (3 * 12))
    assert max(t_zb.peak_activations) == max(t_one.peak_activations) == 4  # same peak memory as 1F1B


@pytest.mark.parametrize(("k", "hosts", "switches", "core"), [(4, 16, 20, 4), (48, 27_648, 2_880, 576)])
def test_al_fares_fat_tree(k, hosts, switches, core):
    # Al-Fares, Loukissas, Vahdat 2008 §3.3: a k-ary fat-tree has k pods of k/2 edge and k/2
    # aggregation switches and (k/2)² core switches and supports k³/4 hosts; with 48-port switches,
    # 27,648 hosts. Switches in all: k² + (k/2)² = 5k²/4. Fig. 3 draws k = 4.
    tree = fat_tree(k)
    assert (tree.hosts, tree.switches, tree.switches_per_tier["core"]) == (hosts, switches, core)
