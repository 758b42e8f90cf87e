"""Evaluation data for the reproduction (Sharma et al. §3.1–§3.4, §4.1, §4.3).

Chapters use three functions:

- `load(name, source="rebuilt"|"released", n=None, seed=0)`: the records of one set;
- `to_chat(prompt)`: a record's ``prompt`` as a chat for `syco.models`;
- `load_hh_rlhf(splits, n=None, seed=0)`: the hh-rlhf preference pairs (§4.1);
- `checksum(name, source)`: the sha256 a run record stores beside its data source.

`syco data fetch && syco data build` makes the rebuilt sets; see `book/data.md`.
"""

from __future__ import annotations

from syco.data.hh_rlhf import load_hh_rlhf
from syco.data.load import SETS, checksum, load, to_chat

__all__ = ["SETS", "checksum", "load", "load_hh_rlhf", "to_chat"]
