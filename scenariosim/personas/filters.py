"""Who may be sampled: structured filters and pandas-query expressions, as one boolean mask.

Two ways to say the same thing, because scenario files and the CLI want short structured
fields (`regions: [geo_04]`, `--sex female`) while researchers want the full power of an
expression over census columns (`age >= 18 and cell == 1 and geo2 != "geo_04_02"`).
Both are checked against the codebook so a typo is an error, never an empty sample.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scenariosim.errors import ConfigError
from scenariosim.personas.places import provinces_by_region, region_for
from scenariosim.personas.schema import CODEBOOK
from scenariosim.personas.words import FILTER_WORDS


def _label(column: str, value: str) -> str:
    """A codebook label from a label or its words, any case."""
    wanted = value.strip().lower()
    for label in CODEBOOK[column].values():
        if label.lower() == wanted:
            return label
    if wanted in FILTER_WORDS.get(column, {}):
        return FILTER_WORDS[column][wanted]
    accepted = sorted(set(CODEBOOK[column].values()) | set(FILTER_WORDS.get(column, {})))
    raise ValueError(f"unknown value {value!r}; use one of: {', '.join(accepted)}")


class PersonaFilter(BaseModel):
    """Structured filters; every field left empty selects everyone. Fields combine with AND,
    values inside a list with OR."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    regions: list[str] = Field(
        default_factory=list, description="Region codes (geo_04) or province names."
    )
    districts: list[str] = Field(default_factory=list, description="District codes (geo_04_02).")
    urban: bool | None = Field(None, description="True: urban only; False: rural only.")
    age_min: int | None = Field(None, ge=0, le=120, description="Youngest age, inclusive.")
    age_max: int | None = Field(None, ge=0, le=120, description="Oldest age, inclusive.")
    sex: str | None = Field(None, description="Male or Female.")
    education: list[str] = Field(
        default_factory=list,
        description="no schooling, less than primary, primary, secondary, university.",
    )
    activity: list[str] = Field(
        default_factory=list, description="employed, unemployed, inactive (or the labels)."
    )
    cell: bool | None = Field(None, description="Household owns a cell phone (True) or not.")
    quintiles: list[str] = Field(
        default_factory=list,
        description="Spending quintiles: poorest, poor, average, rich, richest.",
    )

    @field_validator("regions")
    @classmethod
    def _regions(cls, values: list[str]) -> list[str]:
        provinces = provinces_by_region()
        out = []
        for value in values:
            region = region_for(value, provinces)
            if region is None or region not in CODEBOOK["geo1"].values():
                names = ", ".join(f"{r} ({p})" for r, p in sorted(provinces.items()))
                raise ValueError(f"unknown region {value!r}; use one of: {names}")
            out.append(region)
        return out

    @field_validator("districts")
    @classmethod
    def _districts(cls, values: list[str]) -> list[str]:
        return [_label("geo2", v) for v in values]

    @field_validator("sex")
    @classmethod
    def _sex(cls, value: str | None) -> str | None:
        return None if value is None else _label("sex", value)

    @field_validator("education")
    @classmethod
    def _education(cls, values: list[str]) -> list[str]:
        return [_label("educ_attain", v) for v in values]

    @field_validator("activity")
    @classmethod
    def _activity(cls, values: list[str]) -> list[str]:
        return [_label("act_status", v) for v in values]

    @field_validator("quintiles")
    @classmethod
    def _quintiles(cls, values: list[str]) -> list[str]:
        return [_label("quint_nat", v) for v in values]

    @model_validator(mode="after")
    def _ages(self) -> "PersonaFilter":
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError(f"age_min {self.age_min} is above age_max {self.age_max}")
        return self

    def is_empty(self) -> bool:
        return self == PersonaFilter()

    def describe(self) -> str:
        """The filter in one line, for tables and logs."""
        parts = [f"{k}={v}" for k, v in self.model_dump(exclude_defaults=True).items()]
        return ", ".join(parts) or "everyone"

    def mask(self, people: pd.DataFrame) -> np.ndarray:
        """True for each row of `people` (census person rows) that passes every field."""
        keep = np.ones(len(people), dtype=bool)
        for column, values in (
            ("geo1", self.regions),
            ("geo2", self.districts),
            ("educ_attain", self.education),
            ("act_status", self.activity),
            ("quint_nat", self.quintiles),
        ):
            if values:
                keep &= people[column].isin(values).to_numpy()
        if self.sex is not None:
            keep &= (people["sex"] == self.sex).to_numpy()
        if self.urban is not None:
            keep &= people["urban"].to_numpy() == int(self.urban)
        if self.cell is not None:
            keep &= people["cell"].to_numpy() == int(self.cell)
        age = people["age"].to_numpy()
        if self.age_min is not None:
            keep &= age >= self.age_min
        if self.age_max is not None:
            keep &= age <= self.age_max
        return keep


def parse_filter(fields: dict[str, object] | PersonaFilter | None) -> PersonaFilter:
    """A PersonaFilter from a dict (scenario YAML, CLI), as one ConfigError when invalid."""
    if fields is None:
        return PersonaFilter()
    if isinstance(fields, PersonaFilter):
        return fields
    from pydantic import ValidationError

    try:
        return PersonaFilter.model_validate(fields)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(map(str, err['loc'])) or 'filters'}: {err['msg'].removeprefix('Value error, ')}"
            for err in e.errors()
        )
        raise ConfigError(f"persona filters: {problems}") from None


def where_mask(people: pd.DataFrame, where: str) -> np.ndarray:
    """Evaluate a pandas-query expression over census person rows to a boolean mask."""
    try:
        result = people.eval(where, engine="python")
    except Exception as e:  # pandas raises many types for a bad expression
        raise ConfigError(
            f"personas.where {where!r} is not a valid filter ({type(e).__name__}: {e}). "
            f"Columns: {', '.join(people.columns)}. Assets and urban are 0/1; labels are "
            "quoted strings, e.g. sex == 'Female' and educ_attain == 'Secondary'."
        ) from None
    if not isinstance(result, pd.Series) or not pd.api.types.is_bool_dtype(result):
        raise ConfigError(
            f"personas.where {where!r} does not give True/False for each person; "
            "compare columns, e.g. age >= 18 and cell == 1"
        )
    return result.to_numpy(dtype=bool)


def selection_mask(
    people: pd.DataFrame,
    where: str | None = None,
    filters: PersonaFilter | dict[str, object] | None = None,
    min_age: int = 0,
) -> np.ndarray:
    """All conditions together: min_age, structured filters, then the expression."""
    keep = people["age"].to_numpy() >= min_age
    structured = parse_filter(filters)
    if not structured.is_empty():
        keep &= structured.mask(people)
    if where and where.strip():
        keep &= where_mask(people, where)
    return keep


def describe_selection(
    where: str | None, filters: PersonaFilter | dict[str, object] | None, min_age: int
) -> str:
    """The selection in words, for error messages and report captions."""
    structured = parse_filter(filters)
    parts: Sequence[str] = [
        *([f"age >= {min_age}"] if min_age else []),
        *([structured.describe()] if not structured.is_empty() else []),
        *([where] if where else []),
    ]
    return " and ".join(parts) or "everyone"
