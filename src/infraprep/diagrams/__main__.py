"""``python -m infraprep.diagrams [--check] [NAME ...]``: regenerate (or verify) whiteboard diagrams."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from infraprep.content.paths import content_root
from infraprep.content.spine import get_round
from infraprep.diagrams.registry import load


def target(root: Path, name: str, round_number: int) -> Path:
    return root / get_round(round_number).slug / "whiteboard" / "diagrams" / f"{name}.svg"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infraprep.diagrams")
    parser.add_argument("--check", action="store_true", help="fail if a committed diagram is not current")
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    diagrams = load()
    names = args.names or sorted(diagrams)
    unknown = [n for n in names if n not in diagrams]
    if unknown:
        print(f"unknown diagram(s): {', '.join(unknown)}; valid: {', '.join(sorted(diagrams))}", file=sys.stderr)
        return 2
    root = content_root()
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            d = diagrams[name]
            out = target(Path(tmp) if args.check else root, name, d.round)
            d.draw(out)
            if args.check:
                committed = target(root, name, d.round)
                if not committed.is_file() or committed.read_bytes() != out.read_bytes():
                    stale.append(str(committed.relative_to(root)))
            else:
                print(f"wrote {out.relative_to(root)}")
    if stale:
        print("stale diagrams (run `make diagrams`):\n  " + "\n  ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
