"""``calc ecmp``: n connections × q subflows hashed onto m uplinks, exactly (balls into bins)."""


from typing import Annotated

import typer

from infraprep.cli.calc.render import show
from infraprep.cli.output import JSON_HELP


def ecmp_command(
    flows: Annotated[int, typer.Option("--flows", help="Connections leaving the leaf (n), each able to fill one uplink.")] = 8,
    uplinks: Annotated[int, typer.Option("--uplinks", help="Equal-cost uplinks (m).")] = 8,
    qps: Annotated[int, typer.Option("--qps", help="Subflows per connection, each hashed on its own (q; Llama 3: 16).")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Idle uplinks, the busiest uplink's load and the collective's slowdown under ECMP, exactly."""
    from infraprep.calc.ecmp import ecmp_bins  # here, not at start-up

    show(ecmp_bins(flows, uplinks, qps), as_json, f"ECMP: {flows} connection(s) × {qps} subflow(s) on {uplinks} uplinks")
