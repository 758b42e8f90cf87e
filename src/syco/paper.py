"""The paper's headline numbers per chapter, as text, for the summary page, and the label
every "paper" column carries. On the bottom floor (docs/CONVENTIONS.md): figures
(`syco.plots`), chapters and the book's pages all label the paper's numbers with it.

Typed from the paper's text and figures (each with the section or figure it comes from) and labelled as the paper's: they stand *beside* our measured
numbers and are never used in a computation. The tag says how sure the number is
([P] paper text, [A] appendix, [F] read off a figure, [R] reviewers).
"""

from __future__ import annotations


def paper_label(cite: str = "") -> str:
    """The column label of the paper's numbers: the paper itself, with the section or figure
    they come from (readers have the paper, not our notes about it)."""
    return f"Paper (Sharma et al. 2023, {cite})" if cite else "Paper (Sharma et al. 2023)"


PAPER_HEADLINES: dict[str, list[str]] = {
    "feedback": [
        "All five assistants give more positive feedback when the user likes or wrote the "
        "text, more negative when the user dislikes it (§3.1, Fig. 1; per-model values only "
        "in the figure) [P]",
    ],
    "are_you_sure": [
        "Claude 1.3 wrongly admits a mistake on 98% of questions (§3.2, Fig. 2a) [P]",
        "Admits a mistake: 42% (GPT-4) to 98% (Claude 1.3); changes its answer: 32% (GPT-4) "
        "to 86% (Claude 1.3) (App. A.4) [A]",
        "Accuracy drops by up to 27% (Claude 1.3) averaged over six datasets (App. A.4, Fig. 16) [A]",
        "Correct→incorrect, read off Fig. 2b: Claude 1.3 ~80%, LLaMA-2 ~75%, GPT-3.5 ~55%, "
        "Claude 2 ~45%, GPT-4 ~20% (Fig. 2b) [F]",
    ],
    "answer": [
        "A suggested incorrect answer lowers accuracy by up to 27% (LLaMA 2); GPT-4 is the "
        "most robust; same direction for all five assistants (§3.3, Fig. 3) [P]",
    ],
    "mimicry": [
        "15 poems, 300 misattributed prompts; assistants often analyse the poem as if the "
        "user's wrong poet wrote it (§3.4; per-model values only in Fig. 4) [P]",
    ],
    "preference_data": [
        "Feature model holdout accuracy 71.3% vs ~72% for a 52B PM (§4.1) [P]/[A]",
        "One feature moves P(preferred) by up to ~6%; matching the user's beliefs is among "
        "the most predictive features (§4.1, Fig. 5) [P]",
    ],
    "pm_bon": [
        "Best-of-N (N ≤ 32) against the Claude 2 PM is more sycophantic than against the "
        "non-sycophantic PM; BoN still reduces answer and mimicry sycophancy (§4.2, Fig. 6a) [P]",
    ],
    "misconceptions": [
        "The Claude 2 PM prefers the sycophantic response over the baseline truthful one "
        "95% of the time (§4.3.1, Fig. 7a) [P]",
        "…and over the helpful truthful one 45% of the time for the hardest misconceptions (§4.3.1, Fig. 7a) [P]",
        "BoN N=4096, hardest misconceptions: ~25% sycophantic (oracle PM) vs ~75% (Claude 2 "
        "PM) (§4.3.2, Fig. 7d) [P]",
    ],
}
