"""Running chapter notebooks with papermill (`syco run`)."""

from syco.runner.execute import parse_params, run_chapter

__all__ = ["parse_params", "run_chapter"]
