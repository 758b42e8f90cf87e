"""§4.2/§4.3 page numbers: the share of replies cut at max_tokens (with n), the paper
tables' gap rows read against the prefix test, and the §4.3 helpful-reply text when no
helpful reply is judged truthful. Hand-built metric rows."""

from __future__ import annotations

import pandas as pd

from syco.stats import metric_row
from syco.tasks.misconceptions import prefix
from syco.tasks.misconceptions import summary as mc_summary
from syco.tasks.pm_bon import metrics as bon_metrics
from syco.tasks.pm_bon import summary as bon_summary
from syco.tasks.pm_bon.run import sample_pools


class _Cut:
    """A stand-in policy: sample k stops at max_tokens when k is odd; prompt p1 errors."""

    def generate(self, chats, cfg, sample_indices, desc=""):
        from syco.models.types import Completion

        out = []
        for chat, k in zip(chats, sample_indices, strict=True):
            if chat[0]["content"] == "p1":
                out.append(Completion.failed("boom"))
            else:
                out.append(Completion(text="a reply", stop_reason="length" if k % 2 else "stop"))
        return out


def test_pool_samples_carry_the_cut_flag_and_the_share_is_reported(monkeypatch):
    import importlib

    run_mod = importlib.import_module("syco.tasks.pm_bon.run")  # the package's `run` is a function
    monkeypatch.setattr(run_mod, "get_model", lambda spec: _Cut())
    prompts = [
        {"prompt_id": p, "task": t, "group": p, "condition": "baseline",
         "chat": [{"role": "user", "content": p}]}
        for p, t in (("p0", "answer"), ("p1", "mimicry"))
    ]  # fmt: skip
    rows = sample_pools("m", prompts, pool_size=4, temperature=1.0, max_tokens=8)
    assert [r["truncated"] for r in rows] == [False, True, False, True, None, None, None, None]
    got = {r["subset"]: r for r in bon_metrics.truncation_rows(rows)}
    assert got["all"]["value"] == 0.5 and got["all"]["n"] == 4 and got["all"]["n_errors"] == 4
    assert got["mimicry"]["n"] == 0 and got["mimicry"]["n_errors"] == 4
    df = pd.DataFrame(bon_metrics.truncation_rows(rows)).assign(model="m")
    nums = bon_summary.truncation_numbers(df, "m")
    assert nums["bon_truncated"] == 0.5 and nums["bon_truncated_n"] == 4


def _curves() -> pd.DataFrame:
    rows = []
    for metric in bon_metrics.METRICS.values():
        for pm, v in (("PM", 0.3), ("non-syc PM", 0.1), ("random PM", 0.2)):
            for n in (1, 8):
                rows.append({**metric_row(metric, [v], subset=pm, N=n), "model": "m"})
    return pd.DataFrame(rows)


def test_paper_table_marks_the_gap_rows_by_the_premise():
    q = "Quantity"
    works = bon_summary.paper_table(_curves(), "m", 8, premise=prefix.PREMISE["truthful"])
    fails = bon_summary.paper_table(_curves(), "m", 8, premise=prefix.PREMISE["sycophantic"])
    assert not works[q].str.contains("not the paper's test").any()
    gap_rows = fails[fails[q].str.contains("PM minus non-syc PM")]  # 3 metrics + 1 template
    assert len(gap_rows) == 4 and gap_rows[q].str.contains("not the paper's test here").all()
    premise = fails[fails[q].str.startswith("premise")]
    assert premise["Ours (measured)"].tolist() == ["no: toward sycophantic replies"]


def test_misconceptions_helpful_text_when_none_is_judged_truthful():
    rows = [
        metric_row("judged_truthful", [0.0] * 4, subset="helpful_truthful", level="all"),
        metric_row(
            "pm_prefers_sycophantic", [], subset="helpful_truthful", level="all", n_not_truthful=4
        ),  # fmt: skip
        metric_row("pm_prefers_sycophantic", [], subset="helpful_truthful", level=8),
    ]
    got = mc_summary.helpful_numbers(pd.DataFrame(rows), [8])
    assert got["mc_helpful_truthful_k"] == 0 and got["mc_helpful_judged_n"] == 4
    assert got["mc_vs_helpful_n"] == 0
    assert got["mc_vs_helpful_text"].startswith("not measured")
    assert got["mc_vs_helpful_hard_text"].startswith("not measured")
    assert "nan" not in got["mc_vs_helpful_text"] + got["mc_vs_helpful_hard_text"]


def test_misconceptions_helpful_text_with_judged_truthful_items():
    rows = [
        metric_row(
            "judged_truthful", [1.0, 0.0] * 10, subset="helpful_truthful", level="all"
        ),  # fmt: skip
        metric_row(
            "pm_prefers_sycophantic", [1.0, 0.0] * 5, subset="helpful_truthful", level="all"
        ),  # fmt: skip
        metric_row("pm_prefers_sycophantic", [1.0], subset="helpful_truthful", level=8),
    ]
    got = mc_summary.helpful_numbers(pd.DataFrame(rows), [8])
    assert got["mc_helpful_truthful_k"] == 10 and got["mc_vs_helpful_n"] == 10
    assert (
        got["mc_vs_helpful_text"].startswith("50% [")
        and "n = 10 items" in got["mc_vs_helpful_text"]
    )
    assert got["mc_vs_helpful_hard_text"] == "not measurable (n = 1 item; 10 or more needed)"
