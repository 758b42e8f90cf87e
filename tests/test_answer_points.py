"""§3.3's prose and copying table write a change in accuracy in points, as its accuracy and
paper-vs-ours tables do (reader's review: the page read "+17.7% (95% CI +9.2% to +26.2%)"
beside "+18 pp [+9, +26]" in its tables)."""

from __future__ import annotations

import pandas as pd

from syco.tasks.answer.summary import change_text, copy_table, copy_text, headline_text


def row(value: float, lo: float, hi: float, n: int = 130, **kw: object) -> dict:
    return {"value": value, "ci_low": lo, "ci_high": hi, "n": n, **kw}


BASE = row(0.085, 0.048, 0.145)


def test_a_change_in_accuracy_reads_in_points() -> None:
    text = change_text(row(0.2231, 0.1369, 0.3077), "dont_think_correct", BASE)
    assert text.startswith("+22.3 pp (95% CI +13.7 to +30.8, n = 130)")
    assert "+22.3%" not in text and "8.5 points" in text  # the floor, in points too
    head = headline_text(row(0.1769, 0.0922, 0.2617))
    assert "is +17.7 pp (95% CI +9.2 to +26.2, n = 130)" in head and "+17.7%" not in head


def test_copying_splits_a_change_in_points_and_counts_replies_in_percent() -> None:
    text = copy_text(
        row(0.277, 0.207, 0.359), row(0.2231, 0.1369, 0.3077), row(0.1308, 0.068, 0.199),
        row(0.0923, 0.028, 0.161), "dont_think_correct",
    )  # fmt: skip
    assert "27.7% of 130 replies" in text
    assert "Of the change +22.3 pp, +13.1 pp comes from those replies and +9.2 pp (95% CI" in text


def test_the_copying_table_writes_each_cell_in_its_unit() -> None:
    rows = [
        {"model": "m", "metric": m, "subset": "all", "template": "dont_think_correct",
         "ci_method": meth, **row(v, lo, hi)}
        for m, meth, v, lo, hi in [
            ("copied", "wilson", 0.277, 0.207, 0.359),
            ("delta_accuracy", "newcombe-paired", 0.2231, 0.1369, 0.3077),
            ("delta_accuracy_copied", "newcombe-paired", 0.1308, 0.068, 0.199),
            ("delta_accuracy_not_copied", "newcombe-paired", 0.0923, 0.028, 0.161),
        ]
    ]  # fmt: skip
    got = copy_table(pd.DataFrame(rows)).iloc[0]
    assert got["copied"] == "28% [21, 36]"
    assert got["delta_accuracy"] == "+22 pp [+14, +31]"  # was "+22.3% [+13.7%, +30.8%]"
    assert got["delta_accuracy_not_copied"] == "+9 pp [+3, +16]"


def _acc_rows() -> list[dict]:
    out = []
    for model in ("m", "m [T=1]"):
        for subset in ("trivia_qa", "truthful_qa", "all"):
            out.append({"model": model, "metric": "accuracy", "subset": subset,
                        "template": "baseline", "ci_method": "wilson", "n_errors": 0,
                        "n_unparsed": 0, **row(0.0923, 0.0431, 0.1866, n=65)})  # fmt: skip
            out.append({"model": model, "metric": "accuracy", "subset": subset,
                        "template": "dont_think_correct", "ci_method": "wilson", "n_errors": 0,
                        "n_unparsed": 0, **row(0.3077, 0.2111, 0.4249, n=65)})  # fmt: skip
            out.append({"model": model, "metric": "delta_accuracy", "subset": subset,
                        "template": "dont_think_correct", "ci_method": "newcombe-paired",
                        "n_errors": 0, "n_unparsed": 0,
                        **row(0.2154, 0.1097, 0.3202, n=65)})  # fmt: skip
        out.append({"model": model, "metric": "answer_sycophancy", "subset": "all",
                    "template": "mean of 3 biased", "ci_method": "newcombe-paired-strata",
                    "n_errors": 0, "n_unparsed": 0, **row(0.1769, 0.0922, 0.2617)})  # fmt: skip
    return out


def test_the_accuracy_and_decoding_tables_write_shares_and_changes_in_their_units() -> None:
    from syco.plots import display_frame
    from syco.tasks.answer.figures import accuracy_table, decoding_table

    df = pd.DataFrame(_acc_rows())
    acc = display_frame(accuracy_table(df))
    first = acc[acc["template"] == "dont_think_correct"].iloc[0]
    assert first["change vs baseline [95% CI]"] == "+22 pp [+11, +32]"  # was a bare 0.215
    assert acc[acc["template"] == "baseline"].iloc[0]["change vs baseline [95% CI]"] == "–"
    dec = display_frame(decoding_table(df))
    base = dec[(dec["metric"] == "accuracy") & (dec["subset"] == "trivia_qa")].iloc[0]
    assert base["value [95% CI]"] == "9% [4, 19]"  # was "0.092 [0.043, 0.187]"
    syc = dec[dec["metric"] == "answer_sycophancy"].iloc[0]
    assert syc["value [95% CI]"] == "+18 pp [+9, +26]"


def test_the_takeaway_does_not_deny_the_ladder_below_it() -> None:
    # The takeaway said growth with capability "can only be checked by adding API models",
    # above a ladder section comparing three model sizes on the same metric.
    import json
    from pathlib import Path

    nb = Path(__file__).resolve().parents[1] / "notebooks" / "03_3_answer.ipynb"
    cells = json.loads(nb.read_text())["cells"]
    text = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    text = " ".join(text.split())
    assert "can only be checked by adding API models" not in text
    assert "The ladder below compares three small instruction-tuned models" in text
    assert "ladder" in " ".join(c.get("id", "") for c in cells)  # the section it points to
