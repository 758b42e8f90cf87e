"""Self-describing run records: spec + per-sample rows + metrics, one file per chapter and
model, loaded as pandas DataFrames. Plots and tables read these, never raw model files.

A record's ``spec`` says exactly what produced it: chapter and its version, model spec,
every role (judge, grader, preference model), settings, data source and checksum, package
version. ``rows`` keep the full transcript, parsed answer, score, cache hit and error of
every sample. ``metrics`` are tidy rows: metric, subset, value, ci_low, ci_high, n,
n_errors, n_unparsed.
"""

from syco.results.lookup import pick, pick_row, select
from syco.results.store import (
    RunRecord,
    calls_table,
    latest_spec,
    load_runs,
    metrics_frame,
    metrics_table,
    rows_frame,
    run_and_save,
    run_path,
    save_run,
    spec_table,
)

__all__ = [
    "RunRecord",
    "calls_table",
    "latest_spec",
    "load_runs",
    "metrics_frame",
    "metrics_table",
    "pick",
    "pick_row",
    "rows_frame",
    "run_and_save",
    "run_path",
    "save_run",
    "select",
    "spec_table",
]
