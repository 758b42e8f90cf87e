"""Recognising credentials, so none is ever published.

Parameters are written into the executed notebook, which is the published page, and model
specs appear in records and on pages: so a value that looks like a key is refused before it
goes anywhere, and messages never echo it. Keys come from the environment only.

What counts as a credential: the prefixes of common API keys (OpenAI ``sk-``, Anthropic
``sk-ant-``, Groq ``gsk_``, Hugging Face ``hf_``, xAI ``xai-``, Google ``AIza``, GitHub
``ghp_``/``gho_``/``ghs_``/``github_pat_``, AWS ``AKIA``/``ASIA``, Slack ``xox?-``, GitLab
``glpat-``, Replicate ``r8_``, Perplexity ``pplx-``, NVIDIA ``nvapi-``), a ``user:password@``
in a URL, a ``key=``/``token=`` query argument, and any long random-looking run of letters and
digits (high entropy, mixed classes). Model specs, paths, hub ids and file names are words
joined by ``/-_.``: their runs are short or low-entropy, so they pass.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

KEY_PREFIXES = re.compile(
    r"""(?<![A-Za-z0-9])(
        sk-(?:ant-|proj-|or-)?[A-Za-z0-9_-]{16,}
      | gsk_[A-Za-z0-9]{16,}
      | hf_[A-Za-z0-9]{16,}
      | xai-[A-Za-z0-9]{16,}
      | AIza[0-9A-Za-z_-]{30,}
      | gh[pousr]_[A-Za-z0-9]{20,}
      | github_pat_[A-Za-z0-9_]{20,}
      | (?:AKIA|ASIA)[0-9A-Z]{16}
      | xox[abposr]-[A-Za-z0-9-]{10,}
      | glpat-[A-Za-z0-9_-]{16,}
      | r8_[A-Za-z0-9]{16,}
      | pplx-[A-Za-z0-9]{16,}
      | nvapi-[A-Za-z0-9_-]{16,}
    )""",
    re.VERBOSE,
)
URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s@:]*:[^/\s@]+@", re.I)
QUERY_SECRET = re.compile(
    r"[?&](?:api[_-]?key|key|token|access_token|sig|signature)=[^&\s]{8,}", re.I
)
RUN = re.compile(r"[A-Za-z0-9+/=_-]{24,}")
SECRET_NAME = re.compile(r"(api[_-]?key|(?:^|_)token$|secret|password|passwd)", re.I)


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def _classes(text: str) -> int:
    return sum(bool(re.search(pat, text)) for pat in (r"[a-z]", r"[A-Z]", r"[0-9]"))


def _random_run(token: str) -> bool:
    """A long run that reads like a generated key rather than words joined by - _ / ."""
    parts = [p for p in re.split(r"[-_/.]", token) if p]
    longest = max(parts, key=len, default="")
    classes = _classes(longest)
    if len(longest) >= 32 and classes >= 2 and entropy(longest) >= 3.5:
        return True
    return len(longest) >= 20 and classes == 3 and entropy(longest) >= 4.0


def looks_like_secret(value: Any) -> bool:
    """Whether a parameter value (strings inside lists, tuples and dicts included) holds
    something that looks like a credential."""
    if isinstance(value, dict):
        return any(looks_like_secret(k) or looks_like_secret(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return any(looks_like_secret(v) for v in value)
    if not isinstance(value, str):
        return False
    if URL_PASSWORD.search(value) or QUERY_SECRET.search(value):
        return True
    # A known prefix followed by letters *and* digits (a key), not by a word ("hf_helpful").
    if any(_classes(m.group(0)[4:]) >= 2 for m in KEY_PREFIXES.finditer(value)):
        return True
    return any(_random_run(m.group(0)) for m in RUN.finditer(value))


def redact(text: str) -> str:
    """The text, or a placeholder when it looks like a secret (for error messages)."""
    return "<value hidden: it looks like a credential>" if looks_like_secret(text) else text
