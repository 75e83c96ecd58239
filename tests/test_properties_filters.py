"""Property tests of persona filters: any input gives a filter or one ConfigError, masks
combine with AND, and a `where` expression either selects rows or is one ConfigError."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenariosim.errors import ConfigError
from scenariosim.personas.filters import PersonaFilter, parse_filter, where_mask
from scenariosim.personas.load import load_census

FAST = settings(max_examples=100, deadline=None)
FIELDS = list(PersonaFilter.model_fields)
values = (
    st.none()
    | st.booleans()
    | st.integers(-5, 130)
    | st.text(max_size=12)
    | st.lists(st.text(max_size=12) | st.integers(), max_size=3)
)
people_rows = load_census().people.head(400).reset_index(drop=True)


@st.composite
def valid_filters(draw: st.DrawFn) -> PersonaFilter:
    low = draw(st.none() | st.integers(0, 120))
    high = draw(st.none() | st.integers(low or 0, 120))
    return PersonaFilter(
        regions=draw(st.lists(st.sampled_from([f"geo_{i:02d}" for i in range(1, 11)]), max_size=3)),
        urban=draw(st.none() | st.booleans()),
        age_min=low,
        age_max=high,
        sex=draw(st.none() | st.sampled_from(["male", "female"])),
        cell=draw(st.none() | st.booleans()),
        quintiles=draw(
            st.lists(st.sampled_from(["poorest", "poor", "average", "rich", "richest"]), max_size=2)
        ),
    )


@FAST
@given(st.dictionaries(st.sampled_from([*FIELDS, "shoe_size"]), values, max_size=4))
def test_any_filter_fields_give_a_usable_filter_or_one_config_error(fields: dict) -> None:
    try:
        parsed = parse_filter(fields)
    except ConfigError as e:
        assert str(e).startswith("persona filters: ")
        return
    mask = parsed.mask(people_rows)  # an accepted filter selects from the census
    assert mask.dtype == bool and len(mask) == len(people_rows)


@FAST
@given(valid_filters(), valid_filters())
def test_filter_fields_combine_with_and(a: PersonaFilter, b: PersonaFilter) -> None:
    merged = a.model_dump(exclude_defaults=True)
    for key, value in b.model_dump(exclude_defaults=True).items():
        if key in merged and merged[key] != value:
            return  # the same field twice means OR inside it; not this property
        merged[key] = value
    try:
        both = PersonaFilter.model_validate(merged)
    except ValueError:
        return  # age_min above age_max
    expected = a.mask(people_rows) & b.mask(people_rows)
    assert np.array_equal(both.mask(people_rows), expected)


@FAST
@given(st.none() | st.integers(0, 120), st.none() | st.integers(0, 120))
def test_a_mask_keeps_exactly_the_people_in_the_age_range(
    low: int | None, high: int | None
) -> None:
    if low is not None and high is not None and high < low:
        low, high = high, low
    chosen = PersonaFilter(age_min=low, age_max=high)
    age = people_rows["age"]
    expected = (age >= (low if low is not None else -1)) & (
        age <= (high if high is not None else 999)
    )
    assert np.array_equal(chosen.mask(people_rows), expected.to_numpy())


expressions = st.lists(
    st.sampled_from(
        [
            "age",
            "cell",
            "urban",
            "hhsize",
            ">=",
            "==",
            "<",
            "and",
            "or",
            "not",
            "(",
            ")",
            "18",
            "1",
            "'Female'",
            "sex",
            "+",
            "-",
            "*",
            "@x",
            "'",
            "__import__",
            ".",
            "[",
            "]",
            ",",
            "x",
            "lambda",
        ]
    ),
    max_size=8,
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(expressions)
def test_any_where_expression_selects_rows_or_is_one_config_error(where: str) -> None:
    try:
        mask = where_mask(people_rows, where)
    except ConfigError as e:
        assert "personas.where" in str(e)
        return
    assert mask.dtype == bool and len(mask) == len(people_rows)


@pytest.mark.parametrize("where", ["__import__('os').system('true')", "age.__class__", "@x > 1"])
def test_where_expressions_cannot_reach_python(where: str) -> None:
    with pytest.raises(ConfigError):
        where_mask(people_rows, where)


def test_the_sample_frame_holds_both_sexes_and_many_ages() -> None:
    """The rows the properties run on can tell filters apart (else they would check nothing)."""
    assert people_rows["sex"].nunique() == 2 and people_rows["age"].nunique() > 20
