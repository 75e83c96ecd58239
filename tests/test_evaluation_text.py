"""Text metrics against hand-checkable cases, and diversity with the real offline MiniLM."""

import numpy as np
import pytest

from scenariosim.evaluation.text import (
    bleu,
    copies_of,
    distinct_n,
    mean_pairwise_cosine_distance,
    near_duplicate_rate,
    self_bleu,
    shared_run_pairs,
    text_figures,
    tokens,
    vendi_score,
)


def test_distinct_n_is_unique_ngrams_over_all_ngrams() -> None:
    texts = ["the fuel price rose", "the fuel price fell"]
    assert distinct_n(texts, 1) == 5 / 8
    assert distinct_n(texts, 2) == 4 / 6
    assert distinct_n([], 1) is None


def test_bleu_is_one_for_an_identical_reference_and_zero_without_overlap() -> None:
    words = tokens("diesel rose from 0.90 to 1.30 per litre today")
    assert bleu(words, [words]) == pytest.approx(1.0)
    assert bleu(words, [tokens("bread queues grew longer in Baku")]) == 0.0


def test_bleu_takes_the_brevity_penalty_for_short_hypotheses() -> None:
    ref = tokens("a b c d e f g h")
    assert bleu(ref[:4], [ref]) == pytest.approx(np.exp(1 - 8 / 4), rel=1e-6)


def test_self_bleu_is_high_for_copies_and_low_for_different_texts() -> None:
    same = ["drivers block the junction over diesel prices"] * 5
    different = [
        "drivers block the junction",
        "bread costs more today",
        "my son lost his job",
        "rain in Baku again",
        "the minister spoke",
    ]
    assert self_bleu(same) == pytest.approx(1.0)
    assert self_bleu(different) < 0.2


def test_vendi_score_counts_effectively_distinct_items() -> None:
    assert vendi_score(np.ones((6, 4))) == pytest.approx(1.0)
    assert vendi_score(np.eye(5)) == pytest.approx(5.0)
    two_clusters = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=float)
    assert vendi_score(two_clusters) == pytest.approx(2.0)
    many = np.random.default_rng(0).normal(size=(500, 8))  # n > d takes the d x d route
    assert 1 < vendi_score(many) <= 8 + 1e-9


def test_mean_pairwise_cosine_distance() -> None:
    assert mean_pairwise_cosine_distance(np.eye(3)) == pytest.approx(1.0)
    assert mean_pairwise_cosine_distance(np.ones((4, 3))) == pytest.approx(0.0, abs=1e-9)
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    pairs = [0.0, 1 / np.sqrt(2), 1 / np.sqrt(2)]
    assert mean_pairwise_cosine_distance(x) == pytest.approx(1 - np.mean(pairs))


def test_near_duplicate_rate_flags_each_member_of_a_close_pair() -> None:
    x = np.array([[1.0, 0.0, 0.0], [0.999, 0.01, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert near_duplicate_rate(x) == 0.5
    assert near_duplicate_rate(x, block=1) == 0.5


def test_minilm_sees_paraphrases_as_closer_than_unrelated_posts() -> None:
    from scenariosim.models import make_embeddings

    texts = [
        "Diesel prices went up again and drivers cannot pay.",
        "Fuel got more expensive; truckers say they can't afford it.",
        "The football final in Arzuli ended two to one.",
    ]
    vectors = np.asarray(make_embeddings("local").embed_documents(texts))
    close = mean_pairwise_cosine_distance(vectors[:2])
    far = mean_pairwise_cosine_distance(vectors[[0, 2]])
    assert close < far
    figures = text_figures(texts, vectors)
    assert figures.count == 3 and 1 < figures.vendi_score < 3
    assert figures.near_duplicate_rate == 0.0 and figures.exact_duplicate_rate == 0.0


def test_shared_run_pairs_names_each_pair_that_shares_six_words_in_a_row() -> None:
    texts = [
        "A crowd of dozens of people holding signs by the depot.",
        "At night, a crowd of dozens of people waving a flag.",
        "A crowd of dozens holding signs on the ring road.",  # four words with each
    ]
    assert shared_run_pairs(texts) == [(0, 1, "a crowd of dozens of people")]
    assert [(i, j) for i, j, _ in shared_run_pairs(texts, n=4)] == [(0, 1), (0, 2), (1, 2)]


def test_copies_of_counts_texts_that_share_six_words_with_a_source() -> None:
    source = "Drivers stand by their lorries holding a sign at the junction."
    texts = ["They stand by their lorries holding a sign all day.", "Nothing in common here."]
    assert copies_of(texts, source) == 1
