"""``infraprep export anki|cheatsheet``."""


from pathlib import Path
from typing import Annotated

import typer

from infraprep.cli.output import JSON_HELP, console, emit_json

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, help="Export cards to Anki, or the formula sheets to one page.")


@app.callback()
def _group() -> None:
    # A callback keeps this a group even while it has a single command (typer would collapse it).
    pass


@app.command("anki")
def anki(
    file: Annotated[Path, typer.Argument(metavar="FILE.apkg", help="Where to write the Anki package.")],
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """All questions (prompt → model answer) and authored drills as an Anki deck, one sub-deck per round."""
    from infraprep.cli.content_render import render
    from infraprep.content.loader import load_content
    from infraprep.practice.drills.authored import authored_items
    from infraprep.practice.export import write_anki

    count = write_anki(load_content(), authored_items(), file, render)
    if as_json:
        emit_json({"file": str(file), "notes": count})
    else:
        console.print(f"Wrote {count} notes to {file}; re-importing an updated deck updates cards in place.")


@app.command("cheatsheet")
def cheatsheet(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write it: .md or .html.")],
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Every round's whiteboard formula sheets in one printable Markdown or HTML page."""
    from infraprep.cli.content_render import render
    from infraprep.content.loader import load_content
    from infraprep.practice.export import write_cheatsheet

    path = write_cheatsheet(load_content(), file, render)
    if as_json:
        emit_json({"file": str(path), "bytes": path.stat().st_size})
    else:
        console.print(f"Wrote {path}")
