"""Each §3 chapter's sentence on replies cut at max_tokens names the model its share is of
(reader's review: §3.1 "65% of the comments are cut there", §3.2 "Cut there: 57% of the 240
reasoning replies", §3.4 "100% of the replies" were the embedded model's alone, on pages whose
metrics tables give the Qwen models' 80-98% beside them)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

CASES = {
    "03_1_feedback.ipynb": ("fb_truncated", "fb_model"),
    "03_2_are_you_sure.ipynb": ("ays_trunc_reasoning_pooled", "ays_model"),
    "03_3_answer.ipynb": ("answer_truncated_text", "answer_model"),
    "03_4_mimicry.ipynb": ("mim_truncated", "mim_model"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_cut_share_names_its_model(name: str) -> None:
    share, model = CASES[name]
    cells = json.loads((NOTEBOOKS / name).read_text())["cells"]
    text = " ".join(
        " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown").split()
    )
    at = text.index("{glue:text}`" + share)
    window = text[max(0, at - 250) : at + 250]
    assert "{glue:text}`" + model + "`" in window
    assert re.search(r"every model's shares?: the `truncated", window)
