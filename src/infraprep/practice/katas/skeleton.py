"""Generate a kata's skeleton from its reference solution: one source of truth.

The reference marks each region the candidate writes::

    def ring_allreduce(tensor, group):
        # KATA-BEGIN: reduce-scatter, then all-gather, around the ring
        ...reference code...
        # KATA-END

(``//`` instead of ``#`` in C++). The skeleton keeps everything else and replaces each region by a
statement that fails loudly, naming the kata and the step — Python ``raise NotImplementedError(...)``,
C++ ``throw std::logic_error(...)`` — indented like the marker. Regions cannot nest.
"""

from __future__ import annotations

import re

from infraprep.errors import InfraprepError

__all__ = ["make_skeleton"]

_MARK = re.compile(r"^(?P<indent>\s*)(?P<comment>#|//)\s*KATA-(?P<kind>BEGIN|END)\b:?\s*(?P<what>.*)$")


def make_skeleton(reference: str, kata_id: str, language: str) -> str:
    out: list[str] = []
    inside = False
    regions = 0
    for n, line in enumerate(reference.splitlines(), 1):
        mark = _MARK.match(line)
        if mark and mark["kind"] == "BEGIN":
            if inside:
                raise InfraprepError(f"{kata_id}: nested KATA-BEGIN at line {n}")
            inside, regions = True, regions + 1
            what = mark["what"].strip() or "this step"
            indent = mark["indent"]
            message = f"kata {kata_id}: implement {what}"
            out.append(f"{indent}{mark['comment']} TODO: {what}")
            if language == "python":
                out.append(f"{indent}raise NotImplementedError({message!r})")
            else:
                out.append(f'{indent}throw std::logic_error("{message}");')
        elif mark and mark["kind"] == "END":
            if not inside:
                raise InfraprepError(f"{kata_id}: KATA-END without KATA-BEGIN at line {n}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise InfraprepError(f"{kata_id}: KATA-BEGIN without KATA-END")
    if not regions:
        raise InfraprepError(f"{kata_id}: the reference has no KATA-BEGIN/KATA-END region")
    return "\n".join(out) + "\n"
