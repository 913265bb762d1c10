"""`calc bubble`, `calc topology`, `calc storage` and `sim schedule` through the CLI: the scripting
contract of issue 3, bad input, fuzzing with hostile arguments, and start-up time."""


import pytest
from hypothesis import strategies as st

SCHEDULES = ["gpipe", "1f1b", "interleaved", "zb1p", "dualpipe", "dualpipev"]


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_bubble_contract(cli, schedule):
    args = ["calc", "bubble", "--schedule", schedule, "--pp", "8", "--microbatches", "32"]
    if schedule == "interleaved":
        args += ["--chunks", "2"]
    result = cli(*args, "--f", "1", "--b", "2", "--w", "1", "--fb", "3", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert {"bubble_time", "bubble_fraction", "param_memory_factor", "activation_memory_microbatches"} <= set(data)
    expected = {"gpipe": 21, "1f1b": 21, "interleaved": 10.5, "zb1p": 7, "dualpipe": 6, "dualpipev": 6}[schedule]
    assert data["bubble_time"] == pytest.approx(expected)
    assert 0 <= data["bubble_fraction"] <= 1
    assert data["conventions"]["denominator"] == "ideal"
    assert data["simulated"]["bubble_time"] == pytest.approx(expected)  # default times: every form exact
    assert data["simulated"]["matches_closed_form"]


def test_bubble_total_denominator_and_human_times(cli):
    data = cli("calc", "bubble", "--schedule", "1f1b", "--pp", "4", "--microbatches", "12", "--f", "10ms",
               "--b", "20ms", "--denominator", "total", "--json").json()
    assert data["bubble_time"] == pytest.approx(3 * 0.03)  # seconds, SI
    assert data["bubble_fraction"] == pytest.approx(3 / 15)


def test_bubble_table_shows_the_derivation_and_the_cross_check(cli):
    result = cli("calc", "bubble", "--schedule", "zb1p", "--pp", "4", "--microbatches", "8", "--w", "1.5")
    assert result.code == 0
    assert "(p−1)(F+B−2W)" in result.out and "not exact" in result.out and "≠ closed form" in result.out


def test_bubble_plot_writes_an_svg(cli, tmp_path):
    target = tmp_path / "dualpipe.svg"
    result = cli("calc", "bubble", "--schedule", "dualpipe", "--pp", "4", "--microbatches", "8", "--plot",
                 str(target), "--json")
    assert result.code == 0, result.err
    assert target.read_text().startswith("<?xml")
    assert result.json()["plot"] == str(target)


def test_topology_contract(cli):
    data = cli("calc", "topology", "--fat-tree", "--radix", "48", "--tiers", "3", "--json").json()
    assert (data["hosts"], data["switches"]) == (27_648, 2_880)  # Al-Fares et al. 2008 §3.3
    data = cli("calc", "topology", "--fat-tree", "--radix", "48", "--json").json()
    assert data["tiers"] == 3
    rail = cli("calc", "topology", "--rail", "--gpus", "1024", "--radix", "64", "--link", "400Gbps", "--json").json()
    assert rail["switches_per_tier"] == {"leaf": 32, "spine": 16}
    assert rail["link_bandwidth"] == 50e9


def test_storage_contract(cli):
    data = cli("calc", "storage", "--params", "70B", "--write-bw", "100GB/s", "--tokens-per-sec", "1M",
               "--json").json()
    assert data["checkpoint_bytes"] == 980e9
    assert data["write_time"] == pytest.approx(9.8)
    assert data["loader_bandwidth"] == 4e6
    assert cli("calc", "storage", "--preset", "llama3-8b", "--json").json()["params"] == 8_030_261_248


def test_sim_schedule_is_seeded(cli):
    args = ["sim", "schedule", "--schedule", "1f1b", "--pp", "4", "--microbatches", "8", "--jitter", "0.2", "--json"]
    one, two = cli(*args, "--seed", "3"), cli(*args, "--seed", "3")
    assert one.code == 0 and one.out == two.out
    assert cli(*args, "--seed", "4").json()["makespan"] != one.json()["makespan"]
    exact = cli("sim", "schedule", "--schedule", "dualpipe", "--pp", "8", "--microbatches", "20", "--json").json()
    assert exact["bubble_time"] == exact["closed_form_bubble_time"] == 6


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["calc", "bubble", "--schedule", "pipedream", "--pp", "8", "--microbatches", "32"], "unknown schedule"),
        (["calc", "bubble", "--schedule", "dualpipe", "--pp", "7", "--microbatches", "32"], "--pp=7"),
        (["calc", "bubble", "--schedule", "1f1b", "--pp", "8", "--microbatches", "32", "--f", "-1"], "--f"),
        (["calc", "bubble", "--schedule", "1f1b", "--pp", "8", "--microbatches", "32", "--plot", "x.pdf"], "--plot"),
        (["calc", "bubble", "--schedule", "1f1b", "--pp", "8", "--microbatches", "32", "--plot", "/no/dir/x.svg"],
         "existing directory"),
        (["calc", "topology", "--fat-tree", "--radix", "47"], "--radix=47"),
        (["calc", "topology", "--fat-tree", "--rail"], "exactly one"),
        (["calc", "topology", "--rail", "--gpus", "1024", "--oversubscription", "2"], "--oversubscription applies to --fat-tree"),
        (["calc", "topology", "--rail", "--gpus", "1024", "--tiers", "2"], "--tiers applies to --fat-tree"),
        (["calc", "topology", "--fat-tree", "--gpus", "1024"], "--gpus applies to --rail"),
        (["calc", "storage", "--params", "70B", "--preset", "llama3-8b"], "exactly one"),
        (["calc", "storage", "--preset", "gpt5"], "unknown model"),
        (["sim", "schedule", "--schedule", "1f1b", "--pp", "4", "--microbatches", "8", "--jitter", "2"], "--jitter"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args, needle):
    result = cli(*args)
    assert result.code == 2
    assert needle in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err


HOSTILE = st.sampled_from(["0", "-1", "1e400", "nan", "inf", "-inf", "", " ", "7.5", "1e9", "99999999999999999999",
                           "abc", "--json", "0x10", "1/0", "💥", "\x00", "2", "3", "8", "32", "1ms", "400Gbps", "70B"])
OPTIONS = {
    "bubble": ["--schedule", "--pp", "--microbatches", "--chunks", "--f", "--b", "--w", "--fb", "--denominator"],
    "topology": ["--radix", "--tiers", "--oversubscription", "--link", "--gpus", "--gpus-per-node", "--nics-per-gpu"],
    "storage": ["--params", "--preset", "--weight-bytes", "--optimizer-bytes", "--write-bw", "--read-bw",
                "--tokens-per-sec", "--bytes-per-token", "--target-write-time", "--server-bw", "--keep"],
    "schedule": ["--schedule", "--pp", "--microbatches", "--chunks", "--f", "--b", "--w", "--fb", "--comm",
                 "--jitter", "--seed"],
}
VALUES = {"--schedule": st.sampled_from(SCHEDULES) | HOSTILE, "--denominator": st.sampled_from(["ideal", "total"]) | HOSTILE,
          "--preset": st.sampled_from(["llama3-70b", "gpt3-175b"]) | HOSTILE}


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(sorted(OPTIONS)))
    args = ["sim" if command == "schedule" else "calc", command]
    if command == "topology":
        args += draw(st.sampled_from([["--fat-tree"], ["--rail"], [], ["--fat-tree", "--rail"]]))
    for option in draw(st.lists(st.sampled_from(OPTIONS[command]), max_size=6)):
        args += [option, draw(VALUES.get(option, HOSTILE))]
    if draw(st.booleans()):
        args.append("--json")
    return args






def test_help_names_match_the_calculator():
    from infraprep.calc.bubble import DENOMINATORS, SCHEDULES
    from infraprep.cli.calc.bubble import DENOMINATOR_NAMES, SCHEDULE_NAMES

    assert (SCHEDULE_NAMES, DENOMINATOR_NAMES) == (SCHEDULES, DENOMINATORS)


