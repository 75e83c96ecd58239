"""Text statistics and diversity: lengths, distinct-n, Self-BLEU, embedding diversity.

Definitions (all on lower-cased word tokens `[\\w']+`):
- distinct-n: distinct n-grams / all n-grams, pooled over the texts (Li et al. 2016).
- Self-BLEU: mean over a seeded sample of texts of BLEU-4 (uniform weights, brevity
  penalty, +1 smoothing of higher-order precisions, Lin and Och 2004) of each text
  against the other sampled texts as references (Zhu et al. 2018). Higher = more alike.
- mean pairwise cosine distance: 1 - mean cosine similarity over distinct pairs of
  unit-normalised sentence embeddings.
- Vendi score: exp of the Shannon entropy of the eigenvalues of K/n, K the cosine
  similarity matrix (Friedman and Dieng 2023): the effective number of distinct texts,
  from 1 (all the same) to n (all orthogonal).
- near-duplicate rate: share of texts whose most similar other text has cosine >= 0.95.
- shared-run pairs: pairs of texts that share a run of six words in a row
  (`text_rules.shared_run`, the critic's copy rule), and texts that share one with a source.
"""

import itertools
import math
import random
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel

from scenariosim.text_rules import shared_run

TOKEN = re.compile(r"[\w']+")
NEAR_DUPLICATE_COSINE = 0.95
SELF_BLEU_SAMPLE = 100


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def ngrams(words: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def shared_run_pairs(texts: Sequence[str], n: int = 6) -> list[tuple[int, int, str]]:
    """(i, j, run) for every pair i < j of `texts` that shares a run of `n` words in a row."""
    pairs = []
    for i, j in itertools.combinations(range(len(texts)), 2):
        run = shared_run(texts[i], texts[j], n)
        if run:
            pairs.append((i, j, run))
    return pairs


def copies_of(texts: Sequence[str], source: str, n: int = 6) -> int:
    """How many of `texts` share a run of `n` words in a row with `source`."""
    return sum(bool(shared_run(t, source, n)) for t in texts)


def distinct_n(texts: Sequence[str], n: int) -> float | None:
    grams = [g for t in texts for g in ngrams(tokens(t), n)]
    return len(set(grams)) / len(grams) if grams else None


def bleu(hypothesis: list[str], references: list[list[str]], max_n: int = 4) -> float:
    """Sentence BLEU with clipped counts over several references and +1 smoothing."""
    if not hypothesis or not references:
        return 0.0
    log_precision = 0.0
    for n in range(1, max_n + 1):
        hyp = Counter(ngrams(hypothesis, n))
        total = sum(hyp.values())
        best: Counter[tuple[str, ...]] = Counter()
        for ref in references:
            for gram, count in Counter(ngrams(ref, n)).items():
                if gram in hyp and count > best[gram]:
                    best[gram] = count
        matched = sum(min(count, best[gram]) for gram, count in hyp.items())
        if n == 1:
            if matched == 0:
                return 0.0
            p = matched / total
        else:
            p = (matched + 1) / (total + 1)
        log_precision += math.log(p) / max_n
    closest = min((len(r) for r in references), key=lambda r: (abs(r - len(hypothesis)), r))
    brevity = 1.0 if len(hypothesis) > closest else math.exp(1 - closest / len(hypothesis))
    return brevity * math.exp(log_precision)


def self_bleu(texts: Sequence[str], sample: int = SELF_BLEU_SAMPLE, seed: int = 0) -> float | None:
    tokenised = [tokens(t) for t in texts if tokens(t)]
    if len(tokenised) < 2:
        return None
    rng = random.Random(seed)
    chosen = rng.sample(tokenised, k=min(sample, len(tokenised)))
    scores = [bleu(h, chosen[:i] + chosen[i + 1 :]) for i, h in enumerate(chosen)]
    return float(np.mean(scores))


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12)


def mean_pairwise_cosine_distance(vectors: np.ndarray) -> float | None:
    n = len(vectors)
    if n < 2:
        return None
    x = _unit(np.asarray(vectors, dtype=np.float64))
    total = float(np.sum(x.sum(axis=0) ** 2))  # sum of all pairwise cosines, diagonal included
    return 1.0 - (total - n) / (n * (n - 1))


def vendi_score(vectors: np.ndarray) -> float | None:
    """exp(entropy of eig(K/n)); computed from the d x d Gram matrix, same nonzero spectrum."""
    n = len(vectors)
    if n == 0:
        return None
    x = _unit(np.asarray(vectors, dtype=np.float64))
    small = x @ x.T if n <= x.shape[1] else x.T @ x
    eig = np.clip(np.linalg.eigvalsh(small / n), 0, None)
    eig = eig[eig > 1e-12]
    return float(np.exp(-np.sum(eig * np.log(eig))))


def near_duplicate_rate(
    vectors: np.ndarray, threshold: float = NEAR_DUPLICATE_COSINE, block: int = 1024
) -> float | None:
    n = len(vectors)
    if n < 2:
        return None
    x = _unit(np.asarray(vectors, dtype=np.float32))
    flagged = 0
    for start in range(0, n, block):
        sims = x[start : start + block] @ x.T
        for i in range(sims.shape[0]):
            sims[i, start + i] = -1.0
        flagged += int(np.sum(sims.max(axis=1) >= threshold))
    return flagged / n


class LengthFigures(BaseModel):
    mean: float
    p10: float
    p50: float
    p90: float
    max: int


class TextFigures(BaseModel):
    count: int
    words: LengthFigures | None
    chars: LengthFigures | None
    word_lengths: list[int]
    distinct_1: float | None
    distinct_2: float | None
    self_bleu: float | None
    self_bleu_sample: int
    mean_pairwise_cosine_distance: float | None
    vendi_score: float | None
    near_duplicate_rate: float | None
    exact_duplicate_rate: float | None


def _lengths(values: list[int]) -> LengthFigures | None:
    if not values:
        return None
    a = np.array(values)
    return LengthFigures(
        mean=round(float(a.mean()), 2),
        p10=float(np.percentile(a, 10)),
        p50=float(np.percentile(a, 50)),
        p90=float(np.percentile(a, 90)),
        max=int(a.max()),
    )


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def text_figures(texts: Sequence[str], vectors: np.ndarray | None, seed: int = 0) -> TextFigures:
    words = [len(tokens(t)) for t in texts]
    normalised = [" ".join(tokens(t)) for t in texts]
    exact = (
        sum(c for c in Counter(normalised).values() if c > 1) / len(texts)
        if len(texts) > 1
        else None
    )
    have_vectors = vectors is not None and len(vectors) == len(texts)
    return TextFigures(
        count=len(texts),
        words=_lengths(words),
        chars=_lengths([len(t) for t in texts]),
        word_lengths=words,
        distinct_1=_round(distinct_n(texts, 1)),
        distinct_2=_round(distinct_n(texts, 2)),
        self_bleu=_round(self_bleu(texts, seed=seed)),
        self_bleu_sample=min(SELF_BLEU_SAMPLE, len(texts)),
        mean_pairwise_cosine_distance=_round(
            mean_pairwise_cosine_distance(vectors) if have_vectors else None
        ),
        vendi_score=_round(vendi_score(vectors) if have_vectors else None),
        near_duplicate_rate=_round(near_duplicate_rate(vectors) if have_vectors else None),
        exact_duplicate_rate=_round(exact),
    )
