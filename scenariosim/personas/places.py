"""Census regions as Atropian provinces, from the world gazetteer.

The census only knows `geo_01`..`geo_10`; the gazetteer's entities of kind `province`
carry the region they stand for. Read here with `scenariosim.yaml_io` (no dependency on the
knowledge package) and only provinces are relied on, as others append to the file.
"""

from functools import lru_cache
from pathlib import Path

from scenariosim.errors import InputFileError
from scenariosim.yaml_io import YamlError, read_yaml

GAZETTEER = Path(__file__).parents[1] / "data" / "world" / "gazetteer.yaml"


def provinces_by_region(path: Path | None = None) -> dict[str, str]:
    """Census region code -> province name (empty when the gazetteer names none)."""
    pairs: dict[str, str] = {}
    for entity in _entities(path or GAZETTEER):
        if entity.get("kind") == "province" and entity.get("region"):
            pairs.setdefault(str(entity["region"]), str(entity["name"]))
    return dict(sorted(pairs.items()))


def gazetteer_people(path: Path | None = None) -> tuple[str, ...]:
    """Full names of the gazetteer's people, which no persona may share."""
    names = {
        str(e["name"])
        for e in _entities(path or GAZETTEER)
        if e.get("kind") == "person" and e.get("name")
    }
    return tuple(sorted(names))


def _entities(path: Path) -> list[dict]:
    stat = path.stat() if path.exists() else None
    return _read(path, stat.st_mtime_ns if stat else 0)


@lru_cache(maxsize=4)
def _read(path: Path, mtime_ns: int) -> list[dict]:
    """The entity dicts (cached per file version; others append to the gazetteer)."""
    try:
        data = read_yaml(path).data or {}
    except (OSError, YamlError) as e:
        raise InputFileError(f"{path}: cannot read the gazetteer ({e})") from e
    entities = data.get("entities", []) if isinstance(data, dict) else []
    return [e for e in entities if isinstance(e, dict)]


def region_for(name: str, provinces: dict[str, str]) -> str | None:
    """A region code from a code (`geo_04`, any case) or a province name (`Karavan Province`,
    or `Karavan`); None when neither matches."""
    wanted = name.strip().lower()
    for region, province in provinces.items():
        short = province.lower().removesuffix(" province")
        if wanted in (region.lower(), province.lower(), short):
            return region
    if wanted.startswith("geo_") and len(wanted) == 6:
        return wanted
    return None
