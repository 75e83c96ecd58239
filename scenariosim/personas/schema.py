"""The World Bank synthetic census schema (catalog 5906): columns the project relies on.

Categorical columns hold the catalog's value labels as strings, as `pandas.read_stata`
returns them; numeric columns are numbers. Loaders check these before anything else.
"""

HOUSEHOLD_FILE = "WLD_2023_SYNTH-SVY-HLD-EN_v01_M"
INDIVIDUAL_FILE = "WLD_2023_SYNTH-SVY-IND-EN_v01_M"

HOUSEHOLD_NUMERIC = (
    "ea",
    "hhsize",
    "rooms",
    "bedrooms",
    "deaths_12m",
    *(f"exp_{i:02d}" for i in range(1, 13)),
    "tot_exp",
    "tot_food",
    "share_food",
    "pc_exp",
    "hhweight",
    "popweight",
)
HOUSEHOLD_CATEGORICAL = (
    "geo1",
    "geo2",
    "urbrur",
    "statocc",
    "floor",
    "walls",
    "roof",
    "water",
    "piped_water",
    "toilet",
    "flush_toilet",
    "electricity",
    "cook_fuel",
    "phone",
    "cell",
    "car",
    "bicycle",
    "motorcycle",
    "refrigerator",
    "tv",
    "radio",
    "bank",
    "quint_nat",
    "quint_urb",
    "quint_rur",
)
HOUSEHOLD_COLUMNS = (
    "hid",
    *HOUSEHOLD_CATEGORICAL[:3],
    "ea",
    "hhsize",
    *HOUSEHOLD_CATEGORICAL[3:],
    *[c for c in HOUSEHOLD_NUMERIC if c not in ("ea", "hhsize")],
)

INDIVIDUAL_NUMERIC = (
    "idno",
    "age",
    "age_month",
    "yrs_school",
    "ch_weight",
    "ch_height",
    "children_born",
    "children_surv",
    "births_12m",
    "hhweight",
)
INDIVIDUAL_CATEGORICAL = (
    "relation",
    "sex",
    "marstat",
    "religion",
    "school_attend",
    "educ_attain",
    "literacy",
    "act_status",
    "labor_force",
    "occupation",
    "industry",
    "migrate_recent",
    "disability",
    "blind",
    "deaf",
    "mental",
)
INDIVIDUAL_COLUMNS = (
    "hid",
    *INDIVIDUAL_NUMERIC[:2],
    *INDIVIDUAL_CATEGORICAL,
    *INDIVIDUAL_NUMERIC[2:],
)

# What persona sampling needs; the full-population files are read with only these columns.
PERSONA_HOUSEHOLD_COLUMNS = (
    "hid",
    "geo1",
    "geo2",
    "urbrur",
    "hhsize",
    "electricity",
    "cell",
    "car",
    "tv",
    "bank",
    "refrigerator",
    "radio",
    "phone",
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
    "educ_attain",
    "literacy",
    "act_status",
    "occupation",
    "industry",
    "migrate_recent",
    "disability",
)
