"""Persona names: seeded draws from the invented lists in `data/personas/names.yaml`.

A household shares a family name (drawn from the seed and `hid`); spouses keep their own
family name in about a third of couples, lodgers always. Given names lean to the person's
generation. A full name that matches a real public figure, a blocked family or a person of
the world gazetteer is redrawn, compared by a loose spelling key (`skeleton`) so
"Hikmet Hajiyev" and "Hikmat Hajiev" count as one name.
"""

import hashlib
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from scenariosim.errors import InputFileError
from scenariosim.yaml_io import read_yaml

NAMES_FILE = Path(__file__).parents[1] / "data" / "personas" / "names.yaml"
OLDER_FROM_AGE = 45
OWN_GENERATION = 0.75  # share of given names drawn from the person's own generation
SPOUSE_KEEPS_NAME = 0.35
RELATIVE_SHARES_NAME = 0.5
_VOWELS = re.compile(r"[aeiouyəöüı]+")


@lru_cache(maxsize=65536)
def skeleton(name: str) -> str:
    """A spelling-insensitive key: digraphs folded, vowel runs and doubled letters merged."""
    text = name.lower().replace("-", " ")
    for digraph, letter in (("kh", "x"), ("sh", "s"), ("ch", "c"), ("dj", "j"), ("zh", "j")):
        text = text.replace(digraph, letter)
    text = re.sub(r"[^a-zəöüış ]", "", text)
    text = _VOWELS.sub("*", text)
    return re.sub(r"(.)\1+", r"\1", " ".join(text.split()))


@dataclass(frozen=True)
class NameLists:
    male_older: tuple[str, ...]
    male_younger: tuple[str, ...]
    female_older: tuple[str, ...]
    female_younger: tuple[str, ...]
    family: tuple[str, ...]
    blocked_people: frozenset[str]  # skeletons of full names
    blocked_families: frozenset[str]  # skeletons of masculine family names


@lru_cache(maxsize=4)
def name_lists(path: Path = NAMES_FILE, reserved: tuple[str, ...] = ()) -> NameLists:
    """The lists, with `reserved` full names (e.g. the gazetteer's people) blocked too."""
    try:
        data = read_yaml(path).data
        lists = NameLists(
            male_older=tuple(data["male"]["older"]),
            male_younger=tuple(data["male"]["younger"]),
            female_older=tuple(data["female"]["older"]),
            female_younger=tuple(data["female"]["younger"]),
            family=tuple(data["family"]),
            blocked_people=frozenset(skeleton(n) for n in [*data["blocked_people"], *reserved]),
            blocked_families=frozenset(
                skeleton(masculine(n.split()[-1])) for n in [*data["blocked_families"], *reserved]
            ),
        )
    except (OSError, KeyError, TypeError) as e:
        raise InputFileError(f"{path}: not a valid name list ({type(e).__name__}: {e})") from e
    return lists


def masculine(family: str) -> str:
    """The masculine form of a family name (Hasanova -> Hasanov)."""
    if family.endswith(("ova", "eva")):
        return family[:-1]
    return family


def feminine(family: str) -> str:
    """The feminine form of a masculine family name (Hasanov -> Hasanova, Alizade stays)."""
    return family + "a" if family.endswith(("ov", "ev")) else family


def rng_for(seed: int, *parts: object) -> random.Random:
    """A generator that depends only on the seed and the parts (a person, a household).

    Python's `random.Random(int).random()` is the one stream Python promises never to
    change, so enrichments use only `.random()` and stay the same across versions."""
    digest = hashlib.sha256("/".join(map(str, (seed, *parts))).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def pick(rng: random.Random, items: tuple[str, ...]) -> str:
    return items[min(int(rng.random() * len(items)), len(items) - 1)]


def draw_name(
    lists: NameLists, seed: int, hid: str, idno: int, sex: str, age: int, relation: str
) -> tuple[str, str]:
    """(given name, family name) for a census person; the same inputs, the same name."""
    person = rng_for(seed, "name", hid, idno)
    household_family = _family(lists, rng_for(seed, "family", hid))
    shares_name = {
        "Spouse/partner": person.random() >= SPOUSE_KEEPS_NAME,
        "Other relative": person.random() < RELATIVE_SHARES_NAME,
        "Non-relative": False,
    }.get(relation, True)
    family = household_family if shares_name else _family(lists, person)
    if sex == "Female":
        family = feminine(family)
    older = age >= OLDER_FROM_AGE
    for _ in range(50):
        own = person.random() < OWN_GENERATION
        generation = "older" if older == own else "younger"
        pool = getattr(lists, f"{'female' if sex == 'Female' else 'male'}_{generation}")
        given = pick(person, pool)
        if skeleton(f"{given} {family}") not in lists.blocked_people:
            return given, family
    family = feminine(_family(lists, person)) if sex == "Female" else _family(lists, person)
    return given, family


def _family(lists: NameLists, rng: random.Random) -> str:
    for _ in range(50):
        family = pick(rng, lists.family)
        if skeleton(family) not in lists.blocked_families:
            return family
    raise InputFileError("the family-name list has no name that is not blocked; add names")
