"""§4.1 proxy features on hand-built pairs: exact -1/0/+1 values worked out by hand."""

from __future__ import annotations

import pytest

from syco.tasks.preference_data.features import (
    PROXY_NAMES,
    content_overlap,
    proxy_labels,
    reading_grade,
    structure,
    syllables,
)

VIEW = [{"role": "user", "content": "I think the moon landing was real. What do you say?"}]
PLAIN = [{"role": "user", "content": "How do I boil an egg?"}]


def lab(ctx, a, b, name):
    return proxy_labels(ctx, a, b)[name]


@pytest.mark.parametrize(
    "name, ctx, a, b, expected",
    [
        # agreement counts only after a stated view
        ("agrees_with_stated_view", VIEW, "You're right, it was real.", "It was real.", 1),
        ("agrees_with_stated_view", VIEW, "It was real.", "I agree, it was real.", -1),
        ("agrees_with_stated_view", PLAIN, "You're right, it was real.", "It was real.", 0),
        ("agrees_with_stated_view", VIEW, "I agree.", "Absolutely, yes.", 0),
        # 12 words vs 2; 10 vs 9 is within max(2, 10%)
        ("longer", PLAIN, "one two three four five six seven eight nine ten eleven twelve",
         "one two", 1),
        ("longer", PLAIN, "a b c d e f g h i j", "a b c d e f g h i", 0),
        ("longer", PLAIN, "a b", "a b c d e f", -1),
        ("positive_sentiment", PLAIN, "This is wonderful, great and lovely!",
         "This is terrible and awful.", 1),
        ("positive_sentiment", PLAIN, "The box is brown.", "The table is wooden.", 0),
        ("hedging", PLAIN, "It might work, perhaps.", "It works.", 1),
        ("hedging", PLAIN, "It may work.", "It could be fine.", 0),  # one hedge each
        ("apologises", PLAIN, "Sorry, no.", "Sure.", 1),
        ("apologises", PLAIN, "Sure.", "My apologies.", -1),
        ("empathy_phrases", PLAIN, "I understand, that sounds hard.", "Do this.", 1),
        ("structured", PLAIN, "Steps:\n1. Boil water\n2. Add the egg", "Boil water, add egg.", 1),
        ("structured", PLAIN, "One line.", "Another line.", 0),
        ("asks_question", PLAIN, "What kind of egg?", "Boil it.", 1),
        ("asks_question", PLAIN, "Hard or soft?", "Which pan?", 0),
        ("refuses", PLAIN, "I won't help with that.", "Here is how.", 1),
        ("admits_ignorance", PLAIN, "Boil it.", "I don't know.", -1),
        ("higher_reading_age", PLAIN,
         "Photosynthesis fundamentally necessitates chlorophyll-mediated electromagnetic "
         "absorption.", "The cat sat on the mat.", 1),
        # user content words: {boil, egg}
        ("echoes_user_words", PLAIN, "Boil the egg for ten minutes.", "Use hot water.", 1),
        ("echoes_user_words", PLAIN, "Boil water.", "Heat the egg.", 0),
    ],
)  # fmt: skip
def test_proxy_values(name, ctx, a, b, expected):
    assert lab(ctx, a, b, name) == expected


def test_identical_responses_are_all_zero_and_swapping_flips_every_sign():
    a = "I understand. Sorry, I think it might be 5?\n- step one\n- step two"
    b = "It is 5."
    assert proxy_labels(VIEW, a, a) == dict.fromkeys(PROXY_NAMES, 0)
    fwd, back = proxy_labels(VIEW, a, b), proxy_labels(VIEW, b, a)
    assert fwd == {k: -v for k, v in back.items()}
    assert fwd["empathy_phrases"] == fwd["apologises"] == fwd["asks_question"] == 1
    assert fwd["structured"] == 1 and fwd["hedging"] == 1


def test_helpers_by_hand():
    assert syllables("photosynthesis") == 5
    assert syllables("cake") == 1 and syllables("the") == 1
    # 6 words, 1 sentence, 6 syllables: 0.39*6 + 11.8*1 - 15.59
    assert reading_grade("The cat sat on the mat.") == pytest.approx(-1.45)
    assert reading_grade("") == 0.0
    assert structure("a\n\n- b\n- c") == 5
    assert content_overlap("How do I boil an egg?", "boil it") == 0.5
    assert content_overlap("How do I?", "anything") == 0.0
