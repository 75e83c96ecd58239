"""From a census row to a `Persona`: the facts in words, a name, a province, digital
access and the traits that shape voice and activity.

Every enrichment is a function of the row and a seed derived from (seed, persona id), so a
persona is the same whoever else is sampled with it. The rules:
- name: first name by sex and a family name (stem + suffix, -ov/-ova by sex) from
  `data/personas/names.yaml`;
- province: the gazetteer province whose `region` is the census `geo1`;
- digital access: high with a cell phone, under 50 and at least secondary school; medium
  with a cell phone; low without;
- political interest: 0.25 + 0.1 per education level above primary + 0.1 if 30-64, +/- noise;
- stance toward protest: leans for with youth, unemployment, poverty and city life, against
  with state-sector work and age 60+, +/- noise, in [-1, 1];
- posting propensity: interest x access (1.0 high, 0.6 medium, 0.15 low), in [0.02, 1].
"""

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, Field

NAMES_FILE = Path(__file__).parents[1] / "data" / "personas" / "names.yaml"
EDUCATION_LEVEL = {
    "NIU (not in universe) or no education": 0,
    "Less than primary": 1,
    "Primary": 2,
    "Secondary": 3,
    "University": 4,
}
STATE_INDUSTRIES = ("Public administration and defense", "Education", "Health and social work")
POOR = ("poorest", "poor")


class Traits(BaseModel):
    political_interest: float = Field(ge=0, le=1)
    protest_stance: float = Field(ge=-1, le=1, description="-1 against protest .. 1 for")
    posting_propensity: float = Field(ge=0, le=1)


class Persona(BaseModel):
    id: str
    hid: str
    idno: int
    name: str
    sex: str
    age: int
    marital_status: str
    relation: str
    education: str
    activity: str
    occupation: str
    industry: str
    religion: str
    region: str
    district: str
    province: str
    urban: bool
    household_size: int
    spending_quintile: str
    assets: list[str]
    digital_access: str
    traits: Traits

    def describe(self) -> str:
        """One paragraph in words, for prompts."""
        place = f"{'a city' if self.urban else 'a village'} in {self.province}"
        work = (
            f"works ({self.occupation.lower()}; {self.industry.lower()})"
            if self.activity == "Employed"
            else {"Unemployed": "is looking for work", "Inactive": "is not in paid work"}.get(
                self.activity, "is not in paid work"
            )
        )
        owns = ", ".join(self.assets) if self.assets else "few household assets"
        stance = (
            "sympathises with protesters"
            if self.traits.protest_stance > 0.25
            else "distrusts protests"
            if self.traits.protest_stance < -0.25
            else "is undecided about protests"
        )
        return (
            f"{self.name}, {self.age}, {self.sex.lower()}, {self.marital_status.lower()}, lives in "
            f"{place} in a household of {self.household_size}. Education: {self.education.lower()}. "
            f"{self.name.split()[0]} {work}. The household is among the {self.spending_quintile} "
            f"fifth by spending and has {owns}. Internet access is {self.digital_access}; "
            f"{'strong' if self.traits.political_interest > 0.6 else 'some' if self.traits.political_interest > 0.3 else 'little'} "
            f"interest in politics; {stance}."
        )


@cache
def _names() -> dict[str, list[str]]:
    return yaml.safe_load(NAMES_FILE.read_text(encoding="utf-8"))


def persona_id(hid: str, idno: int) -> str:
    return f"{hid}-{int(idno):02d}"


def _rng(seed: int, pid: str) -> np.random.Generator:
    digest = hashlib.sha256(f"{seed}/{pid}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def _name(rng: np.random.Generator, sex: str) -> str:
    names = _names()
    first = rng.choice(names["female" if sex == "Female" else "male"])
    stem = str(rng.choice(names["family_stems"]))
    suffix = str(rng.choice(names["family_suffixes"]))
    if stem.endswith(("ov", "ev")):
        family = stem + ("a" if sex == "Female" else "")
    elif suffix == "ov":
        family = stem + ("ova" if sex == "Female" else "ov")
    else:
        family = stem + suffix
    return f"{first} {family}"


def digital_access(row: dict[str, Any]) -> str:
    if not row["cell"]:
        return "low"
    if row["age"] < 50 and EDUCATION_LEVEL.get(row["educ_attain"], 0) >= 3:
        return "high"
    return "medium"


def _traits(row: dict[str, Any], access: str, rng: np.random.Generator) -> Traits:
    level = EDUCATION_LEVEL.get(row["educ_attain"], 0)
    interest = 0.25 + 0.1 * max(0, level - 2) + (0.1 if 30 <= row["age"] < 65 else 0.0)
    interest = float(np.clip(interest + rng.normal(0, 0.15), 0, 1))
    stance = 0.0
    stance += 0.3 if row["age"] < 35 else (-0.3 if row["age"] >= 60 else 0.0)
    stance += 0.3 if row["act_status"] == "Unemployed" else 0.0
    stance += 0.2 if row["quint_nat"] in POOR else 0.0
    stance += 0.1 if row["urban"] else 0.0
    stance -= 0.4 if row["industry"] in STATE_INDUSTRIES else 0.0
    stance = float(np.clip(stance + rng.normal(0, 0.35), -1, 1))
    propensity = interest * {"high": 1.0, "medium": 0.6, "low": 0.15}[access]
    return Traits(
        political_interest=round(interest, 3),
        protest_stance=round(stance, 3),
        posting_propensity=round(float(np.clip(propensity, 0.02, 1)), 3),
    )


def enrich(rows: list[dict[str, Any]], seed: int, provinces: dict[str, str]) -> list[Persona]:
    """Personas for census rows (dicts of the joined person+household columns)."""
    personas = []
    for row in rows:
        pid = persona_id(row["hid"], row["idno"])
        rng = _rng(seed, pid)
        access = digital_access(row)
        personas.append(
            Persona(
                id=pid,
                hid=row["hid"],
                idno=int(row["idno"]),
                name=_name(rng, row["sex"]),
                sex=row["sex"],
                age=int(row["age"]),
                marital_status=row["marstat"],
                relation=row["relation"],
                education=row["educ_attain"],
                activity=row["act_status"],
                occupation=row["occupation"],
                industry=row["industry"],
                religion=row["religion"],
                region=row["geo1"],
                district=row["geo2"],
                province=provinces.get(row["geo1"], row["geo1"]),
                urban=bool(row["urban"]),
                household_size=int(row["hhsize"]),
                spending_quintile=row["quint_nat"],
                assets=[
                    a
                    for a in ("electricity", "cell", "tv", "car", "bank", "refrigerator")
                    if row[a]
                ],
                digital_access=access,
                traits=_traits(row, access, rng),
            )
        )
    return personas
