"""§4.1's PM-vs-humans table gives each feature's P(preferred) with its 95% interval in
percent (reader's review: a 'subset | humans | trained PM' pivot of bare medians, 0.514 /
0.601, under prose that writes 'PM 60.1% [57.5%, 62.7%] vs humans 51.4% [50.0%, 53.5%]' and
counts the features whose intervals do not overlap, which the table did not let one check)."""

from __future__ import annotations

from syco.plots import display_frame
from syco.pm import learned
from syco.results import RunRecord


def _m(feature: str, who: str, v: float, lo: float, hi: float) -> dict:
    return {"metric": "p_preferred", "subset": feature, "who": who, "value": v,
            "ci_low": lo, "ci_high": hi, "n": 2048}  # fmt: skip


def test_the_table_has_intervals_in_percent_and_n() -> None:
    rec = RunRecord(
        chapter="pm_vs_humans", model="smollm2-rm", spec={"n_pairs": 2048}, rows=[],
        metrics=[_m("longer", "humans", 0.5141, 0.4999, 0.5351),
                 _m("longer", "trained PM", 0.6010, 0.5750, 0.6270),
                 _m("asks_question", "humans", 0.4960, 0.4800, 0.5040),
                 _m("asks_question", "trained PM", 0.4320, 0.3900, 0.4800)],
    )  # fmt: skip
    t = display_frame(learned.table(rec))
    assert list(t.columns) == ["feature", "humans: P(preferred) [95% CrI]",
                               "trained PM: P(preferred) [95% CrI]", "n"]  # fmt: skip
    assert t["feature"].tolist() == ["asks_question", "longer"]  # by the humans' median
    longer = t[t["feature"] == "longer"].iloc[0]
    assert longer["humans: P(preferred) [95% CrI]"] == "51% [50, 54]"
    assert longer["trained PM: P(preferred) [95% CrI]"] == "60% [57, 63]"
    assert longer["n"] == "2,048"
