"""Labels a model can learn: TF-IDF + logistic regression per label against the majority
baseline, on the household (author-disjoint) split."""

import json
import random
from pathlib import Path
from typing import Any

from runfolder import finalize_small

from scenariosim.evaluation.label_baselines import (
    MIN_TRAIN,
    fit_baseline,
    label_baselines,
    labelled_examples,
)
from scenariosim.labels import EMOTIONS, RELATIONS, STANCES
from scenariosim.outputs.run_folder import RunFolder
from scenariosim.outputs.splits import plan_splits
from scenariosim.reports.card import baseline_sentence

CUES = {
    "support_protest": "we stand with the strikers",
    "oppose_protest": "clear the roads and go home",
    "neutral": "waiting to hear both sides",
    "anger": "this is outrageous",
    "fear": "I am scared for my family",
    "hope": "maybe things will get better",
    "sadness": "it breaks my heart",
    "pride": "so proud of our town",
    "calm": "let us all stay patient",
    "agrees": "exactly right",
    "disagrees": "that is simply wrong",
    "asks": "who decided this",
    "adds": "also the bus fare rose",
}
FILLER = "diesel price bread market junction minister fare bus queue Karavan morning".split()


def _record(kind: str, i: int, persona: int, labels: dict[str, str], cued: bool) -> dict:
    rng = random.Random(i)
    words = rng.sample(FILLER, 4)
    if cued:
        words += [CUES[v] for v in labels.values()]
    rng.shuffle(words)
    record: dict[str, Any] = {
        "kind": kind,
        "id": f"{kind}-{i:04d}",
        "text": " ".join(words),
        "provenance": {"phase_id": "p1", "persona_id": f"persona-{persona}", "hid": f"h{persona}"},
        **labels,
    }
    if kind == "comment":
        record["reply_to"] = record["thread_root"] = "post-0000"
    return record


def _run(tmp_path: Path, cued: bool = True, personas: int = 60, per_persona: int = 10) -> RunFolder:
    """Posts and comments whose texts carry their labels (or, `cued=False`, do not)."""
    rng = random.Random(3)
    posts, comments = [], []
    for i in range(personas * per_persona):
        persona = i // per_persona
        labels = {"stance": rng.choice(STANCES), "emotion": rng.choice(EMOTIONS)}
        if i % 2:
            labels["relation"] = rng.choice(RELATIONS)
            comments.append(_record("comment", i, persona, labels, cued))
        else:
            posts.append(_record("post", i, persona, labels, cued))
    return RunFolder(
        path=tmp_path,
        run_id="run-1",
        resolved={"scenario": {"seed": 7}},
        records={"posts": posts, "comments": comments, "image_prompts": []},
        rejected=[],
        traces=[],
        personas=[{"id": f"persona-{p}", "hid": f"h{p}"} for p in range(personas)],
        finished=True,
    )


def _shuffled(run: RunFolder) -> RunFolder:
    """The same texts with every label shuffled across records, so the text says nothing."""
    rng = random.Random(11)
    for label, tables in (("stance", ("posts", "comments")), ("relation", ("comments",))):
        rows = [r for t in tables for r in run.records[t]]
        values = [r[label] for r in rows]
        rng.shuffle(values)
        for row, value in zip(rows, values, strict=True):
            row[label] = value
    return run


def test_labels_the_text_expresses_are_learned_well_above_the_majority_baseline(
    tmp_path: Path,
) -> None:
    figures = label_baselines(_run(tmp_path)).labels
    for label in ("stance", "emotion", "relation"):
        row = figures[label]
        assert row.macro_f1 is not None and row.majority_macro_f1 is not None, row.reason
        assert row.macro_f1 >= 0.8, (label, row)
        assert row.macro_f1 - row.majority_macro_f1 >= 0.5, (label, row)


def test_labels_shuffled_independently_of_the_text_score_near_the_majority_baseline(
    tmp_path: Path,
) -> None:
    # The texts still carry cue words, but for labels they no longer belong to. With balanced
    # classes chance (about 1 / classes) sits above the majority baseline's macro-F1.
    cued = label_baselines(_run(tmp_path)).labels
    figures = label_baselines(_shuffled(_run(tmp_path))).labels
    for label in ("stance", "relation"):
        row = figures[label]
        assert row.macro_f1 is not None and row.chance_macro_f1 is not None, row.reason
        assert abs(row.macro_f1 - row.chance_macro_f1) <= 0.2, (label, row)
        assert row.macro_f1 - row.majority_macro_f1 <= 0.3, (label, row)
        assert cued[label].macro_f1 - row.macro_f1 >= 0.5, (label, row)


def test_chance_is_the_expected_macro_f1_of_guessing_at_the_train_shares() -> None:
    train = [(f"{CUES['anger']} {i}", "anger") for i in range(10)]
    train += [(f"{CUES['calm']} {i}", "calm") for i in range(30)]
    test = [(CUES["anger"], "anger")] * 5 + [(CUES["calm"], "calm")] * 5
    row = fit_baseline("emotion", train, test)
    # anger: p 0.25, q 0.5 -> 1/3; calm: p 0.75, q 0.5 -> 0.6
    assert row.chance_macro_f1 == round((1 / 3 + 0.6) / 2, 4)
    assert row.majority_class == "calm" and row.majority_macro_f1 == round((0 + 2 / 3) / 2, 4)
    assert row.macro_f1 == 1.0


def test_no_persona_is_in_both_the_train_and_the_test_split(tmp_path: Path) -> None:
    run = _run(tmp_path)
    examples = labelled_examples(run, plan_splits(run, "household"), "stance")
    train = {persona for _, _, persona in examples["train"]}
    test = {persona for _, _, persona in examples["test"]}
    assert train and test and not train & test
    assert label_baselines(run).authors_in_train_and_test == 0


def test_posts_and_comments_are_pooled_for_stance_and_only_comments_give_relation(
    tmp_path: Path,
) -> None:
    run = _run(tmp_path)
    figures = label_baselines(run).labels
    comments = len(run.records["comments"])
    assert figures["stance"].tables == ["posts", "comments"]
    assert figures["relation"].tables == ["comments"]
    validation = len(labelled_examples(run, plan_splits(run), "relation").get("validation", []))
    assert figures["relation"].n_train + figures["relation"].n_test + validation == comments
    assert figures["stance"].n_train > figures["relation"].n_train


def test_too_few_training_records_give_no_figure_and_say_why() -> None:
    train = [(f"{CUES['anger']} {i}", "anger" if i % 2 else "calm") for i in range(MIN_TRAIN - 1)]
    row = fit_baseline("emotion", train, [(CUES["anger"], "anger")])
    assert row.macro_f1 is None and row.majority_macro_f1 is None
    assert row.n_train == MIN_TRAIN - 1 and row.reason and "fewer than 10" in row.reason


def test_a_single_class_in_train_gives_no_figure_and_says_why() -> None:
    train = [(f"text {i}", "neutral") for i in range(20)]
    row = fit_baseline("stance", train, [("text", "neutral")])
    assert row.macro_f1 is None and row.classes_train == 1
    assert row.reason and "needs 2" in row.reason


def test_the_figures_are_the_same_on_every_call(tmp_path: Path) -> None:
    first = label_baselines(_run(tmp_path / "a", cued=False))
    second = label_baselines(_run(tmp_path / "b", cued=False))
    assert first.labels == second.labels


def test_the_card_sentence_gives_each_label_its_figure_baselines_and_sizes(tmp_path: Path) -> None:
    baselines = label_baselines(_run(tmp_path))
    stance = baselines.labels["stance"]
    sentence = baseline_sentence(baselines)
    assert sentence.startswith(
        "A TF-IDF + logistic-regression model trained on this data's train split"
    )
    assert (
        f"reaches macro-F1 {stance.macro_f1:.2f} for stance (majority baseline "
        f"{stance.majority_macro_f1:.2f}, chance {stance.chance_macro_f1:.2f}; "
        f"n = {stance.n_train} train / {stance.n_test} test)"
    ) in sentence
    assert "for relation" in sentence and "Not measured" not in sentence


def test_a_finished_run_carries_the_figures_in_eval_json_the_card_and_the_report(
    tmp_path: Path,
) -> None:
    result = finalize_small(tmp_path / "run")  # three personas: too few records to fit
    figures = json.loads(result.eval_path.read_text(encoding="utf-8"))["label_baselines"]
    stance = figures["labels"]["stance"]
    assert stance["macro_f1"] is None and "fewer than 10" in stance["reason"]
    assert set(figures["labels"]) == {"stance", "emotion", "relation"}
    card = (result.dataset_dir / "README.md").read_text(encoding="utf-8")
    assert "logistic-regression model trained on this data's train split" in card
    assert f"Not measured: stance ({stance['reason']})" in card
    page = result.report_path.read_text(encoding="utf-8")
    assert "Labels a model can learn" in page and stance["reason"] in page
