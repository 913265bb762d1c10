"""``calc storage``: checkpoint size and I/O time, data-loader bandwidth, parallel file-system sizing."""


from typing import Annotated

import typer

from infraprep.calc.model import MODELS, count_params, get_model
from infraprep.cli import quantity
from infraprep.cli.calc.render import show
from infraprep.cli.output import JSON_HELP
from infraprep.errors import InfraprepError

Bandwidth = dict(parser=quantity.bandwidth, metavar="BW")


def storage_command(
    preset: Annotated[str | None, typer.Option(help=f"A catalogue model: {', '.join(MODELS)}.")] = None,
    params: Annotated[float | None, typer.Option(parser=quantity.count, metavar="N",
                                                 help="Parameter count, e.g. 70B (instead of --preset).")] = None,
    weight_bytes: Annotated[float, typer.Option(help="Checkpointed weight bytes per parameter (bf16: 2).")] = 2.0,
    optimizer_bytes: Annotated[float, typer.Option(help="Optimizer bytes per parameter (Adam: 12).")] = 12.0,
    grad_bytes: Annotated[float, typer.Option(help="Gradient bytes per parameter saved (usually 0).")] = 0.0,
    write_bw: Annotated[float | None, typer.Option(help="Aggregate checkpoint write bandwidth.", **Bandwidth)] = None,
    read_bw: Annotated[float | None, typer.Option(help="Aggregate checkpoint read bandwidth.", **Bandwidth)] = None,
    tokens_per_sec: Annotated[float | None, typer.Option(parser=quantity.count, metavar="N",
                                                         help="Training throughput in tokens/s.")] = None,
    bytes_per_token: Annotated[float, typer.Option(help="Bytes per stored token id (uint32: 4).")] = 4.0,
    target_write_time: Annotated[float | None, typer.Option(parser=quantity.duration, metavar="TIME",
                                                            help="Write one checkpoint within this time.")] = None,
    server_bw: Annotated[float | None, typer.Option(help="Bandwidth of one file-system server.", **Bandwidth)] = None,
    server_capacity: Annotated[float | None, typer.Option(parser=quantity.byte_size, metavar="BYTES",
                                                          help="Capacity of one file-system server.")] = None,
    keep: Annotated[int, typer.Option(help="Checkpoints kept on the file system.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Checkpoint size and write/read time, data-loader bandwidth, file-system servers needed."""
    from infraprep.calc.storage import StorageInputs, storage_plan  # here, not at start-up

    if (preset is None) == (params is None):
        raise InfraprepError("give exactly one of --preset NAME or --params N")
    model = "custom"
    if preset is not None:
        config = get_model(preset)
        params, model = float(count_params(config).total), config.name
    inputs = StorageInputs(params, weight_bytes, optimizer_bytes, grad_bytes, write_bw, read_bw, tokens_per_sec,
                           bytes_per_token, target_write_time, server_bw, server_capacity, keep, model)
    show(storage_plan(inputs), as_json, f"Storage for {model} ({params:,.0f} parameters)")
