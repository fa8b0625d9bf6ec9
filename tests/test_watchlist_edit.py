"""Watchlist edits from the workbench write watchlist.toml: comments and layout kept, atomic,
refused when the file changed since the page was loaded or cannot be written."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from extract.watchlist import load_watchlist
from pipeline import watchlist_edit
from pipeline.storage.models import Decision, Entity
from tests.webworld import WATCHLIST, login

ORIGINAL = """\
# The desk's watchlist. Keep one entry per person.

[[people]]
name = "Jafar Panahi"      # canonical
aliases = ["Panahi"]
tags = ["iran", "film"]    # routing

# Added after the 2022 arrest.
[[people]]
name = "Mohammad Rasoulof"
tags = ["iran"]

[[organizations]]
name = "Berlin International Film Festival"
aliases = ["Berlinale"]
"""


@pytest.fixture()
def wl(tmp_path):
    path = tmp_path / "watchlist.toml"
    path.write_text(ORIGINAL, encoding="utf-8")
    return path


def test_adding_keeps_comments_and_layout_and_the_file_stays_a_valid_watchlist(wl):
    v = watchlist_edit.version(wl)
    assert watchlist_edit.set_entry(wl, "person", "Lena Novak", watched=True, tags=["poland", " film "],
                                    expected=v)
    text = wl.read_text(encoding="utf-8")
    assert text.startswith(ORIGINAL.split("[[organizations]]")[0])  # everything before is byte for byte
    assert '# Added after the 2022 arrest.' in text and 'tags = ["iran", "film"]    # routing' in text
    assert '[[people]]\nname = "Lena Novak"\ntags = ["poland", "film"]\n' in text
    people = {p.name: p.tags for p in load_watchlist(wl).people}
    assert people == {"Jafar Panahi": ("iran", "film"), "Mohammad Rasoulof": ("iran",),
                      "Lena Novak": ("poland", "film")}
    assert [o.name for o in load_watchlist(wl).organizations] == ["Berlin International Film Festival"]
    assert not [p for p in wl.parent.iterdir() if p.name.endswith(".tmp")]  # no temporary file left


def test_tags_change_in_place_found_by_alias_and_removal(wl):
    assert watchlist_edit.set_entry(wl, "person", "Panahi", watched=True, tags=["iran", "urgent"],
                                    expected=watchlist_edit.version(wl))
    text = wl.read_text(encoding="utf-8")
    assert 'name = "Jafar Panahi"      # canonical\naliases = ["Panahi"]\ntags = ["iran", "urgent"]' in text
    # saying again what the file says writes nothing
    before = wl.stat().st_mtime_ns
    assert not watchlist_edit.set_entry(wl, "person", "Jafar Panahi", watched=True, tags=["iran", "urgent"],
                                        expected=None)
    assert wl.stat().st_mtime_ns == before
    assert watchlist_edit.set_entry(wl, "person", "Mohammad Rasoulof", watched=False, tags=[],
                                    expected=watchlist_edit.version(wl))
    assert [p.name for p in load_watchlist(wl).people] == ["Jafar Panahi"]
    assert "# The desk's watchlist." in wl.read_text(encoding="utf-8")
    assert watchlist_edit.entry(wl, "person", "Panahi") == watchlist_edit.Entry(True, ("iran", "urgent"))
    assert watchlist_edit.entry(wl, "person", "Mohammad Rasoulof") == watchlist_edit.Entry(False)


def test_a_file_changed_since_the_page_was_loaded_is_not_overwritten(wl):
    seen = watchlist_edit.version(wl)
    wl.write_text(ORIGINAL + '\n[[people]]\nname = "Added By Hand"\n', encoding="utf-8")
    changed = wl.read_bytes()
    with pytest.raises(watchlist_edit.WatchlistEditError, match="changed since this page was loaded"):
        watchlist_edit.set_entry(wl, "person", "Lena Novak", watched=True, tags=[], expected=seen)
    assert wl.read_bytes() == changed


@pytest.mark.parametrize("which", ["file", "folder"])
def test_a_file_or_folder_the_workbench_cannot_write_is_refused(wl, monkeypatch, which):
    # os.access is what the check asks (the suite may run as root, who may write anything)
    blocked = str(wl if which == "file" else wl.parent)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == blocked else real_access(p, mode))
    with pytest.raises(watchlist_edit.WatchlistEditError, match="not writable"):
        watchlist_edit.set_entry(wl, "person", "Lena Novak", watched=True, tags=[], expected=None)
    assert wl.read_text(encoding="utf-8") == ORIGINAL


def test_an_invalid_file_is_refused_and_an_alias_is_not_listed_twice(wl):
    wl.write_text("[[people]\nname = broken", encoding="utf-8")
    with pytest.raises(watchlist_edit.WatchlistEditError, match="not valid TOML"):
        watchlist_edit.set_entry(wl, "person", "Lena Novak", watched=True, tags=[], expected=None)
    wl.write_text(ORIGINAL, encoding="utf-8")
    # "Berlinale" is an organization's alias: a person of that name would not make the file invalid,
    # but a second person spelled like an existing one's alias is found, not duplicated
    assert watchlist_edit.set_entry(wl, "person", "panahi", watched=True, tags=["x"], expected=None)
    assert len(load_watchlist(wl).people) == 2


def _form(page: str) -> dict[str, str]:
    return {"csrf": re.search(r'name="csrf" value="([^"]+)"', page)[1],
            "watchlist_version": re.search(r'name="watchlist_version" value="([^"]+)"', page)[1]}


def test_the_person_page_writes_the_watchlist_file_and_records_the_decision(world):
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        login(c, "analyst")
        page = c.get("/people/Lena Novak").text
        assert str(world.watchlist_path) in page and "not listed there yet" in page
        r = c.post("/people/Lena Novak/watch",
                   data={**_form(page), "watchlisted": "1", "tags": "poland, film"})
        assert r.status_code == 200, r.text
        text = world.watchlist_path.read_text(encoding="utf-8")
        assert text.startswith(WATCHLIST)  # the comments and entries before are untouched
        assert {p.name: p.tags for p in load_watchlist(world.watchlist_path).people}["Lena Novak"] == (
            "poland", "film")
        assert "listed there with tags poland, film" in r.text

        # a page loaded before someone edited the file by hand: its save is refused, the file kept
        stale = c.get("/people/Omar Khalil").text
        world.watchlist_path.write_text(text + "\n# edited by hand\n", encoding="utf-8")
        r = c.post("/people/Omar Khalil/watch", data={**_form(stale), "watchlisted": "0", "tags": ""})
        assert r.status_code == 409 and "changed since this page was loaded" in r.text
        assert world.watchlist_path.read_text(encoding="utf-8").endswith("# edited by hand\n")
        # without the version the page was loaded with, nothing is written
        r = c.post("/people/Omar Khalil/watch", data={"csrf": _form(stale)["csrf"], "watchlisted": "0"})
        assert r.status_code == 400
        # reloaded: taking Omar Khalil off the list removes his entry and keeps the hand edit
        r = c.post("/people/Omar Khalil/watch", data={**_form(c.get("/people/Omar Khalil").text),
                                                      "watchlisted": "0", "tags": ""})
        assert r.status_code == 200
        assert [p.name for p in load_watchlist(world.watchlist_path).people] == ["Mina Rahimi", "Lena Novak"]
        assert "# edited by hand" in world.watchlist_path.read_text(encoding="utf-8")
    with world.db.sessions() as s:
        novak = s.scalar(select(Entity).where(Entity.name == "Lena Novak"))
        assert novak.watchlisted and novak.tags == ["film", "poland"]
        rows = [(d.user_name, d.action, d.label, d.before["watchlisted"], d.after["watchlisted"],
                 d.after["watchlist_file"]) for d in s.scalars(select(Decision).order_by(Decision.id))]
    path = str(world.watchlist_path)
    assert rows == [("analyst", "watchlist", "Lena Novak", False, True, path),
                    ("analyst", "watchlist", "Omar Khalil", True, False, path)]


def test_a_viewer_cannot_edit_the_watchlist_and_no_file_means_no_edit(world):
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        login(c, "viewer")
        page = c.get("/people/Lena Novak").text
        assert 'action="/people/Lena%20Novak/watch"' not in page
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
        version = watchlist_edit.version(world.watchlist_path)
        r = c.post("/people/Lena Novak/watch",
                   data={"csrf": csrf, "watchlisted": "1", "watchlist_version": version})
        assert r.status_code == 403
    assert world.watchlist_path.read_text(encoding="utf-8") == WATCHLIST
    with TestClient(world.app(watchlist_path=None), base_url="http://127.0.0.1") as c:
        login(c, "analyst")
        page = c.get("/people/Lena Novak").text
        assert "cannot be edited here" in page and "watchlist_version" not in page
