"""Building the Jupyter Book (`syco book`).

The chapter notebooks are executed by papermill (`syco run`); this package re-executes them
from the answer-key cache alone (``SYCO_OFFLINE=1``, so a miss is a recorded error, never a
call), generates the pages that are computed from run records (summary, transcripts, data),
and renders everything with ``jupyter-book build``. See `syco.book.build.build_book`.
"""

from syco.book.build import BuildReport, build_book

__all__ = ["BuildReport", "build_book"]
