from pathlib import Path

from infraprep.content.parser import parse_text

P = Path("round-3-distributed-training/questions.md")

GOOD = """# Round 3

Preamble.

## r3-q01 · A question

`r3.memory-formula` `r3.comm-volume` · difficulty 2 · derivation

First paragraph of the prompt.

Second paragraph.

**Hints**

1. first
2. second
   continued

**Follow-ups**

- probe

**Pitfalls**

- trap

**Answer:** [solutions/a.md](solutions/a.md)

## r3-q02 · Another

`r3.dualpipe` · difficulty 1 · concept

Prompt.

**Hints**

- only one

**Answer:** [solutions/b.md](solutions/b.md)
"""


def parse(text):
    return parse_text(text, P, 3)


def test_parses_every_field():
    bank = parse(GOOD)
    assert bank.problems == ()
    q1, q2 = bank.questions
    assert (q1.id, q1.title, q1.round) == ("r3-q01", "A question", 3)
    assert q1.competencies == ("r3.memory-formula", "r3.comm-volume")
    assert (q1.difficulty, q1.kind) == (2, "derivation")
    assert q1.prompt == "First paragraph of the prompt.\n\nSecond paragraph."
    assert q1.hints == ("first", "second continued")
    assert q1.followups == ("probe",) and q1.pitfalls == ("trap",)
    assert q1.answer == "solutions/a.md"
    assert (q1.line, q1.meta_line) == (5, 7)
    assert q2.hints == ("only one",) and q2.followups == ()


def messages(text):
    return [(p.line, p.message) for p in parse(text).problems]


def test_bad_heading_names_its_line():
    assert messages(GOOD.replace("## r3-q02 · Another", "## r3-question-2 Another")) == [
        (29, "heading must read '## rN-qNN · Title' (N = round, NN = 01..999)")
    ]


def test_bad_metadata_is_reported_per_field():
    cases = {
        "`r3.dualpipe` · difficulty 4 · concept": "difficulty must be 1, 2 or 3, got 'difficulty 4'",
        "`r3.dualpipe` · difficulty 1 · essay": "kind 'essay' is not one of concept, derivation, design, coding",
        "r3.dualpipe · difficulty 1 · concept": "competencies must be backticked ids, e.g. `r3.memory-formula`",
        "`r3.dualpipe` difficulty 1 concept": "metadata must read '`comp.id` · difficulty 1-3 · kind'",
    }
    for line, message in cases.items():
        assert messages(GOOD.replace("`r3.dualpipe` · difficulty 1 · concept", line)) == [(31, f"r3-q02: {message}")]


def test_unknown_section_and_text_after_answer():
    text = GOOD.replace("**Pitfalls**", "**Gotchas**")
    assert (23, "r3-q01: unknown section '**Gotchas**' (valid: Hints, Follow-ups, Pitfalls, Answer:)") in messages(text)
    text = GOOD.replace("(solutions/b.md)\n", "(solutions/b.md)\nstray text\n")
    assert messages(text) == [(40, "r3-q02: text after the '**Answer:**' line (it must come last)")]


def test_answer_without_link_and_empty_prompt():
    text = GOOD.replace("**Answer:** [solutions/b.md](solutions/b.md)", "**Answer:** see solutions")
    assert messages(text) == [(39, "r3-q02: '**Answer:**' must be followed by a [link](solutions/...)")]
    text = GOOD.replace("Prompt.\n", "")
    assert messages(text) == [(29, "r3-q02: prompt is empty")]


def test_prose_inside_a_list_section_is_an_error():
    text = GOOD.replace("- probe", "probe without a bullet")
    assert messages(text) == [(21, "r3-q01: expected a list item ('1. ' or '- ') in this section")]


def test_empty_file_has_no_questions():
    assert messages("# Round 3\n") == [(1, "no questions: expected '## rN-qNN · Title' headings")]
