"""Census labels in words: what a persona says about itself and what filters accept.

The catalog's labels are cut at 39 characters and written for statisticians ("NIU (not in
universe) or no education"); personas, prompts and filters use the words below. Each map
covers every label of its codebook column (a test checks this).
"""

from scenariosim.personas.schema import CODEBOOK

EDUCATION = {
    "NIU (not in universe) or no education": "no schooling",
    "Less than primary": "less than primary",
    "Primary": "primary",
    "Secondary": "secondary",
    "University": "university",
}
EDUCATION_LEVEL = {
    "no schooling": 0,
    "less than primary": 1,
    "primary": 2,
    "secondary": 3,
    "university": 4,
}
ACTIVITY = {
    "NIU (not in universe)": "too young to work",
    "Employed": "employed",
    "Unemployed": "unemployed",
    "Inactive": "not in the labour force",
}
MARITAL = {
    "Single/never married": "single",
    "Married/in union": "married",
    "Divorced/separated": "divorced or separated",
    "Widowed": "widowed",
}
RELATION = {
    "Head": "head of the household",
    "Spouse/partner": "spouse of the household head",
    "Child": "child of the household head",
    "Other relative": "relative of the household head",
    "Non-relative": "lodger or other non-relative",
}
OCCUPATION = {
    "Not in universe": "none",
    "Legislators, senior officials and manag": "manager or senior official",
    "Professionals": "professional",
    "Technicians and associate professionals": "technician or associate professional",
    "Clerks": "clerk",
    "Service workers and shop and market sal": "service or sales worker",
    "Skilled agricultural and fishery worker": "farmer or fisher",
    "Crafts and related trades workers": "craft or trades worker",
    "Plant and machine operators and assembl": "machine operator or driver",
    "Elementary occupations": "labourer",
    "Armed forces": "soldier",
    "Other occupations, unspecified or n.e.c": "other occupation",
}
INDUSTRY = {
    "NIU (not in universe)": "none",
    "Agriculture, fishing, and forestry": "agriculture, fishing and forestry",
    "Mining and extraction": "mining and extraction",
    "Manufacturing": "manufacturing",
    "Electricity, gas, water and waste manag": "electricity, gas, water and waste management",
    "Construction": "construction",
    "Wholesale and retail trade": "wholesale and retail trade",
    "Hotels and restaurants": "hotels and restaurants",
    "Transportation, storage, and communicat": "transport, storage and communications",
    "Financial services and insurance": "financial services and insurance",
    "Public administration and defense": "public administration and defence",
    "Business services and real estate": "business services and real estate",
    "Education": "education",
    "Health and social work": "health and social work",
    "Other services": "other services",
    "Private household services": "private household services",
    "Other industry, n.e.c.": "other industry",
}
STATE_INDUSTRIES = ("public administration and defence", "education", "health and social work")
QUINTILE = {q: q for q in CODEBOOK["quint_nat"].values()}
TENURE = {
    "Owned": "owns its home",
    "Rented": "rents its home",
    "Occupied for free": "lives rent-free",
}
# The catalog names religions A..E; the setting (a Shia-majority Caucasus country) names
# them. The largest, E (91 %), is Shia Islam; D (2 %) Sunni Islam; the rest are small.
RELIGION = {
    "No religion": "not religious",
    "Religion A": "Orthodox Christian",
    "Religion B": "Jewish",
    "Religion C": "of another faith",
    "Religion D": "Sunni Muslim",
    "Religion E": "Shia Muslim",
    "Other": "of another faith",
}
MIGRATION = {
    "NIU (not in universe)": "",
    "Same major administrative unit": "moved within the province recently",
    "Same major, same minor administrative u": "moved within the district recently",
    "Same major, different minor administrat": "moved from another district recently",
    "Different major administrative unit": "moved from another province recently",
    "Abroad": "came back from abroad recently",
    "Unknown/missing": "",
}
SETTING = {"Urban": "urban", "Rural": "rural"}

# Words a structured filter accepts for a census column, besides its labels.
FILTER_WORDS: dict[str, dict[str, str]] = {
    "educ_attain": {
        **{words: label for label, words in EDUCATION.items()},
        "none": "NIU (not in universe) or no education",
    },
    "act_status": {
        **{words: label for label, words in ACTIVITY.items()},
        "inactive": "Inactive",
        "niu": "NIU (not in universe)",
    },
    "marstat": {words: label for label, words in MARITAL.items()},
    "sex": {
        "male": "Male",
        "female": "Female",
        "m": "Male",
        "f": "Female",
        "man": "Male",
        "woman": "Female",
    },
    "quint_nat": QUINTILE,
}


WORD_MAPS = {
    "educ_attain": EDUCATION,
    "act_status": ACTIVITY,
    "marstat": MARITAL,
    "relation": RELATION,
    "occupation": OCCUPATION,
    "industry": INDUSTRY,
    "quint_nat": QUINTILE,
    "statocc": TENURE,
    "religion": RELIGION,
    "migrate_recent": MIGRATION,
    "urbrur": SETTING,
}


def words(column: str, label: str) -> str:
    """The words for a census label (the label itself when there are none)."""
    return WORD_MAPS.get(column, {}).get(label, label)
