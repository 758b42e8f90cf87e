"""Do the two engines of the embedded model tell the same story? Every metric of the
chapters run with both `smollm2` (OpenVINO int8) and `smollm2-hf` (transformers fp32) on the
same items, side by side with 95% CIs.

"CIs overlap" is the agreement asked for; "inside" (each engine's value lies inside the
other's CI) is stricter and shown beside it.
Sampled replies (T=1) differ between engines by construction (different random streams),
so only metrics can agree, not transcripts.

Run after the chapters ran both models, e.g.
`syco run answer -m smollm2 -m smollm2-hf` (the `smollm2-hf` answer key of round 1 replays
from the cache), then `python benchmarks/engine_parity.py [chapter ...] [--md out.md]`.
"""

from __future__ import annotations

import argparse
import math

import pandas as pd

from syco.results import metrics_frame

NEW, OLD = "smollm2", "smollm2-hf"


def _fmt(v: float, lo: float, hi: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{v:.3g} [{lo:.3g}, {hi:.3g}]"


def _inside(x: float, lo: float, hi: float) -> bool:
    return all(not pd.isna(v) for v in (x, lo, hi)) and lo - 1e-12 <= x <= hi + 1e-12


def parity(chapters: list[str] | None, old_label: str = "transformers fp32") -> pd.DataFrame:
    df = metrics_frame()
    # A label is the policy, then any role or setting in brackets ("smollm2 [PM smollm2-rm]",
    # "smollm2 [T=1]"): pair the two engines under the same bracket.
    split = df["model"].astype(str).str.extract(r"^(?P<policy>[^ \[]+)\s*(?P<setting>\[.*\])?$")
    df = df.assign(policy=split["policy"], setting=split["setting"].fillna(""))
    df = df[df["policy"].isin([NEW, OLD])]
    if chapters:
        df = df[df["chapter"].isin(chapters)]
    # Everything that names a row (a template, framing, domain, N ... beside the subset), so
    # each engine's row is paired with the same row of the other, never with a sibling.
    ids = ("chapter", "setting", "metric", "subset", "template", "framing", "domain", "task")
    ids += ("level", "N")
    keys = [c for c in ids if c in df.columns]
    # A key a metric does not use is empty (not "nan"), so the table shows it blank.
    df = df.assign(**{k: df[k].map(lambda v: "" if pd.isna(v) else str(v)) for k in keys})
    new = df[df["policy"] == NEW].set_index(keys)
    old = df[df["policy"] == OLD].set_index(keys)
    both = new.add_suffix("_new").join(old.add_suffix("_old"), how="inner")
    rows = []
    for key, r in both.iterrows():
        inside = _inside(r["value_new"], r["ci_low_old"], r["ci_high_old"]) and _inside(
            r["value_old"], r["ci_low_new"], r["ci_high_new"]
        )
        overlap = max(r["ci_low_new"], r["ci_low_old"]) <= min(r["ci_high_new"], r["ci_high_old"])
        rows.append(
            {
                **dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)),
                "n": int(r["n_new"]) if not pd.isna(r["n_new"]) else None,
                "smollm2 (OpenVINO int8)": _fmt(r["value_new"], r["ci_low_new"], r["ci_high_new"]),
                f"smollm2-hf ({old_label})": _fmt(
                    r["value_old"], r["ci_low_old"], r["ci_high_old"]
                ),
                "CIs overlap": "yes" if overlap else "NO",
                "inside": "yes" if inside else "no",
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    unused = [c for c in out.columns if out[c].map(lambda v: str(v) in ("nan", "None", "")).all()]
    return out.drop(columns=unused)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("chapters", nargs="*")
    ap.add_argument("--md", default=None, help="write the table as markdown here too")
    ap.add_argument(
        "--old-label",
        default="transformers fp32",
        help="how smollm2-hf ran (e.g. 'transformers bf16, GPU' for records made on a GPU)",
    )
    args = ap.parse_args()
    table = parity(args.chapters or None, args.old_label)
    text = table.to_markdown(index=False) if not table.empty else "(no metric run by both)"
    if not table.empty:
        n_over = int((table["CIs overlap"] == "yes").sum())
        n_in = int((table["inside"] == "yes").sum())
        text += (
            f"\n\nCIs overlap: {n_over}/{len(table)} metrics; each value inside the other's "
            f"CI: {n_in}/{len(table)}"
        )
    print(text)
    if args.md:
        with open(args.md, "w", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
