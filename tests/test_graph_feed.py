"""The feed later phases read is the run's published posts, comments and photo scenes, rebuilt
from records."""

from scenariosim.graph.feed import Feed, FeedItem
from scenariosim.graph.plan import task_id, task_position


def _record(id_: str, kind: str, phase_id: str, text: str = "t", root: str | None = None) -> dict:
    row = {
        "id": id_,
        "kind": kind,
        "author_name": "Aylin",
        "text": text,
        "stance": "support",
        "provenance": {"phase_id": phase_id, "persona_id": "p1"},
    }
    if root:
        row["thread_root"] = root
    if kind == "image_prompt":
        row["scene"] = text
    return row


def test_records_rebuild_posts_and_comments_with_their_phase_and_thread() -> None:
    feed = Feed.from_records(
        [
            _record("b-comment-000", "comment", "b", root="a-post-000"),
            _record("a-post-000", "post", "a"),
            _record("a-image-000", "image_prompt", "a", "A crowd at night."),
        ],
        ["a", "b"],
    )
    items = feed.items()
    assert [i["id"] for i in items] == ["a-post-000", "b-comment-000"]
    assert items[0]["thread_root"] == "a-post-000" and items[0]["phase_index"] == 0
    assert items[1]["thread_root"] == "a-post-000" and items[1]["phase_index"] == 1


def test_the_first_item_of_an_id_wins_as_in_the_records_file() -> None:
    feed = Feed.from_records(
        [_record("a-post-000", "post", "a", "first"), _record("a-post-000", "post", "a", "second")],
        ["a"],
    )
    feed.add(FeedItem(**{**feed.items()[0], "text": "third"}))
    assert [i["text"] for i in feed.items()] == ["first"]


def test_a_task_id_names_its_phase_and_stage_even_when_the_phase_id_has_dashes() -> None:
    phases = ["price-hike", "blockade"]
    assert task_position(task_id("blockade", "comment", 7), phases) == (1, 1)
    assert task_position(task_id("price-hike", "image_prompt", 0), phases) == (0, 2)


def test_ids_no_planner_made_have_no_position() -> None:
    assert task_position("price-hike-essay-000", ["price-hike"]) is None
    assert task_position("other-post-000", ["price-hike"]) is None


def test_a_task_is_checked_against_what_was_published_before_it_could_start() -> None:
    feed = Feed()

    def item(i: str, kind: str, phase: int) -> FeedItem:
        return FeedItem(id=i, kind=kind, phase_index=phase, persona_id="p", author="A",
                        text=f"text {i}", stance="neutral", thread_root=i)  # fmt: skip

    for i, kind, phase in [("a", "post", 0), ("b", "comment", 0), ("c", "post", 1),
                           ("d", "comment", 1)]:  # fmt: skip
        feed.add(item(i, kind, phase))
    assert feed.settled_texts(1, "post") == ["text a", "text b"]
    assert feed.settled_texts(1, "comment") == ["text a", "text b", "text c"]
    assert feed.settled_texts(0, "post") == []


def test_records_rebuild_the_scenes_later_phases_must_not_repeat() -> None:
    feed = Feed.from_records(
        [
            _record("b-image_prompt-000", "image_prompt", "b", "Dozens of people by a fire."),
            _record("a-image_prompt-000", "image_prompt", "a", "A crowd at night."),
            _record("a-post-000", "post", "a"),
        ],
        ["a", "b", "c"],
    )
    assert feed.settled_scenes(0) == []
    assert feed.settled_scenes(1) == ["A crowd at night."]
    assert feed.settled_scenes(2) == ["A crowd at night.", "Dozens of people by a fire."]
    assert [i["id"] for i in feed.items()] == ["a-post-000"]  # scenes are not posts to answer
