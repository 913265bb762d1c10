"""Calculator tags in content: values, units, derivation blocks, errors; all content renders."""

import pytest

from infraprep.cli.content_render import check, render
from infraprep.content.paths import content_root
from infraprep.content.spine import ROUNDS
from infraprep.errors import InfraprepError

ZERO1 = "train-memory --params 7.5e9 --dp 64 --zero 1"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        (f"{{{{calc {ZERO1} | per_gpu_bytes.total | GB:1}}}}", "31.4 GB"),  # ZeRO paper Fig. 1: 31.4 GB
        (f"{{{{calc {ZERO1} | per_gpu_bytes.total | GiB:2}}}}", "29.25 GiB"),
        (f"{{{{calc {ZERO1} | per_gpu_bytes.optimizer | e:3}}}}", "1.406e+09"),
        (f"{{{{calc {ZERO1} | parallelism.dp}}}}", "64"),
        ("{{calc model --preset llama3-8b | total | Bn:2}}", "8.03B"),
        ("{{calc model --preset llama3-8b | total | n:0}}", "8,030,261,248"),
    ],
)
def test_inline_values(tag, expected):
    assert render(f"a {tag} b") == f"a {expected} b"


def test_escaped_separators_keep_markdown_tables_intact():
    # inside a table cell the separators are written \| so a code host does not split the cell
    row = "| Llama 3 8B | {{calc model --preset llama3-8b \\| total \\| Bn:2}} |"
    assert render(row) == "| Llama 3 8B | 8.03B |"
    assert render("{{calc model --preset llama3-8b \\| total}}") == "8,030,261,248"


def test_fraction_as_percent_matches_palm():
    tag = ("{{calc flops --params 540.35e9 --layers 118 --heads 48 --head-dim 256 --seq 2048 "
           "--tokens-per-sec 238.3e3 --gpus 6144 --peak 275e12 --convention palm | mfu | %:1}}")
    assert render(tag) == "46.2%"  # PaLM, Appendix B: 46.2% MFU


def test_derivation_block():
    out = render(f"```calc\n{ZERO1}\n```")
    assert out.startswith(f"```text\n$ infraprep calc {ZERO1}\n") and "derivation" in out and out.endswith("```")


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        (f"{{{{calc {ZERO1} | per_gpu_bytes.nothing}}}}", "no field"),
        (f"{{{{calc {ZERO1} | per_gpu_bytes.total | parsecs}}}}", "unknown unit"),
        ("{{calc train-memory --params 7.5e9 --dp 64 --zero 5 | per_gpu_bytes.total}}", "--zero"),
    ],
)
def test_errors_are_clear(tag, message):
    with pytest.raises(InfraprepError, match=message):
        render(tag)


def test_check_reports_file_and_line(tmp_path):
    page = tmp_path / "a.md"
    page.write_text(f"ok {{{{calc {ZERO1} | per_gpu_bytes.total | GB}}}}\n\nbad {{{{calc hardware zz | x}}}}\n")
    (problem,) = check(page)
    assert problem.startswith(f"{page}:3: calc inline failed: unknown GPU 'zz'")


def test_all_repository_content_renders():
    problems = [p for rnd in ROUNDS for md in sorted((content_root() / rnd.slug).rglob("*.md")) for p in check(md)]
    assert problems == []
