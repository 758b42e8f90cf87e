"""Imports of libraries that pull in ``tqdm.auto`` (transformers, numpyro).

In a Jupyter kernel without ipywidgets, ``tqdm.auto`` warns "IProgress not found" on import,
and papermill would publish that warning in the chapter page. Importing under
`widget_warning_off` keeps it out; nothing else is silenced.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def widget_warning_off() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        yield
