"""Slugs keep every script's letters readable, and different words give different slugs."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from scenariosim.slugs import ascii_slug, slug

HANGUL_JAMO = ((0x1100, 0x11FF), (0xA960, 0xA97F), (0xD7B0, 0xD7FF))  # compose into syllables


def _plain_lowercase_letter(c: str) -> bool:
    """A letter that NFKC and lower() leave as it is and that composes with no neighbour, so
    a word of them is its own slug."""
    return (
        unicodedata.category(c) in ("Ll", "Lo")
        and unicodedata.decomposition(c) == ""
        and unicodedata.normalize("NFKC", c) == c == c.lower()
        and not any(low <= ord(c) <= high for low, high in HANGUL_JAMO)
    )


letters = st.characters(categories=("Ll", "Lo")).filter(_plain_lowercase_letter)
words = st.lists(st.text(letters, min_size=1, max_size=8), min_size=1, max_size=5)
separators = st.text(st.sampled_from(" -_.,:;!?/\\()[]'\"\t\n—"), min_size=1, max_size=3)


def test_non_ascii_letters_stay_letters() -> None:
    assert slug("Bakı protest") == "bakı-protest"
    assert slug("Ça marche — très bien!") == "ça-marche-très-bien"
    assert slug("東京 デモ") == "東京-デモ"


def test_composed_and_combining_accents_give_one_slug() -> None:
    assert slug("Cafe\u0301 strike") == slug("Caf\u00e9 strike") == "caf\u00e9-strike"


def test_text_without_letters_or_digits_gives_the_fallback() -> None:
    assert slug(" -- !? ", "scenario") == "scenario"


@given(words, separators)
def test_a_slug_is_the_words_joined_by_hyphens_whatever_separates_them(
    parts: list[str], separator: str
) -> None:
    assert slug(separator.join(parts)) == "-".join(parts)


@given(words, words)
def test_different_words_give_different_slugs(first: list[str], second: list[str]) -> None:
    if first != second:
        assert slug(" ".join(first)) != slug(" ".join(second))


@given(st.text(max_size=60))
def test_a_slug_is_one_safe_file_name_component(text: str) -> None:
    made = slug(text)
    assert made and made == made.strip("-") and "--" not in made
    assert not any(c in made for c in "/\\.\0 \n\t")


@given(words, words)
def test_ascii_slugs_are_ascii_and_keep_different_words_apart(
    first: list[str], second: list[str]
) -> None:
    a, b = ascii_slug(" ".join(first)), ascii_slug(" ".join(second))
    assert a.isascii() and b.isascii()
    if first != second:
        assert a != b


def test_ascii_text_keeps_the_ascii_slug_it_always_had() -> None:
    assert ascii_slug("all-MiniLM-L6-v2") == "all-minilm-l6-v2"
