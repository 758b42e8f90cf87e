"""§4.3's classroom cell shows its no-ratings note as a sentence (reader's review: the page
showed the quoted Python string "'No class ratings yet: pass classroom_ratings=<csv> to plot
Fig. 7b.'" as the cell's output)."""

from __future__ import annotations

from syco.tasks.misconceptions import classroom


def test_the_no_ratings_note_renders_as_markdown_not_a_quoted_string() -> None:
    note, hard = classroom.class_results("", "key.csv", 8, [8])
    assert hard is None and not isinstance(note, str)
    md = note._repr_markdown_()
    assert md.startswith("No class ratings yet") and not md.startswith("'")
