"""The World Bank synthetic census schema (catalog 5906, and 5908 for the full population).

Column names, value labels (the codebook, as the Stata files label their codes) and which
columns the personas package reads. Categorical columns may arrive as labels (Stata with
value labels, our Parquet) or as the integer codes below (a CSV exported without labels);
the loader turns both into pandas categoricals with these labels as categories.
"""

from dataclasses import dataclass
from typing import Literal

HOUSEHOLD_STEMS = ("HLD", "households")
INDIVIDUAL_STEMS = ("IND", "individuals")
READABLE_SUFFIXES = (".dta", ".csv", ".parquet", ".csv.gz")

_YES_NO = {0: "No", 1: "Yes"}
_QUINTILES = {1: "poorest", 2: "poor", 3: "average", 4: "rich", 5: "richest"}
_DISTRICTS = {
    "geo_01": 8,
    "geo_02": 8,
    "geo_03": 5,
    "geo_04": 4,
    "geo_05": 7,
    "geo_06": 4,
    "geo_07": 4,
    "geo_08": 4,
    "geo_09": 8,
    "geo_10": 9,
}

# Stata value labels of the catalog files: {column: {code: label}}. Labels are cut at 39
# characters in the catalog ("Legislators, senior officials and manag"); words.py has the
# full wording used in persona descriptions.
CODEBOOK: dict[str, dict[int, str]] = {
    "geo1": {r: f"geo_{r:02d}" for r in range(1, 11)},
    "geo2": {
        10 * r + d: f"geo_{r:02d}_{d:02d}"
        for r in range(1, 11)
        for d in range(1, _DISTRICTS[f"geo_{r:02d}"] + 1)
    },
    "urbrur": {1: "Rural", 2: "Urban"},
    "statocc": {1: "Owned", 2: "Rented", 3: "Occupied for free"},
    "floor": {1: "Earth", 2: "Cement/concrete", 3: "Tile", 4: "Stone", 5: "Wood", 6: "Other"},
    "walls": {
        1: "Cardboard, scrap",
        2: "Wood or straw",
        3: "Bricks",
        4: "Concrete or cement",
        5: "Adobe or mud",
        6: "Stone",
        7: "Metal",
        8: "Other",
    },
    "roof": {
        1: "Concrete or cement",
        2: "Tile",
        3: "Asphalt/laminate",
        4: "Slate",
        5: "Metal",
        6: "Wood",
        7: "Thatch",
        8: "Scrap",
        9: "Other",
    },
    "water": {
        11: "Piped into dwelling",
        12: "Piped to yard/plot",
        13: "Piped to neighbor",
        14: "Public tap/standpipe",
        21: "Tube well or borehole",
        31: "Protected well",
        32: "Unprotected well",
        41: "Protected spring",
        42: "Unprotected spring",
        43: "River/dam/lake/ponds/stream/canal/irrig",
        51: "Rainwater",
        61: "Tanker truck",
        62: "Cart with small tank",
        71: "Bottled water",
        96: "Other",
    },
    "piped_water": {
        0: "No piped water",
        1: "Piped into dwelling",
        2: "Piped outside the dwelling",
        3: "Public piped water",
    },
    "toilet": {
        11: "Flush to piped sewer system",
        12: "Flush to septic tank",
        13: "Flush to pit latrine",
        14: "Flush to somewhere else",
        21: "Ventilated improved pit latrine (vip)",
        22: "Pit latrine with slab",
        23: "Pit latrine without slab/open pit",
        31: "No facility/bush/field",
        96: "Other",
    },
    "flush_toilet": {0: "No toilet", 1: "Flush toilet", 2: "Toilet/latrine with no flush"},
    "electricity": _YES_NO,
    "cook_fuel": {
        1: "Electricity",
        2: "Gas",
        3: "Petroleum",
        4: "Wood",
        5: "Coal/charcoal",
        6: "Other",
    },
    "phone": _YES_NO,
    "cell": _YES_NO,
    "car": _YES_NO,
    "bicycle": _YES_NO,
    "motorcycle": _YES_NO,
    "refrigerator": _YES_NO,
    "tv": _YES_NO,
    "radio": _YES_NO,
    "bank": _YES_NO,
    "quint_nat": _QUINTILES,
    "quint_urb": _QUINTILES,
    "quint_rur": _QUINTILES,
    "relation": {
        1: "Head",
        2: "Spouse/partner",
        3: "Child",
        4: "Other relative",
        5: "Non-relative",
    },
    "sex": {1: "Male", 2: "Female"},
    "marstat": {
        1: "Single/never married",
        2: "Married/in union",
        3: "Divorced/separated",
        4: "Widowed",
    },
    "religion": {
        1: "No religion",
        2: "Religion A",
        3: "Religion B",
        4: "Religion C",
        5: "Religion D",
        6: "Religion E",
        7: "Other",
    },
    "school_attend": {
        1: "Yes",
        2: "No, never attended",
        3: "No, attended in the past",
        4: "No, not specified if ever attended",
    },
    "educ_attain": {
        0: "NIU (not in universe) or no education",
        1: "Less than primary",
        2: "Primary",
        3: "Secondary",
        4: "University",
    },
    "literacy": {0: "Not in universe", 1: "Yes", 2: "No"},
    "act_status": {0: "NIU (not in universe)", 1: "Employed", 2: "Unemployed", 3: "Inactive"},
    "labor_force": {0: "Not in universe", 1: "Yes", 2: "No"},
    "occupation": {
        0: "Not in universe",
        1: "Legislators, senior officials and manag",
        2: "Professionals",
        3: "Technicians and associate professionals",
        4: "Clerks",
        5: "Service workers and shop and market sal",
        6: "Skilled agricultural and fishery worker",
        7: "Crafts and related trades workers",
        8: "Plant and machine operators and assembl",
        9: "Elementary occupations",
        10: "Armed forces",
        11: "Other occupations, unspecified or n.e.c",
    },
    "industry": {
        0: "NIU (not in universe)",
        1: "Agriculture, fishing, and forestry",
        2: "Mining and extraction",
        3: "Manufacturing",
        4: "Electricity, gas, water and waste manag",
        5: "Construction",
        6: "Wholesale and retail trade",
        7: "Hotels and restaurants",
        8: "Transportation, storage, and communicat",
        9: "Financial services and insurance",
        10: "Public administration and defense",
        11: "Business services and real estate",
        12: "Education",
        13: "Health and social work",
        14: "Other services",
        15: "Private household services",
        16: "Other industry, n.e.c.",
    },
    "migrate_recent": {
        0: "NIU (not in universe)",
        10: "Same major administrative unit",
        11: "Same major, same minor administrative u",
        12: "Same major, different minor administrat",
        20: "Different major administrative unit",
        30: "Abroad",
        99: "Unknown/missing",
    },
    "disability": {0: "No disability", 1: "Has disability"},
    "blind": _YES_NO,
    "deaf": _YES_NO,
    "mental": _YES_NO,
}

ColumnKind = Literal["id", "int", "float", "category"]


@dataclass(frozen=True)
class Column:
    """One schema column: its kind, and whether a row may leave it empty."""

    name: str
    kind: ColumnKind
    nullable: bool = False


def _columns(spec: str) -> tuple[Column, ...]:
    """`name:kind[?]` words -> columns; `?` marks a column the catalog leaves empty by design."""
    out = []
    for word in spec.split():
        name, kind = word.split(":")
        out.append(Column(name, kind.rstrip("?"), kind.endswith("?")))  # type: ignore[arg-type]
    return tuple(out)


HOUSEHOLD_SCHEMA = _columns(
    "hid:id geo1:category geo2:category ea:int urbrur:category hhsize:int statocc:category "
    "rooms:int bedrooms:int floor:category walls:category roof:category water:category "
    "piped_water:category toilet:category flush_toilet:category electricity:category "
    "cook_fuel:category phone:category cell:category car:category bicycle:category "
    "motorcycle:category refrigerator:category tv:category radio:category bank:category "
    "deaths_12m:float? "
    + " ".join(f"exp_{i:02d}:float" for i in range(1, 13))
    + " tot_exp:float tot_food:float share_food:float pc_exp:float quint_nat:category "
    "quint_urb:category? quint_rur:category? hhweight:float popweight:float"
)
INDIVIDUAL_SCHEMA = _columns(
    "hid:id idno:int relation:category sex:category age:int age_month:float? "
    "marstat:category religion:category school_attend:category educ_attain:category "
    "yrs_school:float? literacy:category act_status:category labor_force:category "
    "occupation:category industry:category migrate_recent:category disability:category "
    "blind:category deaf:category mental:category ch_weight:float? ch_height:float? "
    "children_born:float? children_surv:float? births_12m:float? hhweight:float"
)
HOUSEHOLD_COLUMNS = tuple(c.name for c in HOUSEHOLD_SCHEMA)
INDIVIDUAL_COLUMNS = tuple(c.name for c in INDIVIDUAL_SCHEMA)
SCHEMA = {c.name: c for c in (*HOUSEHOLD_SCHEMA, *INDIVIDUAL_SCHEMA)}

# What persona sampling and enrichment read; every other column stays on disk.
ASSETS = ("electricity", "phone", "cell", "car", "refrigerator", "tv", "radio", "bank")
PERSONA_HOUSEHOLD_COLUMNS = (
    "hid",
    "geo1",
    "geo2",
    "ea",
    "urbrur",
    "hhsize",
    "statocc",
    *ASSETS,
    "quint_nat",
    "hhweight",
)
PERSONA_INDIVIDUAL_COLUMNS = (
    "hid",
    "idno",
    "relation",
    "sex",
    "age",
    "marstat",
    "religion",
    "school_attend",
    "educ_attain",
    "literacy",
    "act_status",
    "occupation",
    "industry",
    "migrate_recent",
    "disability",
)


def labels(column: str) -> list[str]:
    """The categories of a categorical column, in code order."""
    return list(CODEBOOK[column].values())
