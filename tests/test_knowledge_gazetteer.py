"""The gazetteer (lookups, file errors) and the check that it covers a corpus's names."""

from pathlib import Path

import pytest

from scenariosim.errors import InputFileError
from scenariosim.knowledge.coverage import check_coverage, name_runs
from scenariosim.knowledge.documents import Document
from scenariosim.knowledge.gazetteer import Entity, Gazetteer, load_gazetteer

SMALL = Gazetteer(
    entities=[
        Entity(name="Arzuli Province", kind="province", source="invented", region="geo_05"),
        Entity(name="Gulbahar", kind="town", source="invented", province="Arzuli Province"),
        Entity(name="Vugar Aslanov", kind="person", source="invented"),
        Entity(name="Salam Ismailov", kind="person", source="public"),
        Entity(name="Janga Homes Council", kind="organisation", source="invented"),
        Entity(name="Ipek Hostel", kind="place", source="invented"),
        Entity(name="Ses Online", kind="outlet", source="invented"),
        Entity(name="Atropia", kind="country", source="public", aliases=["Atropian"]),
        Entity(
            name="Trans-Caucasus petroleum pipeline",
            kind="organisation",
            source="public",
            aliases=["TC-P"],
        ),
    ]
)


def _doc(text: str, doc_id: str = "d1", outlet: str = "Ses Online") -> Document:
    return Document(id=doc_id, title="A title about bread", outlet=outlet, text=text)


def test_lookup_finds_names_aliases_and_surnames_whatever_the_case() -> None:
    assert SMALL.lookup("vugar aslanov").name == "Vugar Aslanov"  # type: ignore[union-attr]
    assert SMALL.lookup("Aslanov's").name == "Vugar Aslanov"  # type: ignore[union-attr]
    assert SMALL.lookup("TC-P").name == "Trans-Caucasus petroleum pipeline"  # type: ignore[union-attr]
    assert SMALL.lookup("Qaratepe") is None
    assert "Atropian" in SMALL and "Vugar" not in SMALL


def test_province_for_a_region_code_a_town_or_a_province() -> None:
    assert SMALL.provinces_by_region() == {"geo_05": "Arzuli Province"}
    assert SMALL.province_for("geo_05") == "Arzuli Province"
    assert SMALL.province_for("Gulbahar") == "Arzuli Province"
    assert SMALL.province_for("geo_99") is None


def test_the_shipped_gazetteer_maps_each_census_region_to_one_province() -> None:
    gazetteer = load_gazetteer()
    regions = gazetteer.provinces_by_region()
    assert sorted(regions) == [f"geo_{i:02d}" for i in range(1, 11)]
    assert all(e.source in ("public", "invented") for e in gazetteer)
    assert gazetteer.lookup("Lower Janga").source == "public"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("- name: X\n  kind: planet\n  source: invented\n", r"entities\[0\] \('X'\) key 'kind'"),
        ("- name: X\n  kind: town\n  source: rumour\n", "key 'source'"),
        ("- name: X\n  kind: province\n  source: invented\n  region: north\n", "census region"),
        (
            "- name: A\n  kind: town\n  source: invented\n"
            "- name: B\n  kind: town\n  source: invented\n  aliases: [a]\n",
            "'a' names both 'A' and 'B'",
        ),
        ("- name: T\n  kind: town\n  source: invented\n  province: Nowhere\n", "'Nowhere'"),
    ],
)
def test_a_bad_gazetteer_entry_is_an_error_naming_the_file_and_entry(
    tmp_path: Path, entry: str, message: str
) -> None:
    path = tmp_path / "gazetteer.yaml"
    path.write_text("entities:\n" + entry)
    with pytest.raises(InputFileError, match=message) as raised:
        load_gazetteer(path)
    assert str(path) in str(raised.value)


def test_a_missing_or_shapeless_gazetteer_file_says_what_to_fix(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="gazetteer not found"):
        load_gazetteer(tmp_path / "nope.yaml")
    (tmp_path / "list.yaml").write_text("- just a list\n")
    with pytest.raises(InputFileError, match="top-level 'entities:' list"):
        load_gazetteer(tmp_path / "list.yaml")


def test_name_runs_join_capitalised_words_and_connectors_but_not_across_punctuation() -> None:
    runs = [r.text for r in name_runs("Police met the Janga Homes Council of Arzuli, Gulbahar.")]
    assert runs == ["Police", "Janga Homes Council of Arzuli", "Gulbahar"]


def test_coverage_reports_an_unknown_name_with_its_documents_and_context() -> None:
    docs = [
        _doc("Drivers met Rauf Mammadli in Gulbahar on Monday.", "d1"),
        _doc("Later, Mammadli spoke to Ses Online.", "d2"),
    ]
    report = check_coverage(docs, SMALL)
    missing = {m.name: m for m in report.missing}
    assert {name: m.documents for name, m in missing.items()} == {
        "Rauf Mammadli": ["d1"],
        "Mammadli": ["d2"],
    }
    assert "Drivers met Rauf Mammadli in Gulbahar" in missing["Rauf Mammadli"].example
    assert not report.ok


def test_coverage_accepts_sentence_openers_titles_surnames_plurals_and_compounds() -> None:
    text = (
        "Families in Gulbahar waited. President Salam Ismailov spoke on Friday. "
        "Critics said the Ismailovs decide everything. A Gulbahar-based lawyer and "
        "Aslanov met the Council at Ipek. The Atropian pipeline, TC-P, runs west; "
        'the Trans-Caucasus line is old. "Leave," said Aslanov.'
    )
    report = check_coverage([_doc(text)], SMALL)
    assert report.missing == [] and report.ok


def test_a_name_that_only_opens_sentences_is_checked_once_it_appears_mid_sentence() -> None:
    alone = check_coverage([_doc("Qaratepe lies west. Families moved.")], SMALL)
    again = check_coverage([_doc("Qaratepe lies west. Families moved to Qaratepe.")], SMALL)
    assert alone.missing == []
    assert [m.name for m in again.missing] == ["Qaratepe"]


def test_coverage_flags_an_outlet_in_front_matter_the_gazetteer_lacks() -> None:
    report = check_coverage([_doc("Bread prices rose.", outlet="Daily Planet")], SMALL)
    assert [(m.name, m.documents) for m in report.metadata_missing] == [("Daily Planet", ["d1"])]
