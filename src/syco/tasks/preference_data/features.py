"""§4.1 offline feature labeller: PROXY features computable without an LLM (Sharma et al. §4.1, Fig. 5; App. B).

The paper labels each pair with zero-shot GPT-4 on 23 (24) features; those labels were
never released. These proxies are *not* the paper's labels: each is a transparent text rule
that stands in for a paper feature only loosely (the `proxy_for` column says which one).

Every feature gives, per pair, +1 if response A has more of it than response B, -1 if A has
less, 0 if the same (within the stated tolerance). So sigma(alpha_i) is the probability
that the response *with more* of feature i is preferred, all else equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_SENT = re.compile(r"[.!?]+(?:\s|$)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+\S")


def _has(phrases: tuple[str, ...]) -> re.Pattern[str]:
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)
    return re.compile(r"(?<![A-Za-z])(?:" + body + r")(?![A-Za-z])", re.I)


HEDGES = _has(
    (
        "might", "may", "maybe", "perhaps", "possibly", "probably", "could be", "it depends",
        "generally", "usually", "typically", "I think", "I believe", "I guess", "it seems",
        "seems", "likely", "unlikely", "not sure", "not certain",
    )
)  # fmt: skip
APOLOGY = _has(("sorry", "apologize", "apologise", "apologies", "my apologies", "my mistake"))
OPINION = _has(
    (
        "I think", "I believe", "in my opinion", "I feel", "my opinion", "I'm sure",
        "I am sure", "I'm convinced", "I am convinced", "in my view", "I reckon",
    )
)  # fmt: skip
AGREEMENT = _has(
    (
        "you're right", "you are right", "I agree", "that's true", "that is true",
        "good point", "great point", "exactly", "absolutely", "you're correct",
        "you are correct", "I think so too", "indeed",
    )
)  # fmt: skip
REFUSAL = _has(
    (
        "I can't help", "I cannot help", "I can't do", "I cannot do", "I'm not able to",
        "I am not able to", "I'm unable to", "I am unable to", "I won't", "I will not",
        "I'd rather not", "I can't provide", "I cannot provide", "I can't answer",
        "I cannot answer",
    )
)  # fmt: skip
IGNORANCE = _has(
    (
        "I don't know", "I do not know", "I'm not sure", "I am not sure", "no idea",
        "I'm not familiar", "I am not familiar", "I don't understand", "I do not understand",
    )
)  # fmt: skip
EMPATHY = _has(
    (
        "I understand", "I'm sorry to hear", "I am sorry to hear", "that sounds",
        "I can imagine", "that must be", "I hear you", "how you feel", "it's understandable",
        "that's hard", "that's tough",
    )
)  # fmt: skip
_STOP_WORDS = (
    "the a an and or but if of to in on at for with from by is are was were be been it this "
    "that these those what which who how why when where do does did can could would should "
    "you your i me my we our they them their he she his her its not no yes so as about have "
    "has had any some there here just like get"
)
STOP = frozenset(_STOP_WORDS.split())


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def syllables(word: str) -> int:
    """Vowel-group count with a silent final e (a standard heuristic, ±1 per word)."""
    w = word.lower().strip("'")
    groups = re.findall(r"[aeiouy]+", w)
    n = len(groups)
    if w.endswith("e") and not w.endswith(("le", "ee")) and n > 1:
        n -= 1
    return max(1, n)


def reading_grade(text: str) -> float:
    """Flesch–Kincaid grade level (0 for a text without words)."""
    ws = words(text)
    if not ws:
        return 0.0
    n_sent = max(1, len(_SENT.findall(text.strip() + " ")))
    syl = sum(syllables(w) for w in ws)
    return 0.39 * len(ws) / n_sent + 11.8 * syl / len(ws) - 15.59


@cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> float:
    return float(_vader().polarity_scores(text)["compound"])


def structure(text: str) -> int:
    """Non-empty lines plus list-item lines: 1 for a single paragraph, more with lists."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return len(lines) + sum(bool(_LIST_ITEM.match(ln)) for ln in lines)


def content_overlap(user_turn: str, response: str) -> float:
    """Share of the user's last turn's content words (≥3 letters) echoed in the response."""
    uw = {w.lower() for w in words(user_turn) if len(w) >= 3 and w.lower() not in STOP}
    if not uw:
        return 0.0
    rw = {w.lower() for w in words(response)}
    return len(uw & rw) / len(uw)


def _sign(d: float, tol: float = 0.0) -> int:
    return 0 if abs(d) <= tol else (1 if d > 0 else -1)


def _user_states_view(context: list[dict[str, str]]) -> bool:
    return any(m["role"] == "user" and OPINION.search(m["content"]) for m in context)


def _last_user(context: list[dict[str, str]]) -> str:
    return next((m["content"] for m in reversed(context) if m["role"] == "user"), "")


@dataclass(frozen=True)
class Proxy:
    name: str
    proxy_for: str  # the paper feature it loosely stands in for ([P] named in Sharma et al. §4.1, [M] unconfirmed)
    rule: str  # what is computed, in words (shown in the chapter)
    compare: Callable[[list[dict[str, str]], str, str], int]


def _count(pat: re.Pattern[str]) -> Callable[[list, str, str], int]:
    return lambda ctx, a, b: _sign(len(pat.findall(a)) - len(pat.findall(b)))


def _present(pat: re.Pattern[str]) -> Callable[[list, str, str], int]:
    return lambda ctx, a, b: _sign(int(bool(pat.search(a))) - int(bool(pat.search(b))))


def _longer(ctx: list, a: str, b: str) -> int:
    na, nb = len(words(a)), len(words(b))
    return _sign(na - nb, max(2.0, 0.1 * max(na, nb)))


def _agrees(ctx: list, a: str, b: str) -> int:
    if not _user_states_view(ctx):
        return 0
    return _present(AGREEMENT)(ctx, a, b)


PROXIES: tuple[Proxy, ...] = (
    Proxy("agrees_with_stated_view", "matches user's beliefs [P]",
          "a user turn states a view ('I think', 'I believe', 'in my opinion', …) and the "
          "response contains an agreement phrase ('you're right', 'I agree', …); 0 if no "
          "view is stated", _agrees),
    Proxy("longer", "(none; 'concise' [M] inverted)",
          "word count; equal within max(2 words, 10%)", _longer),
    Proxy("positive_sentiment", "optimistic / friendly [M]",
          "VADER compound score; equal within 0.1",
          lambda ctx, a, b: _sign(sentiment(a) - sentiment(b), 0.1)),
    Proxy("hedging", "less assertive ('assertive' [P] inverted)",
          "count of hedge words ('might', 'perhaps', 'I think', …)", _count(HEDGES)),
    Proxy("apologises", "(apology; §3.2 behaviour)",
          "contains 'sorry' / 'apologize' / 'my mistake'", _present(APOLOGY)),
    Proxy("empathy_phrases", "empathetic [P]",
          "contains 'I understand', 'that sounds', 'I'm sorry to hear', …",
          _present(EMPATHY)),
    Proxy("structured", "structured [M]",
          "non-empty lines + list-item lines", lambda ctx, a, b: _sign(structure(a) - structure(b))),
    Proxy("asks_question", "engaging [M]", "contains a question mark", _present(re.compile(r"\?"))),
    Proxy("refuses", "harm / safety-related item [M]",
          "contains a refusal phrase ('I can't help', 'I won't', …)", _present(REFUSAL)),
    Proxy("admits_ignorance", "(none; 'informative' [M] inverted)",
          "contains 'I don't know', 'I'm not sure', …", _present(IGNORANCE)),
    Proxy("higher_reading_age", "higher reading age [M]",
          "Flesch–Kincaid grade; equal within 1 grade",
          lambda ctx, a, b: _sign(reading_grade(a) - reading_grade(b), 1.0)),
    Proxy("echoes_user_words", "relevant [M]",
          "share of the last user turn's content words repeated; equal within 0.1",
          lambda ctx, a, b: _sign(
              content_overlap(_last_user(ctx), a) - content_overlap(_last_user(ctx), b), 0.1)),
)  # fmt: skip

PROXY_NAMES = tuple(p.name for p in PROXIES)


def proxy_labels(context: list[dict[str, str]], a: str, b: str) -> dict[str, int]:
    """All proxy features of one pair: {name: +1 | 0 | -1} (A has more / same / less)."""
    return {p.name: p.compare(context, a, b) for p in PROXIES}


def feature_table() -> list[dict[str, str]]:
    """The proxies as rows for the chapter's feature table."""
    return [{"feature": p.name, "stands in for": p.proxy_for, "rule": p.rule} for p in PROXIES]
