import hashlib
from pathlib import Path

from infraprep.content.spine import ROUNDS
from infraprep.practice.workspace import STATE_DIR, Workspace, find_workspace, init_workspace


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith("state.db")
    }


def test_init_creates_the_seed_shape(tmp_path):
    root = tmp_path / "prep"
    report = init_workspace(root)
    expected = {"README.md", f"{STATE_DIR}/state.db", f"{STATE_DIR}/.gitignore"}
    for rnd in ROUNDS:
        expected |= {f"{rnd.slug}/questions.md"} | {
            f"{rnd.slug}/{name}/README.md" for name in ("solutions", "whiteboard", "mock-interviews")
        }
    assert {str(p.relative_to(root)) for p in report.created} == expected
    assert set(tree_digest(root)) | {f"{STATE_DIR}/state.db"} == expected
    readme = (root / "README.md").read_text()
    assert readme.count("- [ ] ") == 28
    assert "| 7 | Scalable AI Mega-Cluster Design (Capstone) | All | 90 min |" in readme
    assert "- [ ] 无锁并发数据结构 Lock-free data structures (`r1.lockfree`)" in readme


def test_init_twice_keeps_user_edits(tmp_path):
    root = tmp_path / "prep"
    init_workspace(root)
    (root / "round-1-systems-coding/questions.md").write_text("my notes")
    (root / "round-1-systems-coding/solutions/spsc.cpp").write_text("// mine")
    before = tree_digest(root)
    report = init_workspace(root)
    assert report.created == []
    assert tree_digest(root) == before


def test_find_walks_up_then_env_then_default(tmp_path, monkeypatch):
    root = tmp_path / "prep"
    init_workspace(root)
    deep = root / "round-2-gpu-kernel" / "solutions"
    assert find_workspace(deep, env={}) == Workspace(root.resolve())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert find_workspace(elsewhere, env={"INFRAPREP_HOME": str(tmp_path / "h")}).root == (tmp_path / "h").resolve()
    assert (tmp_path / "h" / STATE_DIR / "state.db").is_file()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    default = find_workspace(elsewhere, env={})
    assert default.root == (tmp_path / "xdg" / "infraprep" / "workspace").resolve()
    assert default.db_path.is_file()
