"""Local model: tokens/s through the project's LangChain wrapper vs llama-cpp-python directly.

Both paths use the same loaded llama.cpp instance, prompts, seeds and sampling options, and
alternate call by call so machine noise hits both equally. Goal: wrapper overhead < 5 %.
"""

import statistics
import time

from scenariosim.models import ChatOptions, make_chat_model
from scenariosim.models.chat_local import _load, to_chat_messages

PROMPTS = [
    "Write two sentences about a fuel price rise in a small town.",
    "Describe a crowded market on a hot afternoon in three sentences.",
    "Explain in two sentences why truck drivers might protest.",
    "Write a short note to a neighbour about a water outage.",
]


def run(quick: bool = False) -> dict:
    options = ChatOptions(seed=0, temperature=0.7, max_tokens=96)
    model = make_chat_model("local", options=options)
    llm = _load(model.model_path, model.n_ctx, model.n_threads).llm
    model.invoke("warm up")
    repeats = 1 if quick else 3
    wrapper_rates, direct_rates = [], []
    for _ in range(repeats):
        for i, prompt in enumerate(PROMPTS):
            started = time.perf_counter()
            message = model.invoke(prompt, seed=i)
            elapsed = time.perf_counter() - started
            wrapper_rates.append(message.usage_metadata["output_tokens"] / elapsed)

            messages = to_chat_messages(model._convert_input(prompt).to_messages())
            started = time.perf_counter()
            llm.reset()
            out = llm.create_chat_completion(
                messages=messages,
                temperature=model.temperature,
                top_p=model.top_p,
                max_tokens=model.max_tokens,
                seed=i,
            )
            elapsed = time.perf_counter() - started
            direct_rates.append(out["usage"]["completion_tokens"] / elapsed)
    wrapper = statistics.median(wrapper_rates)
    direct = statistics.median(direct_rates)
    return {
        "name": "models",
        "figures": {
            "local_wrapper_tokens_per_s": round(wrapper, 1),
            "local_direct_tokens_per_s": round(direct, 1),
            "wrapper_over_direct": round(wrapper / direct, 3),
        },
        "notes": f"medians of {len(wrapper_rates)} calls each, alternating; goal ratio >= 0.95",
    }
