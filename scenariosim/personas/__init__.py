"""Personas from census households in the World Bank "Synthetic Data for an Imaginary
Country" schema: loading, the shipped stand-in sample, weighted sampling, enrichment and
representativeness. Knows nothing of LLMs, retrieval or the graph.

    from scenariosim.personas import load_census, sample_people, enrich, representativeness

    census = load_census()                       # shipped stand-in; or a folder / file path
    rows = sample_people(census, 20, where="age >= 18 and cell == 1", seed=7)
    personas = enrich(rows, seed=7)              # list[Persona], ids hid-idno
    table = representativeness(personas, census, where="age >= 18 and cell == 1")

See docs/personas.md for the files, the rules and the CLI.
"""

from scenariosim.personas.enrich import enrich, parse_persona_id, persona_id
from scenariosim.personas.filters import PersonaFilter
from scenariosim.personas.load import Census, CensusInfo, load_census
from scenariosim.personas.persona import Persona, Traits
from scenariosim.personas.places import provinces_by_region
from scenariosim.personas.represent import (
    compare_selections,
    representativeness,
    tvd_by_variable,
)
from scenariosim.personas.sample import sample_people, select
from scenariosim.personas.strata import Stratum, StratumFigures, sample_strata

__all__ = [
    "Census",
    "CensusInfo",
    "Persona",
    "PersonaFilter",
    "Stratum",
    "StratumFigures",
    "Traits",
    "compare_selections",
    "enrich",
    "load_census",
    "parse_persona_id",
    "persona_id",
    "provinces_by_region",
    "representativeness",
    "sample_people",
    "sample_strata",
    "select",
    "tvd_by_variable",
]
