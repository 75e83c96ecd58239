"""`--set key=value` changes to a scenario, for replays and sweeps.

A key is a dotted path to a setting that exists (`critic.threshold`, `retrieval.k`,
`models.agent`); a value is read as YAML (`4`, `true`, `gemini:gemini-2.5-flash`). The
changed scenario is validated as a whole, so a bad value is one error naming the key.
"""

from typing import Any

from pydantic import ValidationError

from scenariosim.errors import ConfigError
from scenariosim.scenario import Scenario
from scenariosim.yaml_io import as_written, parse_scalar


def parse_assignment(text: str) -> tuple[str, str]:
    """`"critic.threshold=4"` -> `("critic.threshold", "4")`."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise ConfigError(f"--set {text!r}: write KEY=VALUE, e.g. critic.threshold=4")
    return key.strip(), value.strip()


def parse_value(text: str) -> Any:
    return parse_scalar(text)


def apply_overrides(
    scenario: Scenario,
    changes: dict[str, Any],
    forbidden: tuple[str, ...] = (),
    options: dict[str, str] | None = None,
) -> Scenario:
    """`scenario` with each dotted key set to its value; keys under `forbidden` are errors.

    The scenario's own rules judge every value, wherever it came from; `options` names the
    command-line option a key came from (`{"seed": "--seed"}`), for the message.
    """
    data = scenario.model_dump(mode="json")
    for key, value in changes.items():
        top = key.split(".")[0]
        if top in forbidden:
            raise ConfigError(
                f"--set {key}: '{top}' cannot change here ({', '.join(forbidden)} are fixed); "
                "start a new run with a changed scenario file instead"
            )
        node: Any = data
        parts = key.split(".")
        for depth, part in enumerate(parts):
            if not isinstance(node, dict) or part not in node:
                where = ".".join(parts[:depth]) or "the scenario"
                known = ", ".join(sorted(node)) if isinstance(node, dict) else "none"
                raise ConfigError(
                    f"--set {key}: no setting '{part}' in {where}; known: {known} "
                    "(see docs/scenario.md)"
                )
            if depth == len(parts) - 1:
                node[part] = value
            else:
                node = node[part]
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        # A setting that wants text gets the text typed (`--set name=0123` is '0123').
        wants_text = [
            ".".join(map(str, err["loc"]))
            for err in e.errors()
            if err["type"] == "string_type" and ".".join(map(str, err["loc"])) in changes
        ]
        if wants_text:
            written = {k: as_written(v) if k in wants_text else v for k, v in changes.items()}
            if written != changes:
                return apply_overrides(scenario, written, forbidden, options)
        first = e.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        if options and key in options:
            raise ConfigError(
                f"{options[key]} {changes[key]}: {first['msg']}; the scenario's '{key}' has "
                "the same rule (see docs/scenario.md)"
            ) from None
        if first["type"] == "string_type" and isinstance(changes.get(key), bool):
            raise ConfigError(
                f"--set: '{key}': {first['msg']}; YAML reads {changes[key]} as a boolean, so "
                f"""quote it as text: --set {key}='"{str(changes[key]).lower()}"'"""
            ) from None
        raise ConfigError(f"--set: '{key}': {first['msg']} (see docs/scenario.md)") from None
