import pytest

from infraprep.errors import InfraprepError
from infraprep.practice.katas import make_skeleton

PY = """def f(x):
    y = 1
    # KATA-BEGIN: double x
    return 2 * x
    # KATA-END

def g():
    # KATA-BEGIN
    pass
    # KATA-END
"""


def test_python_regions_become_loud_failures():
    out = make_skeleton(PY, "demo", "python")
    assert "return 2 * x" not in out and "y = 1" in out
    assert "    # TODO: double x\n    raise NotImplementedError('kata demo: implement double x')" in out
    assert "raise NotImplementedError('kata demo: implement this step')" in out
    namespace = {}
    exec(out, namespace)  # the skeleton is valid Python
    with pytest.raises(NotImplementedError, match="kata demo: implement double x"):
        namespace["f"](3)


def test_cpp_regions_throw():
    cpp = "int f() {\n  // KATA-BEGIN: compute\n  return 1;\n  // KATA-END\n}\n"
    assert make_skeleton(cpp, "k", "cpp") == (
        'int f() {\n  // TODO: compute\n  throw std::logic_error("kata k: implement compute");\n}\n'
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# KATA-BEGIN\n# KATA-BEGIN\n# KATA-END\n", "nested KATA-BEGIN at line 2"),
        ("# KATA-END\n", "KATA-END without KATA-BEGIN"),
        ("# KATA-BEGIN\nx = 1\n", "KATA-BEGIN without KATA-END"),
        ("x = 1\n", "no KATA-BEGIN/KATA-END region"),
    ],
)
def test_malformed_references(text, message):
    with pytest.raises(InfraprepError, match=message):
        make_skeleton(text, "k", "python")
