"""The world's gazetteer: every entity the corpus names, public (fact sheet) or invented.

One YAML file, `entities:` a list of {name, kind, source, aliases, description, region,
province}. Provinces carry the census region code (`geo_01`..) they stand for. The critic
asks it whether a name exists in the world (`gazetteer.lookup("Aslanov")`); persona
enrichment asks it which province a census region is (`provinces_by_region()`).
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from scenariosim.errors import InputFileError
from scenariosim.text_rules import normalise_name
from scenariosim.yaml_io import load_yaml, validate_authored

DEFAULT_GAZETTEER = Path(__file__).parents[1] / "data" / "world" / "gazetteer.yaml"

EntityKind = Literal[
    "province", "town", "country", "place", "outlet", "person", "organisation", "currency"
]
_REGION_CODE = re.compile(r"geo_\d{2}")


class Entity(BaseModel):
    """One named thing of the world."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    kind: EntityKind
    source: Literal["public", "invented"]
    aliases: list[str] = Field(default_factory=list)
    description: str = ""
    region: str | None = Field(None, description="Census region code, e.g. geo_05.")
    province: str | None = Field(None, description="Province a town or place lies in.")

    @field_validator("region")
    @classmethod
    def _region_code(cls, value: str | None) -> str | None:
        if value is not None and not _REGION_CODE.fullmatch(value):
            raise ValueError(f"region '{value}' is not a census region code like geo_05")
        return value

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def short_names(self) -> tuple[str, ...]:
        """How news refers to a person after first mention: the surname ("Aslanov")."""
        if self.kind != "person":
            return ()
        return tuple(dict.fromkeys(n.split()[-1] for n in self.all_names if " " in n))


class Gazetteer(BaseModel):
    """The entities, with lookups by name, alias and (for people) surname."""

    entities: list[Entity]
    _index: dict[str, Entity] = PrivateAttr(default_factory=dict)

    def model_post_init(self, _context: object) -> None:
        index: dict[str, Entity] = {}
        for entity in self.entities:
            for name in entity.all_names:
                index.setdefault(normalise_name(name), entity)
        for entity in self.entities:
            for short in entity.short_names:
                index.setdefault(normalise_name(short), entity)
        self._index = index

    def __iter__(self) -> Iterator[Entity]:  # type: ignore[override]
        return iter(self.entities)

    def __len__(self) -> int:
        return len(self.entities)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.lookup(name) is not None

    def lookup(self, name: str) -> Entity | None:
        """The entity a name, alias or person's surname refers to; None if the world lacks it."""
        return self._index.get(normalise_name(name))

    def names(self) -> frozenset[str]:
        """Every name, alias and person's surname as written, for word-level checks."""
        return frozenset(n for e in self.entities for n in (*e.all_names, *e.short_names))

    def by_kind(self, kind: EntityKind) -> list[Entity]:
        return [e for e in self.entities if e.kind == kind]

    def provinces_by_region(self) -> dict[str, str]:
        """Census region code -> province name."""
        return {e.region: e.name for e in self.entities if e.kind == "province" and e.region}

    def province_for(self, place: str) -> str | None:
        """A province name from a region code (`geo_05`), a province, or a town in one."""
        if _REGION_CODE.fullmatch(place):
            return self.provinces_by_region().get(place)
        entity = self.lookup(place)
        if entity is None:
            return None
        if entity.kind == "province":
            return entity.name
        return entity.province


def _problems(gazetteer: Gazetteer) -> list[str]:
    """Conflicts a schema cannot see: one name for two entities, dangling provinces."""
    problems: list[str] = []
    owners: dict[str, str] = {}
    for entity in gazetteer.entities:
        for name in dict.fromkeys(normalise_name(n) for n in entity.all_names):
            if name in owners and owners[name] != entity.name:
                problems.append(f"'{name}' names both '{owners[name]}' and '{entity.name}'")
            owners.setdefault(name, entity.name)
    provinces = {e.name for e in gazetteer.by_kind("province")}
    regions: dict[str, str] = {}
    for entity in gazetteer.entities:
        if entity.province and entity.province not in provinces:
            problems.append(f"'{entity.name}': province '{entity.province}' is not an entity")
        if entity.kind == "province" and entity.region:
            if entity.region in regions:
                problems.append(
                    f"region {entity.region} is both '{regions[entity.region]}' and '{entity.name}'"
                )
            regions[entity.region] = entity.name
    return problems


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Read and check a gazetteer file; the shipped Atropia one by default."""
    path = path or DEFAULT_GAZETTEER
    try:
        loaded = load_yaml(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        raise InputFileError(f"gazetteer not found: {path}; fix world.gazetteer") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputFileError(f"{path}: cannot read the gazetteer ({e})") from None
    data = loaded.data
    if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
        raise InputFileError(f"{path}: expected a top-level 'entities:' list")
    try:
        gazetteer = validate_authored(Gazetteer, loaded)
    except ValidationError as e:
        first = e.errors()[0]
        loc = first["loc"]
        where = f"entities[{loc[1]}]" if len(loc) > 1 else "entities"
        index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
        entry = data["entities"][index] if index is not None else None
        name = entry.get("name", "?") if isinstance(entry, dict) else "?"
        key = ".".join(str(p) for p in loc[2:]) or "entry"
        raise InputFileError(
            f"{path}: {where} ('{name}') key '{key}': {first['msg']}; fix that entry"
        ) from None
    problems = _problems(gazetteer)
    if problems:
        raise InputFileError(f"{path}: " + "; ".join(problems[:5]) + "; fix the entries")
    return gazetteer
