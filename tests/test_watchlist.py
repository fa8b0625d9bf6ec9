"""Watchlist parsing: the default file, and errors that name the file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.entities import entity_key, resolve_to_watchlist
from extract.watchlist import Watchlist, WatchlistError, load_watchlist, parse_watchlist


def test_default_watchlist_loads_with_aliases() -> None:
    wl = load_watchlist()
    names = {e.name for e in wl.entities}
    assert {"Jafar Panahi", "Mohammad Rasoulof", "Berlin International Film Festival",
            "Artists at Risk Connection", "Directors Guild of America"} <= names
    berlinale = next(e for e in wl.organizations if e.name == "Berlin International Film Festival")
    assert "Berlinale" in berlinale.aliases


def test_empty_file_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "watch.toml"
    path.write_text("", encoding="utf-8")
    assert load_watchlist(path) == Watchlist()


def test_unknown_key_names_file_entry_and_key(tmp_path: Path) -> None:
    path = tmp_path / "watch.toml"
    path.write_text('[[people]]\nname = "A B"\n[[people]]\nname = "C D"\nalias = ["C"]\n', encoding="utf-8")
    with pytest.raises(WatchlistError, match=r"watch\.toml: people entry 2: unknown key\(s\) \['alias'\]"):
        load_watchlist(path)


def test_wrong_type_names_the_field() -> None:
    with pytest.raises(WatchlistError, match=r"organizations entry 1 \('PEN America'\): field 'aliases'"):
        parse_watchlist({"organizations": [{"name": "PEN America", "aliases": "PEN"}]}, "w.toml")
    with pytest.raises(WatchlistError, match=r"people entry 1: field 'name' is required"):
        parse_watchlist({"people": [{"name": 3}]}, "w.toml")


def test_duplicate_name_names_both_entries() -> None:
    data = {"people": [{"name": "Jafar Panahi"}, {"name": "Mohammad Rasoulof", "aliases": ["jafar  PANAHI"]}]}
    with pytest.raises(WatchlistError) as err:
        parse_watchlist(data, "w.toml")
    msg = str(err.value)
    assert "w.toml: people entry 2 ('Mohammad Rasoulof'): field 'aliases'" in msg
    assert "already used by w.toml: people entry 1 ('Jafar Panahi')" in msg


def test_same_name_as_person_and_organization_is_allowed() -> None:
    wl = parse_watchlist({"people": [{"name": "Memorial"}], "organizations": [{"name": "Memorial"}]})
    assert len(wl.entities) == 2


def test_unknown_section_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError, match="unknown section"):
        parse_watchlist({"persons": []}, "w.toml")
    path = tmp_path / "bad.toml"
    path.write_text("[[people]\n", encoding="utf-8")
    with pytest.raises(WatchlistError, match="bad.toml: invalid TOML"):
        load_watchlist(path)
    with pytest.raises(WatchlistError, match="file not found"):
        load_watchlist(tmp_path / "missing.toml")


# ---------------------------------------------------------------- identity keys and fuzzy resolution


def test_entity_key_folds_case_accents_punctuation_and_transliteration() -> None:
    assert entity_key("Çiğdem  Mater") == entity_key("cigdem mater")
    assert entity_key("Mohammad-Ali Farahani") == "mohamad ali farahani"
    assert entity_key("Maryam Moghadam") == entity_key("Maryam Moghaddam")
    assert entity_key("Mohammad Rasoulov") == entity_key("Mohammad Rasoulof")
    assert entity_key("Kazım Öz") == entity_key("Kazim Oz")
    assert entity_key("Ahmed al-Tayeb") == entity_key("Ahmed Al Tayeb")


def test_entity_key_keeps_different_names_apart() -> None:
    assert entity_key("Louis Garcia") != entity_key("Luis Garcia")
    assert entity_key("Mahnaz Mohammadi") != entity_key("Narges Mohammadi")
    assert entity_key("Karimi") != entity_key("Karami")


WL = parse_watchlist({
    "people": [{"name": "Mohammad Rasoulof"}, {"name": "Jafar Panahi", "aliases": ["Panahi"]},
               {"name": "Maryam Moghaddam"}],
    "organizations": [{"name": "Artists at Risk Connection", "aliases": ["ARC"]}],
})


def test_resolve_exact_and_alias() -> None:
    hit = resolve_to_watchlist("ARC", "organization", WL)
    assert hit is not None and hit.name == "Artists at Risk Connection"
    assert resolve_to_watchlist("ARC", "person", WL) is None  # kinds never mix


@pytest.mark.parametrize("variant", ["Mohammad Rasulof", "Mohammad Rasoulof", "Mohamad Rasoulov",
                                     "Maryam Moghadam", "Maryam Mogaddam"])
def test_fuzzy_one_letter_transliteration_matches(variant: str) -> None:
    assert resolve_to_watchlist(variant, "person", WL) is not None


@pytest.mark.parametrize("other", ["Mohammad Rasouli", "Mohammad Rasool", "Maryam Mogharabi",
                                   "Jafar Panahandeh", "Reza Rasoulof", "Panah Panahi"])
def test_fuzzy_rejects_a_different_name_with_the_same_start(other: str) -> None:
    assert resolve_to_watchlist(other, "person", WL) is None


@pytest.fixture(scope="module")
def default_nlp():  # noqa: ANN201 - spaCy Language
    from extract.entities import add_watchlist
    from extract.nlp import load_model

    return add_watchlist(load_model(), load_watchlist())


@pytest.mark.parametrize(("text", "canonical"), [
    ("The film premiered at CPH:DOX in March.", "CPH:DOX"),
    ("RSF called for his release on Monday.", "Reporters Without Borders"),
    ("The jury of KVIFF gave its prize to the film.", "Karlovy Vary International Film Festival"),
    ("He was detained by the IRGC in Tehran.", "Islamic Revolutionary Guard Corps"),
    ("A statement from OVD-Info listed the detainees.", "OVD-Info"),
])
def test_default_watchlist_names_resolve_to_canonical(default_nlp, text: str, canonical: str) -> None:  # noqa: ANN001
    from extract.entities import find_mentions

    wl = load_watchlist()
    found = {m.name for m in find_mentions(default_nlp(text), wl) if m.watchlisted}
    assert canonical in found


def test_one_word_alias_keeps_its_case(default_nlp) -> None:  # noqa: ANN001
    from extract.entities import find_mentions

    ms = find_mentions(default_nlp("The viasna flower blooms in spring."), load_watchlist())
    assert not any(m.watchlisted for m in ms)
