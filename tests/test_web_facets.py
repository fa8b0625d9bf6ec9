"""People facets: status (from incidents), last event, country, tag, profession; counts under the
other filters, links that keep them, plain links (no JavaScript)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from pipeline.analysis import decisions
from tests.webworld import login


@pytest.fixture()
def world(world):
    w = world
    # an arrest more than a year ago, in Iran; a release after Omar Khalil's charge
    w.add_person("Ali Karimi", ["iran", "<i>poetry</i>"], "Iranian", "poet")
    old = w.now - timedelta(days=400)
    w.add_report("karimi", "Ali Karimi", "arrest", "Ali Karimi was arrested at his home.", "Karimi", old,
                 day=old.date())
    w.add_report("freed", "Omar Khalil", "release", "Omar Khalil was released on bail.", "Khalil freed",
                 w.now - timedelta(minutes=30))
    w.regroup()
    return w


def _facets(page: str) -> dict[str, dict[str, int]]:
    """facet -> {value: count} as the page shows them."""
    out = {}
    for name, body in re.findall(r'<details class="facet" id="facet-(\w+)"[^>]*>(.*?)</details>', page, re.S):
        out[name] = {html.unescape(v): int(n) for v, n in
                     re.findall(r'data-value="([^"]*)"[^>]*>[^<]*</a> <span class="n">(\d+)</span>', body)}
    return out


def _names(page: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(r'<tr><td><a href="/people/[^"]+">([^<]+)</a>', page)]


def _href(page: str, facet: str, value: str) -> str:
    body = re.search(rf'id="facet-{facet}".*?</details>', page, re.S)[0]
    return html.unescape(re.search(rf'<a href="([^"]+)" data-value="{re.escape(value)}"', body)[1])


@pytest.fixture()
def client(world):
    with TestClient(world.app(), base_url="http://127.0.0.1") as c:
        login(c, "analyst")
        yield c


def test_facet_counts_over_everyone(client):
    page = client.get("/people").text
    f = _facets(page)
    assert f["status"] == {"in_custody": 2, "banned": 1, "released": 1, "unknown": 1}
    assert f["last"] == {"7d": 4, "30d": 4, "365d": 4, "older": 1}
    assert f["country"] == {"Iran": 2, "Syria": 1}  # "Iranian" in the watchlist is Iran
    assert f["tag"] == {"iran": 2, "<i>poetry</i>": 1, "film": 1, "syria": 1}
    assert f["profession"] == {"poet": 2, "filmmaker": 1}
    assert "People (5)" in page
    assert "&lt;i&gt;poetry&lt;/i&gt;" in page and "<i>poetry</i>" not in page  # a tag is text


def test_filters_combine_and_counts_follow_the_other_filters(client):
    page = client.get("/people?status=in_custody").text
    assert sorted(_names(page)) == ["Ali Karimi", "Mina Rahimi"]
    f = _facets(page)
    assert f["status"] == {"in_custody": 2, "banned": 1, "released": 1, "unknown": 1}  # its own filter aside
    assert f["last"] == {"7d": 1, "30d": 1, "365d": 1, "older": 1}
    assert f["profession"] == {"poet": 1, "filmmaker": 1}
    # a link adds its facet and keeps the others
    link = _href(page, "last", "older")
    assert parse_qs(urlsplit(link).query) == {"status": ["in_custody"], "last": ["older"]}
    page = client.get("/people" + link).text
    assert _names(page) == ["Ali Karimi"]
    link = _href(page, "country", "Iran")
    assert parse_qs(urlsplit(link).query) == {"status": ["in_custody"], "last": ["older"],
                                              "country": ["Iran"]}
    assert _names(client.get("/people" + link).text) == ["Ali Karimi"]
    # the chosen value's link takes it off again; the chip does too
    page = client.get("/people?status=in_custody&last=older&q=ali").text
    assert parse_qs(urlsplit(_href(page, "last", "older")).query) == {"status": ["in_custody"], "q": ["ali"]}
    chip = 'href="?q=ali&amp;status=in_custody" title="remove this filter">Last event: more than a year ago'
    assert chip in page
    # the search form keeps the facets chosen
    assert '<input type="hidden" name="status" value="in_custody">' in page
    assert _names(client.get("/people?profession=poet&tag=iran").text) == ["Ali Karimi"]
    assert _names(client.get("/people?status=released").text) == ["Omar Khalil"]
    assert "Nobody matches" in client.get("/people?status=killed").text


def test_merged_people_count_once_and_confidential_ones_only_for_analysts(world, client):
    decisions.merge(world.db, "ana", "Mina Rahimi", "M. Rahimi")
    page = client.get("/people").text
    assert "M. Rahimi" not in _names(page) and "People (4)" in page
    assert sum(_facets(page)["status"].values()) == 4
    decisions.update_person(world.db, "ana", "Ali Karimi", confidential=True)
    assert "Ali Karimi" in _names(client.get("/people").text)
    with TestClient(world.app(), base_url="http://127.0.0.1") as viewer:
        login(viewer, "viewer")
        page = viewer.get("/people").text
        assert "Ali Karimi" not in page and "<i>poetry" not in html.unescape(page)
        assert _facets(page)["profession"] == {"poet": 1, "filmmaker": 1}


def test_organizations_have_their_own_facets_and_bad_input_is_harmless(world, client):
    from pipeline.storage.models import Entity

    with world.db.session() as s:
        s.add(Entity(kind="organization", name="Cinema Guild", key="cinema guild", tags=["film"],
                     country="France", watchlisted=True, created_at=world.now, confidential=False))
    page = client.get("/organizations").text
    assert set(_facets(page)) == {"country", "tag"} and _names(page) == ["Cinema Guild"]
    assert client.get("/people?page=abc&last=nonsense&status=%3Cb%3E").status_code == 200
    assert "Nobody matches" in client.get("/people?last=nonsense").text
