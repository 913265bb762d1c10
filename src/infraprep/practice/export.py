"""Exports: an Anki deck of the question banks and authored drills, and a printable cheatsheet.

Anki notes carry GUIDs derived from the stable question and drill ids (``genanki.guid_for``), so
re-importing an updated deck updates the cards instead of duplicating them. Deck and note-type ids are
fixed constants for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from infraprep.content.drills import AuthoredDrill
from infraprep.content.loader import Content
from infraprep.content.render import render_answer
from infraprep.content.spine import ROUNDS
from infraprep.errors import InvalidValue

__all__ = ["DECK_ID", "MODEL_ID", "cheatsheet_text", "markdown_to_html", "write_anki", "write_cheatsheet"]

DECK_ID = 1_733_000_001  # never change: Anki matches decks by id
MODEL_ID = 1_733_000_002  # never change: Anki matches note types by id
_CSS = ".card { font-family: sans-serif; font-size: 17px; text-align: left; } table { border-collapse: collapse; } td, th { border: 1px solid #999; padding: 2px 6px; }"


def markdown_to_html(text: str) -> str:
    from markdown_it import MarkdownIt  # installed with rich

    return MarkdownIt("commonmark").enable("table").render(text)


def _identity(text: str) -> str:
    return text


def _notes(content: Content, drills: list[AuthoredDrill], render: Callable[[str], str]):
    """(guid key, round, front HTML, back HTML, tags) for every question and authored drill."""
    for q in content.questions:
        front = f"<b>{q.id} · {q.title}</b><br>{markdown_to_html(render(q.prompt))}"
        back = markdown_to_html(render(render_answer(q)))
        if q.followups:
            back += "<h4>Follow-ups</h4><ul>" + "".join(f"<li>{f}</li>" for f in q.followups) + "</ul>"
        yield q.id, q.round, front, back, [*[c.replace(".", "_") for c in q.competencies], q.kind]
    for d in drills:
        options = "".join(f"<li>{item}</li>" for item in d.items)
        listing = f"<ul>{options}</ul>" if d.kind == "choice" else f"<p>(put in order)</p><ul>{options}</ul>"
        front = f"<b>{d.id} · {d.title}</b><br>{markdown_to_html(d.prompt)}{listing}"
        answer = d.items[d.answer] if d.kind == "choice" else "<ol>" + "".join(f"<li>{s}</li>" for s in d.items) + "</ol>"
        yield d.id, int(d.id[1]), front, f"<p><b>{answer}</b></p>{markdown_to_html(d.why)}", [d.competency.replace(".", "_"), d.kind]


def write_anki(content: Content, drills: list[AuthoredDrill], path: Path, render: Callable[[str], str] = _identity) -> int:
    """Write an .apkg with one sub-deck per round; returns the number of notes.

    ``render`` turns calculator tags into numbers (the CLI passes its content renderer)."""
    if path.suffix.lower() != ".apkg":
        raise InvalidValue("FILE", str(path), "a file ending in .apkg")
    import genanki

    model = genanki.Model(
        MODEL_ID,
        "infraprep card",
        fields=[{"name": "Id"}, {"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
        css=_CSS,
    )
    decks = {r.number: genanki.Deck(DECK_ID + r.number, f"infraprep::Round {r.number} — {r.focus}") for r in ROUNDS}
    count = 0
    for key, rnd, front, back, tags in _notes(content, drills, render):
        decks[rnd].add_note(genanki.Note(model=model, fields=[key, front, back], guid=genanki.guid_for("infraprep", key),
                                         tags=tags))
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    genanki.Package(list(decks.values())).write_to_file(str(path))
    return count


def cheatsheet_text(content: Content) -> str:
    """Every round's whiteboard sheets (``whiteboard/*.md``) in one Markdown document."""
    parts = ["# infraprep whiteboard cheatsheet", "", "All formula sheets of the seven rounds, in one printable page.", ""]
    for rnd in ROUNDS:
        folder = content.root / rnd.slug / "whiteboard"
        sheets = sorted(folder.glob("*.md"), key=lambda p: (p.name != "README.md", p.name))
        parts += [f"## Round {rnd.number}: {rnd.focus}", ""]
        for sheet in sheets:
            text = sheet.read_text(encoding="utf-8")
            # demote headings two levels so each sheet nests under its round
            parts += [("##" + line) if line.startswith("#") else line for line in text.splitlines()]
            parts.append("")
    return "\n".join(parts)


def write_cheatsheet(content: Content, path: Path, render: Callable[[str], str] = _identity) -> Path:
    """Markdown (.md) or standalone HTML (.html) by extension; ``render`` evaluates calculator tags."""
    suffix = path.suffix.lower()
    if suffix not in (".md", ".html"):
        raise InvalidValue("FILE", str(path), "a file ending in .md or .html")
    text = render(cheatsheet_text(content))
    if suffix == ".html":
        style = "body{font-family:sans-serif;max-width:60em;margin:auto} table{border-collapse:collapse} td,th{border:1px solid #999;padding:2px 6px} @media print{h2{page-break-before:always}}"
        text = f"<!doctype html><meta charset=utf-8><title>infraprep cheatsheet</title><style>{style}</style>\n{markdown_to_html(text)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
