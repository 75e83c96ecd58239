"""From census rows to `Persona`s: facts in words, a name, a province, digital access and
traits. Every rule, and what the traits do in a run, is in docs/personas.md.

Every random choice uses a generator seeded by (seed, what, hid, idno), so a persona is
the same whoever else is sampled with it and whatever order rows come in. The rules:

- name: `names.draw_name` (household family name, generation-leaning given name).
- province: the gazetteer province whose `region` is the census `geo1`.
- occupation: the ISCO group in words when employed; otherwise, first that fits: student
  (in school, 5+), child (under 6), looking for work (unemployed), retired (60+),
  homemaker (married woman 20-59), else not in paid work.
- digital access (no randomness): none without a household cell phone if 60+, under 10 or
  never schooled, else low; with one, points for age (15-29: 3, 30-44: 2, 10-14 and 45-59:
  1), schooling (secondary +1, university +2, none -1), town +1, rich/richest +1,
  poorest -1: 4+ high, 2-3 medium, else low; under 10 none.
- traits: see `_traits`; each is a linear score of census facts plus seeded noise,
  clipped to its range.
"""

import math
import random
from collections.abc import Iterable, Mapping
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from scenariosim.errors import ConfigError
from scenariosim.personas.names import draw_name, name_lists, rng_for
from scenariosim.personas.persona import DigitalAccess, NewsSource, Persona, Tone, Traits
from scenariosim.personas.places import gazetteer_people, provinces_by_region
from scenariosim.personas.words import (
    ACTIVITY,
    EDUCATION,
    EDUCATION_LEVEL,
    INDUSTRY,
    MARITAL,
    MIGRATION,
    OCCUPATION,
    RELATION,
    RELIGION,
    STATE_INDUSTRIES,
    TENURE,
)

__all__ = ["Persona", "Traits", "digital_access", "enrich", "persona_id"]

ASSET_WORDS = {
    "electricity": "electricity",
    "phone": "a landline",
    "cell": "a mobile phone",
    "car": "a car",
    "refrigerator": "a refrigerator",
    "tv": "a TV",
    "radio": "a radio",
    "bank": "a bank account",
}
REQUIRED = (
    "hid",
    "idno",
    "sex",
    "age",
    "relation",
    "marstat",
    "educ_attain",
    "act_status",
    "occupation",
    "industry",
    "geo1",
    "urban",
    "quint_nat",
    "cell",
)
POSTING_BY_ACCESS = {"none": 0.02, "low": 0.15, "medium": 0.5, "high": 1.0}


def persona_id(hid: str, idno: int) -> str:
    """The stable persona id: the census household id and person number."""
    return f"{hid}-{int(idno):02d}"


def parse_persona_id(persona: str) -> tuple[str, int]:
    """(hid, idno) from a persona id, as a ConfigError when it is not one."""
    hid, _, idno = persona.rpartition("-")
    if not hid or not idno.isdigit():
        raise ConfigError(f"{persona!r} is not a persona id; ids look like 0a1b2c3d4e5-03")
    return hid, int(idno)


def enrich(
    rows: pd.DataFrame | Iterable[Mapping[str, Any]],
    seed: int = 0,
    provinces: Mapping[str, str] | None = None,
) -> list[Persona]:
    """Personas for census rows (as `sample_people` returns them), in the same order.

    `provinces` maps region codes to province names (default: the shipped gazetteer).
    """
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    provinces = dict(provinces) if provinces is not None else provinces_by_region()
    lists = name_lists(reserved=gazetteer_people())
    personas = []
    for row in records:
        missing = [k for k in REQUIRED if k not in row]
        if missing:
            raise ConfigError(
                f"census row {row.get('hid', '?')}-{row.get('idno', '?')} lacks "
                f"{', '.join(missing)}; pass rows from sample_people or select"
            )
        personas.append(_persona(row, seed, provinces, lists))
    return personas


def _persona(
    row: Mapping[str, Any], seed: int, provinces: Mapping[str, str], lists: Any
) -> Persona:
    hid, idno, age, sex = str(row["hid"]), int(row["idno"]), int(row["age"]), str(row["sex"])
    given, family = draw_name(lists, seed, hid, idno, sex, age, str(row["relation"]))
    education = EDUCATION.get(str(row["educ_attain"]), str(row["educ_attain"]))
    activity = ACTIVITY.get(str(row["act_status"]), str(row["act_status"]))
    industry = INDUSTRY.get(str(row["industry"]), str(row["industry"]))
    in_school = str(row.get("school_attend", "")) == "Yes"
    access = digital_access(row)
    literacy = str(row.get("literacy", ""))
    return Persona(
        id=persona_id(hid, idno),
        hid=hid,
        idno=idno,
        seed=seed,
        name=f"{given} {family}",
        sex="Female" if sex == "Female" else "Male",
        age=age,
        marital_status=MARITAL.get(str(row["marstat"]), str(row["marstat"])),
        relation=RELATION.get(str(row["relation"]), str(row["relation"])),
        household_size=int(row.get("hhsize", 1)),
        household_children=int(row.get("hh_children", 0)),
        household_workers=int(row.get("hh_workers", 0)),
        education=education,
        in_school=in_school,
        literate={"Yes": True, "No": False}.get(literacy),
        activity=activity,
        occupation=_occupation(row, activity, in_school),
        industry=industry,
        religion=RELIGION.get(str(row.get("religion", "")), "of no stated faith"),
        region=str(row["geo1"]),
        district=str(row.get("geo2", "")),
        province=provinces.get(str(row["geo1"]), f"region {row['geo1']}"),
        urban=bool(int(row["urban"])),
        tenure=TENURE.get(str(row.get("statocc", "")), "lives in its home"),
        spending_quintile=str(row["quint_nat"]),
        assets=[words for column, words in ASSET_WORDS.items() if int(row.get(column, 0) or 0)],
        cell_phone=bool(int(row["cell"])),
        digital_access=access,
        disability=str(row.get("disability", "")) == "Has disability",
        recent_move=MIGRATION.get(str(row.get("migrate_recent", "")), ""),
        traits=_traits(row, access, education, industry, rng_for(seed, "traits", hid, idno)),
    )


def _occupation(row: Mapping[str, Any], activity: str, in_school: bool) -> str:
    age = int(row["age"])
    if activity == "employed":
        return OCCUPATION.get(str(row["occupation"]), str(row["occupation"]))
    if in_school and age >= 5:
        return "student"
    if age < 6:
        return "child"
    if activity == "unemployed":
        return "looking for work"
    if age >= 60:
        return "retired"
    married_woman = row["sex"] == "Female" and row["marstat"] == "Married/in union"
    if married_woman and 20 <= age < 60:
        return "homemaker"
    return "not in paid work"


def digital_access(row: Mapping[str, Any]) -> DigitalAccess:
    """Internet access from the household's cell phone, age, schooling, setting, spending."""
    age = int(row["age"])
    level = EDUCATION_LEVEL.get(EDUCATION.get(str(row["educ_attain"]), ""), 0)
    if age < 10:
        return "none"
    if not int(row["cell"]):
        return "none" if age >= 60 or level == 0 else "low"
    points = 3 if 15 <= age < 30 else 2 if 30 <= age < 45 else 1 if age < 60 else 0
    points += {0: -1, 3: 1, 4: 2}.get(level, 0)
    points += 1 if int(row["urban"]) else 0
    points += {"rich": 1, "richest": 1, "poorest": -1}.get(str(row["quint_nat"]), 0)
    return "high" if points >= 4 else "medium" if points >= 2 else "low"


def _traits(
    row: Mapping[str, Any],
    access: DigitalAccess,
    education: str,
    industry: str,
    rng: random.Random,
) -> Traits:
    """Census facts -> traits. Directions and sizes are this project's assumptions, not
    estimates (docs/personas.md), set so traits spread over their whole range."""
    age = int(row["age"])
    level = EDUCATION_LEVEL.get(education, 0)
    urban = bool(int(row["urban"]))
    quintile = str(row["quint_nat"])
    unemployed = row["act_status"] == "Unemployed"
    state_job = row["act_status"] == "Employed" and industry in STATE_INDUSTRIES
    poor = quintile in ("poorest", "poor")
    moved = str(row.get("migrate_recent", "")) == "Different major administrative unit"

    interest = 0.15 + 0.08 * level + (0.1 if 25 <= age < 65 else 0.05 if age >= 65 else 0.0)
    interest += 0.05 * (row["sex"] == "Male") + 0.05 * urban + 0.05 * state_job
    interest = 0.05 if age < 15 else interest
    interest = _clip(interest + _normal(rng, 0.15), 0, 1)

    government = 0.05 + 0.25 * (age >= 55) - 0.15 * (age < 30) + 0.3 * state_job
    government += -0.3 * unemployed - 0.15 * poor + 0.1 * (quintile == "richest")
    government += 0.1 * (not urban) - 0.1 * (level == 4) - 0.1 * moved
    government = _clip(government + _normal(rng, 0.35), -1, 1)

    protest = -0.5 * government + 0.15 * (age < 30) - 0.15 * (age >= 60) + 0.1 * urban
    protest += 0.2 * unemployed + 0.1 * poor + 0.15 * (interest - 0.4)
    protest = _clip(protest + _normal(rng, 0.3), -1, 1)

    age_factor = 0.4 if age < 18 else 1.0 if age < 35 else 0.8 if age < 55 else 0.5
    posting = math.sqrt(interest) * POSTING_BY_ACCESS[access] * age_factor
    posting = _clip(posting + _normal(rng, 0.05), 0.01, 1)

    return Traits(
        political_interest=interest,
        government_stance=government,
        protest_stance=protest,
        posting_propensity=posting,
        news_source=_news_source(row, access, age, rng),
        tone=_tone(level, age, rng),
    )


def _news_source(
    row: Mapping[str, Any], access: DigitalAccess, age: int, rng: random.Random
) -> NewsSource:
    if rng.random() < 0.1:
        return "friends and family"
    if access == "high":
        return "social media" if age < 35 or rng.random() < 0.4 else "online news sites"
    if access == "medium" and (age < 30 or rng.random() < 0.3):
        return "social media"
    if int(row.get("tv", 0) or 0):
        return "state TV"
    if int(row.get("radio", 0) or 0):
        return "radio"
    return "friends and family"


def _tone(level: int, age: int, rng: random.Random) -> Tone:
    draw = rng.random()
    if level == 4 and draw < 0.6:
        return "formal"
    if age < 30 and draw < 0.7:
        return "colloquial"
    return "plain" if draw < 0.85 else "colloquial" if age < 50 else "formal"


def _normal(rng: random.Random, sd: float) -> float:
    """A normal deviate from `.random()` alone (see names.rng_for on why)."""
    return _STANDARD.inv_cdf(min(max(rng.random(), 1e-12), 1 - 1e-12)) * sd


_STANDARD = NormalDist()


def _clip(value: float, low: float, high: float) -> float:
    return round(min(max(float(value), low), high), 3)


def digital_access_column(people: pd.DataFrame) -> pd.Series:
    """`digital_access` for every row of a census frame at once (same rules, vectorised)."""
    age = people["age"].to_numpy()
    levels = {label: EDUCATION_LEVEL[words] for label, words in EDUCATION.items()}
    level = people["educ_attain"].map(levels).astype(float).fillna(0).to_numpy()
    cell = people["cell"].to_numpy().astype(bool)
    urban = people["urban"].to_numpy().astype(int)
    rich = people["quint_nat"].isin(["rich", "richest"]).to_numpy().astype(int)
    poorest = (people["quint_nat"] == "poorest").to_numpy().astype(int)
    points = np.select(
        [(age >= 15) & (age < 30), (age >= 30) & (age < 45), age < 60], [3, 2, 1], default=0
    )
    points = points + np.select([level == 0, level == 3, level == 4], [-1, 1, 2], default=0)
    points = points + urban + rich - poorest
    levels = ["none", "low", "medium", "high"]
    with_cell = np.where(points >= 4, 3, np.where(points >= 2, 2, 1))
    without_cell = np.where((age >= 60) | (level == 0), 0, 1)
    codes = np.where(age < 10, 0, np.where(cell, with_cell, without_cell)).astype(np.int8)
    return pd.Series(pd.Categorical.from_codes(codes, levels), index=people.index)
