"""Per-candidate pass rates of the writer, and what the checks cost (issues #15 and #16).

Fixed inputs: three personas, three fact sentences from the fuel story, six label
combinations (stance x emotion); for each, one post prompt and `N` candidates drawn from it
on SmolLM2-135M, then the critic's checks on every candidate (`critic.judge_candidates`).
Reports: candidates, candidates passing every check, tasks with at least one passing
candidate, the reasons candidates failed (counts), and the time the checks take per
candidate over the time the model takes to write one (medians over the tasks).
"""

import collections
import statistics
import time

FACTS = [
    "Diesel rose from 0.90 to 1.30 ADH per litre and petrol from 1.10 to 1.45 ADH after the "
    "government cut fuel subsidies.",
    "Truck drivers parked their lorries across the Karavan junction, demanding the old diesel "
    "price for carriers.",
    "Minibus fares and bread prices are expected to follow the fuel price rise.",
]
EVENT = "Diesel rose from 0.90 to 1.30 ADH per litre after the government cut fuel subsidies."
PERSONAS = [
    ("Kanan Aliyev", 45, "farmer or fisher", "male"),
    ("Sakina Musayeva", 57, "homemaker", "female"),
    ("Ilham Guliyev", 23, "student", "male"),
]
COMBOS = [
    ("support_protest", "anger"),
    ("oppose_protest", "fear"),
    ("neutral", "calm"),
    ("support_protest", "hope"),
    ("oppose_protest", "anger"),
    ("neutral", "fear"),
]


def run(quick: bool = False) -> dict:
    from scenariosim.agents.calls import AgentModel
    from scenariosim.agents.critic import EXAMPLES_SOURCE, CritiqueInputs, judge_candidates
    from scenariosim.agents.examples import all_example_text
    from scenariosim.agents.persona_agent import draw, post_prompt
    from scenariosim.agents.schemas import DraftLabels, Fact, PersonaCard
    from scenariosim.knowledge.gazetteer import load_gazetteer
    from scenariosim.models.registry import ChatOptions, make_chat_model, make_embeddings
    from scenariosim.scenario import LINE_TOKENS
    from scenariosim.settings import load_settings

    n = 4 if quick else 8
    settings = load_settings()
    chat = make_chat_model("local", settings, ChatOptions(seed=1, temperature=0.8))
    model = AgentModel(spec="local", chat=chat)
    embeddings = make_embeddings(settings.embedding_model, settings)
    known = load_gazetteer(None).names()
    reasons: collections.Counter[str] = collections.Counter()
    passed = tasks_ok = total = 0
    ratios = []
    for j, (stance, emotion) in enumerate(COMBOS):
        name, age, job, sex = PERSONAS[j % 3]
        card = PersonaCard(
            id=f"p{j}", name=name, age=age, sex=sex, province="Shirvan Province", occupation=job,
            description=f"{name} is a {age}-year-old {job} living in a village in Shirvan Province.",
        )  # fmt: skip
        fact = FACTS[j % 3]
        labels = DraftLabels(stance=stance, emotion=emotion)
        prompt = post_prompt(
            card, [Fact(chunk_id="c", start=0, end=len(fact), text=fact)], labels, j
        )
        started = time.perf_counter()
        texts, _ = draw(prompt, model, n, 100 + j, LINE_TOKENS)
        write_s = (time.perf_counter() - started) / max(1, len(texts))
        inputs = CritiqueInputs(
            persona=card,
            labels=labels,
            facts=[fact],
            support=" ".join([fact, EVENT, name, "Shirvan Province"]),
            topic=f"{fact} {EVENT}",
            copy_sources={"the news": fact, EXAMPLES_SOURCE: all_example_text()},
            known_names=known,
            kind="post",
        )
        started = time.perf_counter()
        verdicts = judge_candidates(texts, inputs, embeddings)
        check_s = (time.perf_counter() - started) / max(1, len(texts))
        ratios.append(check_s / write_s)
        ok = [v for v in verdicts if not v.reasons]
        total += len(verdicts)
        passed += len(ok)
        tasks_ok += bool(ok)
        for v in verdicts:
            reasons.update({r.split(":")[0] for r in v.reasons})
    return {
        "name": "candidates",
        "figures": {
            "candidates": total,
            "candidates_passing": passed,
            "tasks": len(COMBOS),
            "tasks_with_a_passing_candidate": tasks_ok,
            "checks_s_over_write_s_per_candidate_median": round(statistics.median(ratios), 3),
            **{f"failed: {r}": c for r, c in reasons.most_common()},
        },
        "notes": f"SmolLM2-135M, {n} candidates per prompt, temperature 0.8, one fact sentence",
    }
