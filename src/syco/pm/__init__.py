"""Preference models and best-of-N (Sharma et al. §4.2–§4.3, Figs. 6–7): the PM role of §4.2–§4.3.

- `get_pm(spec, non_sycophantic=False)` / `PreferenceModel`: a reward model (``hf/<RM>``),
  a prompted LLM PM (``smollm2``) or an API judge, scoring single responses and comparing
  pairs; `NON_SYC_PREFIX` is our wording of the truthfulness request.
- `bon_weights`, `bon_expectation`, `oracle_sycophantic`, `ns_up_to`: the exact best-of-N
  estimator over a fixed pool.
"""

from syco.pm.bon import bon_expectation, bon_weights, ns_up_to, oracle_sycophantic
from syco.pm.model import KINDS, PMScore, PreferenceModel, get_pm, prefers
from syco.pm.prompts import NON_SYC_PREFIX

__all__ = [
    "KINDS",
    "NON_SYC_PREFIX",
    "PMScore",
    "PreferenceModel",
    "bon_expectation",
    "bon_weights",
    "get_pm",
    "ns_up_to",
    "oracle_sycophantic",
    "prefers",
]
