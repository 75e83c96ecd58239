"""Labels a model can learn: a small text classifier per label, trained on the dataset's
train split and scored on its test split, beside the majority-class baseline.

Definitions:
- labels: `stance` and `emotion` of posts and comments pooled, and `relation` of comments
  (agrees, disagrees, asks, adds; comments without one are left out);
- split: the dataset's household split (`outputs/splits.py`, `plan_splits(run, "household")`,
  the dataset's default), whatever split the dataset itself was written with: every record
  of a household's members is in one split, so no author is in both train and test.
  Validation records are not used;
- model: TF-IDF of lower-cased `[\\w']+` word 1- and 2-grams (sublinear term frequency) and
  a logistic regression with balanced class weights (`random_state=0`, so the figures are
  deterministic);
- macro-F1: the mean over the classes present in the test split of each class's F1 (a class
  never predicted scores 0); the majority baseline predicts the train split's most frequent
  class (ties by name) for every test record and is scored the same way; chance is the
  expected macro-F1 of guessing each class at its train share (for a test class of share q
  guessed at share p: precision q, recall p, F1 2pq / (p + q)). A model that learns nothing
  from the text scores near chance, which with balanced classes (about 1 / classes) is above
  the majority baseline; one that learns the labels scores well above both;
- no figure (None, with the reason) when train has fewer than `MIN_TRAIN` records or fewer
  than two classes, or test is empty.
"""

from collections import Counter
from typing import Any

from pydantic import BaseModel

from scenariosim.outputs.run_folder import RunFolder
from scenariosim.outputs.splits import SplitPlan, group_key, plan_splits

MIN_TRAIN = 10
RANDOM_STATE = 0
MODEL = "TF-IDF (word 1-2 grams) + logistic regression"
# label -> the tables whose records carry it (posts and comments pooled for stance, emotion)
LABEL_SOURCES: dict[str, tuple[str, ...]] = {
    "stance": ("posts", "comments"),
    "emotion": ("posts", "comments"),
    "relation": ("comments",),
}


class BaselineFigures(BaseModel):
    label: str
    tables: list[str]
    macro_f1: float | None
    majority_macro_f1: float | None
    majority_class: str | None
    chance_macro_f1: float | None
    n_train: int
    n_test: int
    classes_train: int
    classes_test: int
    reason: str | None = None  # why there is no figure


class LabelBaselines(BaseModel):
    model: str = MODEL
    split_by: str = "household"
    authors_in_train_and_test: int = 0
    labels: dict[str, BaselineFigures]


Example = tuple[str, str]  # (text, label)


def _macro_f1(truth: list[str], predicted: list[str], classes: list[str]) -> float:
    from sklearn.metrics import f1_score

    score = f1_score(truth, predicted, labels=classes, average="macro", zero_division=0)
    return round(float(score), 4)


def _chance_macro_f1(train: Counter[str], test: Counter[str]) -> float:
    """Expected macro-F1 over the test classes of guessing at the train class shares."""
    n_train, n_test = sum(train.values()), sum(test.values())
    scores = []
    for c in test:
        p, q = train.get(c, 0) / n_train, test[c] / n_test
        scores.append(2 * p * q / (p + q) if p + q else 0.0)
    return round(sum(scores) / len(scores), 4)


def fit_baseline(label: str, train: list[Example], test: list[Example]) -> BaselineFigures:
    """Train on `train`, score on `test`; None figures with a reason when it cannot fit."""
    train_counts = Counter(y for _, y in train)
    test_classes = sorted({y for _, y in test})
    figures = BaselineFigures(
        label=label,
        tables=list(LABEL_SOURCES.get(label, ())),
        macro_f1=None,
        majority_macro_f1=None,
        majority_class=None,
        chance_macro_f1=None,
        n_train=len(train),
        n_test=len(test),
        classes_train=len(train_counts),
        classes_test=len(test_classes),
    )
    if len(train) < MIN_TRAIN:
        figures.reason = f"{len(train)} training records, fewer than {MIN_TRAIN}"
        return figures
    if len(train_counts) < 2:
        figures.reason = f"{len(train_counts)} class in the train split, a model needs 2"
        return figures
    if not test:
        figures.reason = "no records in the test split"
        return figures
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(
            lowercase=True, token_pattern=r"[\w']+", ngram_range=(1, 2), sublinear_tf=True
        ),
        LogisticRegression(max_iter=1000, class_weight="balanced", random_state=RANDOM_STATE),
    )
    model.fit([x for x, _ in train], [y for _, y in train])
    truth = [y for _, y in test]
    predicted = [str(p) for p in model.predict([x for x, _ in test])]
    majority = min(train_counts, key=lambda c: (-train_counts[c], c))
    figures.majority_class = majority
    figures.macro_f1 = _macro_f1(truth, predicted, test_classes)
    figures.majority_macro_f1 = _macro_f1(truth, [majority] * len(truth), test_classes)
    figures.chance_macro_f1 = _chance_macro_f1(train_counts, Counter(truth))
    return figures


def labelled_examples(
    run: RunFolder, plan: SplitPlan, label: str
) -> dict[str, list[tuple[str, str, str]]]:
    """Split name -> (text, label, persona id) of every record carrying `label`."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for table in LABEL_SOURCES[label]:
        for record in run.records.get(table, []):
            value: Any = record.get(label)
            if not value or not record.get("text"):
                continue
            split = plan.split_for_group(group_key(record, plan.by))
            persona = str(record.get("provenance", {}).get("persona_id", ""))
            out.setdefault(split, []).append((record["text"], str(value), persona))
    return out


def label_baselines(run: RunFolder, plan: SplitPlan | None = None) -> LabelBaselines:
    """The baseline for every label of the run (household split unless `plan` is given)."""
    plan = plan or plan_splits(run, "household")
    labels: dict[str, BaselineFigures] = {}
    crossing: set[str] = set()
    for label in LABEL_SOURCES:
        examples = labelled_examples(run, plan, label)
        train, test = examples.get("train", []), examples.get("test", [])
        crossing |= {p for _, _, p in train} & {p for _, _, p in test}
        labels[label] = fit_baseline(
            label, [(x, y) for x, y, _ in train], [(x, y) for x, y, _ in test]
        )
    return LabelBaselines(split_by=plan.by, authors_in_train_and_test=len(crossing), labels=labels)
