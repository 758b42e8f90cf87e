"""Chapter parameters from the command line, checked before a kernel starts.

Papermill only warns about unknown parameters, injects any value of any type, and writes
every parameter into the executed notebook, which is published. So here: unknown names are
an error; each value must have the type the notebook declares (its default's type; ``None``
also where the default is ``None`` or the comment says ``None``; a ``True``/``False`` where
the comment names it; an int where a float is expected); counts, sizes, token limits and
temperatures must be in range; model specs must parse; and anything that looks like a
credential is refused without being echoed (keys come from the environment only).
"""

from __future__ import annotations

import ast
import re
from typing import Any

from syco.errors import SycoError
from syco.secrets import SECRET_NAME, looks_like_secret

# Ranges by parameter name, for the parameter cells' conventions (`n`, `n_*`, `*_size`...).
COUNT = re.compile(
    r"^(n|n_\w+|\w+_size|levels|num_\w+|\w*max_tokens\w*|max_\w+_chars|\w+_chains|\w+_samples)$"
)
# (name pattern, test, what it must be): the first pattern that matches applies.
RANGES: list[tuple[re.Pattern[str], Any, str]] = [
    (COUNT, lambda v: v >= 1, "a count of at least 1"),
    (re.compile(r"^seed$"), lambda v: v >= 0, "a seed of at least 0"),
    (re.compile(r"^temperature\w*$"), lambda v: 0 <= v <= 2, "a temperature from 0 to 2"),
    (re.compile(r"^\w+_frac$"), lambda v: 0 < v < 1, "a fraction between 0 and 1"),
    (re.compile(r"^prior_\w+$"), lambda v: v > 0, "a positive scale"),
]
MODEL_LISTS = ("models",)


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` strings -> dict; values are Python literals when they parse as one."""
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            shown = "(value hidden)" if looks_like_secret(pair) else repr(pair)
            raise SycoError(f"parameter {shown} is not key=value (e.g. -p n=20)")
        key, raw = pair.split("=", 1)
        key = key.strip()
        try:
            value: Any = ast.literal_eval(raw)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = raw
        out[key] = value
    return out


def _default(info: dict[str, Any]) -> Any:
    try:
        return ast.literal_eval(str(info.get("default")))
    except (ValueError, SyntaxError):
        return None


def _type_name(value: Any) -> str:
    return {str: "a string", bool: "True/False", int: "an integer", float: "a number"}.get(
        type(value), "a list" if isinstance(value, list | tuple) else type(value).__name__
    )


def _item_fits(v: Any, kind: type) -> bool:
    if kind is bool or isinstance(v, bool):
        return kind is bool and isinstance(v, bool)
    return isinstance(v, (int, float) if kind is float else kind)


def _fits(value: Any, default: Any, help_text: str) -> bool:
    if value is None:
        return default is None or re.search(r"\bNone\b", help_text) is not None
    if isinstance(value, bool) and not isinstance(default, bool):
        return re.search(rf"\b{value}\b", help_text) is not None
    if default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    if isinstance(default, int):
        return isinstance(value, int)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list | tuple):
        if not isinstance(value, list | tuple):
            return False
        kinds = {type(v) for v in default}
        return len(kinds) != 1 or all(_item_fits(v, next(iter(kinds))) for v in value)
    return isinstance(value, type(default))


def _check_range(key: str, value: Any) -> None:
    rule = next(((test, what) for pat, test, what in RANGES if pat.match(key)), None)
    if rule is None:
        return
    test, what = rule
    for v in value if isinstance(value, list | tuple) else [value]:
        if isinstance(v, int | float) and not isinstance(v, bool) and not test(v):
            raise SycoError(f"parameter {key}={v!r} is out of range: it must be {what}")


def check_params(chapter: str, params: dict[str, Any], known: dict[str, Any]) -> None:
    """Refuse unknown names, secrets, wrong types, out-of-range numbers, bad model specs."""
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise SycoError(
            f"unknown parameter(s) for {chapter}: {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    for key, value in params.items():
        if SECRET_NAME.search(key) or looks_like_secret(value):
            raise SycoError(
                f"parameter {key!r} looks like a credential: parameters are published in the "
                "book, so it was not used; pass API keys through environment variables only"
            )
    for key, value in params.items():
        info = known[key] if isinstance(known[key], dict) else {}
        default = _default(info)
        help_text = str(info.get("help") or "")
        if key in MODEL_LISTS and isinstance(value, str):
            raise SycoError(
                f"parameter {key} takes a list of model specs, not a string: use "
                f"-m {value} (repeatable) or -p \"{key}=['{value}']\""
            )
        if not _fits(value, default, help_text):
            raise SycoError(
                f"parameter {key}={value!r} has the wrong type: the notebook's default is "
                f"{default!r} ({_type_name(default)}); see `-p {key}=...` in its parameters cell"
            )
        _check_range(key, value)
        if key in MODEL_LISTS:
            from syco.models.registry import parse_spec

            for spec in value:
                parse_spec(str(spec))
