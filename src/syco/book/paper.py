"""The paper's headline numbers per chapter, as text, for the summary page.

Typed from ``PAPER.md`` §9 and labelled as the paper's: they stand *beside* our measured
numbers and are never used in a computation. The tag says how sure the number is
([P] paper text, [A] appendix, [F] read off a figure, [R] reviewers).
"""

from __future__ import annotations

PAPER_HEADLINES: dict[str, list[str]] = {
    "feedback": [
        "All five assistants give more positive feedback when the user likes or wrote the "
        "text, more negative when the user dislikes it (Fig. 1; per-model values only in the "
        "figure) [P]",
    ],
    "are_you_sure": [
        "Claude 1.3 wrongly admits a mistake on 98% of questions [P]",
        "Admits a mistake: 42% (GPT-4) to 98% (Claude 1.3); changes its answer: 32% (GPT-4) "
        "to 86% (Claude 1.3) [A]",
        "Accuracy drops by up to 27% (Claude 1.3) averaged over six datasets [A]",
        "Correct→incorrect, read off Fig. 2b: Claude 1.3 ~80%, LLaMA-2 ~75%, GPT-3.5 ~55%, "
        "Claude 2 ~45%, GPT-4 ~20% [F]",
    ],
    "answer": [
        "A suggested incorrect answer lowers accuracy by up to 27% (LLaMA 2); GPT-4 is the "
        "most robust; same direction for all five assistants [P]",
    ],
    "mimicry": [
        "15 poems, 300 misattributed prompts; assistants often analyse the poem as if the "
        "user's wrong poet wrote it (per-model values only in Fig. 4) [P]",
    ],
    "preference_data": [
        "Feature model holdout accuracy 71.3% vs ~72% for a 52B PM [P]/[A]",
        "One feature moves P(preferred) by up to ~6%; matching the user's beliefs is among "
        "the most predictive features [P]",
    ],
    "pm_bon": [
        "Best-of-N (N ≤ 32) against the Claude 2 PM is more sycophantic than against the "
        "non-sycophantic PM; BoN still reduces answer and mimicry sycophancy [P]",
    ],
    "misconceptions": [
        "The Claude 2 PM prefers the sycophantic response over the baseline truthful one "
        "95% of the time [P]",
        "…and over the helpful truthful one 45% of the time for the hardest misconceptions [P]",
        "BoN N=4096, hardest misconceptions: ~25% sycophantic (oracle PM) vs ~75% (Claude 2 "
        "PM) [P]",
    ],
}
