"""The world's gazetteer: every entity the corpus names, public or invented."""

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from scenariosim.errors import InputFileError

DEFAULT_GAZETTEER = Path(__file__).parents[1] / "data" / "world" / "gazetteer.yaml"


class Entity(BaseModel):
    name: str
    kind: str
    source: Literal["public", "invented"]
    aliases: list[str] = Field(default_factory=list)
    description: str = ""
    region: str | None = None
    province: str | None = None


class Gazetteer(BaseModel):
    entities: list[Entity]

    def names(self) -> frozenset[str]:
        """Every name and alias, for the critic's 'does this exist in the world' check."""
        return frozenset(n for e in self.entities for n in (e.name, *e.aliases))

    def provinces_by_region(self) -> dict[str, str]:
        return {e.region: e.name for e in self.entities if e.kind == "province" and e.region}


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    path = path or DEFAULT_GAZETTEER
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Gazetteer.model_validate(data)
    except FileNotFoundError:
        raise InputFileError(f"gazetteer not found: {path}; fix world.gazetteer") from None
    except (yaml.YAMLError, ValidationError) as e:
        raise InputFileError(f"{path}: not a valid gazetteer ({str(e).splitlines()[0]})") from None
