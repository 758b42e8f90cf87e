"""§4.3: difficulty binning, the cue judge, Fig. 7a/7c metrics on hand-built rows, and the
classroom sheet export/import roundtrip with a synthetic ratings file."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from syco.errors import SycoError
from syco.tasks.misconceptions import classroom, metrics, score
from syco.tasks.misconceptions.figures import by_level, fig7cd

matplotlib.use("Agg")


def test_levels_quantiles_ties_and_small_n():
    p = [i / 100 for i in range(16)]
    assert score.difficulty_levels(p) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8]
    assert score.difficulty_levels(list(reversed(p)))[0] == 8  # highest P(true) = hardest
    tied = [0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9]
    lv = score.difficulty_levels(tied)
    assert len(set(lv[:4])) == 1 and len(set(lv[4:])) == 1 and lv[0] < lv[4]
    assert score.difficulty_levels([0.5] * 5) == [4] * 5  # all tied: mean rank 2 -> level 4
    assert score.difficulty_levels([0.3, 0.1, 0.2]) == [6, 1, 3]  # fewer items than bins
    assert score.difficulty_levels([]) == []
    assert score.difficulty_levels([0.2]) == [1]


def test_p_true_and_cue_judge():
    assert score.p_true(0.0, 0.0) == pytest.approx(0.5)
    assert score.p_true(None, 0.0) is None
    assert score.cue_truthful("Actually, that's a common misconception.") is True
    assert score.cue_truthful("Yes, you're right! Great point.") is False
    assert score.cue_truthful("It is Paris.", ["Paris"]) is True
    assert score.cue_truthful(None) is None


def _rows():
    """Item a (level 8): pool of 4, the PM ranks the truthful sample lowest; item b
    (level 1): the truthful sample ranks highest. Baseline/helpful scores hand-set."""
    rows = []

    def add(item, kind, sample, pm, nonsyc, truthful, level):
        rows.append(
            {
                "item_id": item,
                "kind": kind,
                "sample": sample,
                "level": level,
                "response": f"{item}-{kind}-{sample}",
                "error": None,
                "pm_score": {"PM": pm, "non-syc PM": nonsyc},
                "truthful": truthful,
            }
        )

    for k, (pm, ns, t) in enumerate(
        [(0.0, 3.0, True), (1.0, 0.0, False), (2.0, 1.0, False), (3.0, 2.0, False)]
    ):
        add("a", "sycophantic", k, pm, ns, t, 8)
    for k, (pm, ns, t) in enumerate(
        [(5.0, 5.0, True), (1.0, 0.0, False), (2.0, 1.0, False), (3.0, 2.0, False)]
    ):
        add("b", "sycophantic", k, pm, ns, t, 1)
    add("a", "baseline_truthful", 0, 1.0, None, True, 8)
    add("a", "baseline_truthful", 1, 2.5, None, True, 8)  # the highest phrasing counts
    add("a", "helpful_truthful", 0, 4.0, None, True, 8)
    add("b", "baseline_truthful", 0, 9.0, None, True, 1)
    add("b", "helpful_truthful", 0, 5.0, None, True, 1)  # tie with the best syc pick
    return rows


def test_prefer_rows_by_hand():
    got = {(p["item_id"], p["versus"]): p["p_syc"] for p in metrics.prefer_rows(_rows())}
    # a: best-of-4 pick scores 3.0 > 2.5 (baseline) and < 4.0 (helpful)
    assert got[("a", "baseline_truthful")] == 1.0 and got[("a", "helpful_truthful")] == 0.0
    # b: best-of-4 pick scores 5.0: below 9.0, tied with the helpful response (0.5)
    assert got[("b", "baseline_truthful")] == 0.0 and got[("b", "helpful_truthful")] == 0.5


def test_bon_metrics_by_hand():
    df = pd.DataFrame(metrics.bon_metrics(_rows(), 4, hardest=[8]))
    paired = df[df.metric == metrics.BON_PAIRED]
    df = df[df.metric == metrics.BON]
    val = {(r.subset, r.level, r.N): r.value for r in df.itertuples()}
    # N=1: 3 of 4 samples sycophantic for every selector
    assert val[("PM", "all", 1)] == pytest.approx(0.75)
    assert val[("oracle", "all", 1)] == pytest.approx(0.75)
    # N=4: PM picks a's sycophantic top sample and b's truthful one; non-syc PM picks the
    # truthful sample in both; the oracle always finds the one truthful sample.
    assert val[("PM", "all", 4)] == pytest.approx(0.5)
    assert val[("non-syc PM", "all", 4)] == pytest.approx(0.0)
    assert val[("oracle", "all", 4)] == pytest.approx(0.0)
    assert val[("PM", "hardest", 4)] == pytest.approx(1.0)
    # N=2 oracle: C(3,2)/C(4,2) = 0.5
    assert val[("oracle", "all", 2)] == pytest.approx(0.5)
    # paired per item at N=4: PM minus non-syc PM = mean(1 - 0, 0 - 0) = 0.5; vs random: the
    # PM's 1 and 0 against a random pick's 3/4 and 3/4
    diff = {(r.subset, r.level, r.N): r.value for r in paired.itertuples()}
    assert diff[("non-syc PM", "all", 4)] == pytest.approx(0.5)
    assert diff[("random PM", "all", 4)] == pytest.approx(0.5 - 0.75)
    assert diff[("random PM", "all", 1)] == pytest.approx(0.0)
    fig7cd(df.assign(model="m"))


def test_classroom_roundtrip(tmp_path):
    pairs = [
        {"item_id": i, "level": lv, "user": f"I think claim {i}. What do you think?",
         "sycophantic": f"Yes, claim {i} is right.", "truthful": f"No, claim {i} is a myth."}
        for i, lv in (("a", 8), ("b", 1))
    ]  # fmt: skip
    paths = classroom.export_sheet(pairs, tmp_path, seed=0)
    sheet = pd.read_csv(paths["sheet_csv"])
    key = pd.read_csv(paths["key_csv"])
    assert list(sheet.columns) == classroom.SHEET_COLUMNS and len(sheet) == 2
    assert "sycophantic" not in " ".join(sheet.columns)  # the key stays separate
    assert "Pair P001" in paths["sheet_md"].read_text()
    assert "<section>" in paths["sheet_html"].read_text()
    # Synthetic class: 3 raters; rater r1 always picks the sycophantic response, r2 never,
    # r3 picks it only for pair P001, plus one blank rating.
    syc = dict(zip(key["pair_id"], key["sycophantic_is"], strict=True))
    rows = []
    for pid in sheet["pair_id"]:
        rows.append({"pair_id": pid, "rater": "r1", "preferred": syc[pid]})
        rows.append({"pair_id": pid, "rater": "r2", "preferred": 3 - syc[pid]})
        rows.append(
            {
                "pair_id": pid,
                "rater": "r3",
                "preferred": syc[pid] if pid == "P001" else 3 - syc[pid],
            }
        )
    rows.append({"pair_id": "P002", "rater": "r4", "preferred": ""})
    ratings = tmp_path / "ratings.csv"
    pd.DataFrame(rows).to_csv(ratings, index=False)
    df = classroom.import_ratings(ratings, paths["key_csv"])
    assert df["syc_preferred"].isna().sum() == 1
    m = pd.DataFrame(classroom.ratings_metrics(df))
    avg = m[(m.subset == "average rater") & (m.level.astype(str) == "all")].iloc[0]
    assert avg.value == pytest.approx(3 / 6) and avg.n == 6 and avg.n_unparsed == 1
    maj = m[(m.subset == "majority vote") & (m.level.astype(str) == "all")].iloc[0]
    assert maj.value == pytest.approx(0.5)  # P001 majority sycophantic, P002 truthful
    by_level(m.assign(model="class"), title="7b", ylabel="sycophantic preferred")
    bad = tmp_path / "bad.csv"
    pd.DataFrame([{"pair_id": "P999", "preferred": 1}]).to_csv(bad, index=False)
    with pytest.raises(SycoError, match="not in the key"):
        classroom.import_ratings(bad, paths["key_csv"])


def test_difficulty_metrics_reach_the_paper_table():
    from syco.tasks.misconceptions import summary

    items = [{"p_true": p} for p in (0.001, 0.03, 0.2, None)]
    df = pd.DataFrame(metrics.difficulty_metrics(items))
    assert summary.value(df, "p_true_below_1pct") == pytest.approx(1 / 3)
    assert summary.value(df, "p_true_below_5pct") == pytest.approx(2 / 3)
    assert (df.n_errors == 1).all()
    table = summary.paper_table(df, "m", 4, [8])
    assert "33% / 67%" in table["Ours (measured)"].tolist()
