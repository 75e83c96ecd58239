"""Representativeness: persona shares against the weighted census, with TVD."""

import pandas as pd
import pytest

from scenariosim.errors import ConfigError
from scenariosim.personas import (
    enrich,
    load_census,
    representativeness,
    sample_people,
    tvd_by_variable,
)
from scenariosim.personas.load import Census


@pytest.fixture(scope="module")
def census() -> Census:
    return load_census()


@pytest.fixture(scope="module")
def table(census) -> pd.DataFrame:
    personas = enrich(sample_people(census, 5000, seed=3, min_age=16), seed=3)
    return representativeness(personas, census, min_age=16)


def test_the_table_has_one_row_per_category_with_shares_and_tvd(table) -> None:
    assert list(table.columns) == [
        "variable",
        "category",
        "sample_share",
        "census_share",
        "difference",
        "tvd",
        "personas",
    ]
    assert set(table["variable"]) >= {"sex", "age_band", "region", "education", "digital_access"}
    for _, part in table.groupby("variable"):
        assert part["sample_share"].sum() == pytest.approx(1, abs=0.002)
        assert part["census_share"].sum() == pytest.approx(1, abs=0.002)
        assert part["tvd"].nunique() == 1


def test_5000_weighted_personas_are_within_003_tvd_on_every_attribute(table) -> None:
    assert tvd_by_variable(table).max() < 0.03


def test_tvd_is_half_the_sum_of_absolute_differences(table) -> None:
    for _, part in table.groupby("variable"):
        assert part["tvd"].iloc[0] == pytest.approx(0.5 * part["difference"].abs().sum(), abs=2e-4)


def test_the_census_side_uses_the_same_selection(census) -> None:
    personas = enrich(sample_people(census, 200, filters={"sex": "female"}, seed=1), seed=1)
    table = representativeness(personas, census, filters={"sex": "female"})
    sex = table[table["variable"] == "sex"].set_index("category")
    assert sex.loc["Female", "census_share"] == 1.0 and sex.loc["Female", "tvd"] == 0.0


def test_persona_rows_of_a_run_work_like_persona_objects(census) -> None:
    personas = enrich(sample_people(census, 300, seed=2), seed=2)
    rows = [p.model_dump(exclude={"traits"}) for p in personas]
    pd.testing.assert_frame_equal(
        representativeness(rows, census), representativeness(personas, census)
    )


def test_attributes_the_personas_lack_are_left_out(census) -> None:
    rows = [{"sex": "Male", "age": 40}, {"sex": "Female", "age": 70}]
    table = representativeness(rows, census)
    assert set(table["variable"]) == {"sex", "age_band"}
    assert table.set_index(["variable", "category"]).loc[("age_band", "65+"), "personas"] == 1


def test_the_default_census_is_the_shipped_sample(census) -> None:
    rows = [{"region": "geo_01"}]
    shipped = representativeness(rows).set_index("category")["census_share"]
    assert shipped.sum() == pytest.approx(1, abs=0.002) and len(shipped) == 10


def test_no_personas_is_an_error() -> None:
    with pytest.raises(ConfigError, match="no personas"):
        representativeness([])
