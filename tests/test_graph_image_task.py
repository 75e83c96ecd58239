"""What an image task's writer is given and judged against (graph/nodes/write_image_prompt.py)."""

import random
from types import SimpleNamespace

from scenariosim.agents.persona_agent import pick_scene_opening
from scenariosim.agents.schemas import PersonaCard
from scenariosim.graph.feed import Feed
from scenariosim.graph.nodes.write_image_prompt import ImagePromptWriter, opening_of
from scenariosim.graph.tasks import image_task

CARD = PersonaCard(
    id="p1",
    name="Kanan Aliyev",
    age=45,
    sex="male",
    province="Karavan",
    occupation="driver",
    description="Kanan Aliyev is a 45-year-old married man living in a town in Karavan.",
)
PICTURE = {"sign": True, "group_20": True, "police": True}


def _task(opening: str = "Dozens of people holding signs and facing riot police") -> dict:
    post = {"id": "b-post-000", "text": "The drivers are still at the junction."}
    return image_task(7, "b", 1, 0, "p1", post, PICTURE, opening, 0.0, [])  # phase 2 of 2


def _context(feed: Feed) -> SimpleNamespace:
    phase = SimpleNamespace(event="Drivers block the junction.", title="Blockade")
    return SimpleNamespace(
        scenario=SimpleNamespace(phases=[phase, phase]),
        actors={"p1": SimpleNamespace(card=CARD)},
        feed=feed,
        known_names=frozenset(),
    )


def test_a_scenes_numbers_must_come_from_its_post_or_phase_not_its_attribute_words() -> None:
    inputs = ImagePromptWriter().inputs(_context(Feed()), _task(), [], ["A crowd."])
    assert "20" not in inputs.support and "junction" in inputs.support


def test_a_scene_is_checked_against_its_post_the_examples_and_earlier_scenes() -> None:
    feed = Feed()
    feed.add_scene(
        "a-image_prompt-000", 0, "A crowd of dozens holding signs on the bridge at dawn."
    )
    feed.add_scene("b-image_prompt-001", 1, "Hundreds of people near a fire.")  # this phase
    inputs = ImagePromptWriter().inputs(_context(feed), _task(), [], ["A crowd."])
    assert set(inputs.copy_sources) == {
        "the post",
        "an example",
        "an earlier photo description",
    }
    earlier = inputs.copy_sources["an earlier photo description"]
    assert "on the bridge at dawn" in earlier and "near a fire" not in earlier


def test_a_task_checkpointed_before_openings_were_planned_still_gets_one() -> None:
    old = {k: v for k, v in _task().items() if k != "opening"}
    expected = pick_scene_opening(PICTURE, [], [], random.Random(old["seed"]))
    assert opening_of(old) == expected
    assert opening_of(_task("A crowd holding banners")) == "A crowd holding banners"
