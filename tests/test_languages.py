"""Statements in the languages they are first published in.

Every text here is written for these tests. Unit tests cover script normalization,
language identification, the trigger lexicons and the French analysis; the end-to-end
test runs the real `atrisk` command twice over a local site with a French statement, a
Persian and a Russian report and a Hungarian page (a language with neither a model nor
a lexicon).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from extract import langid, lexicon, lexicon_events, script_norm
from extract.analyse import Analyser, route
from extract.watchlist import load_watchlist, parse_watchlist
from tests.servers import WebhookReceiver
from tests.sites import LocalSite, Page, html_page

ROOT = Path(__file__).resolve().parent.parent
TODAY = date.today()


@pytest.fixture(scope="module")
def watchlist():
    return load_watchlist()


def _events(text: str, language: str, watchlist, published: date | None = None) -> set[tuple[str, str]]:
    _, events, _ = lexicon_events.analyse_text(text, language, watchlist, published)
    return {(e.type, e.person) for e in events}


# ---------------------------------------------------------------- script normalization


def test_persian_and_arabic_letter_forms_zwnj_and_vowel_marks_fold_together() -> None:
    persian = "محمد رسول\u200cاف"  # Persian yeh/kaf, zero-width non-joiner
    arabic_forms = "مُحَمَّد رسولاف"  # vowel marks, no ZWNJ
    assert script_norm.fold(persian) == script_norm.fold(arabic_forms)
    assert script_norm.fold("علي كريمي") == script_norm.fold("علی کریمی")


def test_cyrillic_case_and_yo_fold_and_offsets_map_back() -> None:
    text = "Мария АЛЁХИНА задержана"
    norm = script_norm.normalize(text)
    assert norm.text == "мария алехина задержана"
    start = norm.text.index("алехина")
    assert norm.span(start, start + len("алехина")) == (6, 13)
    assert text[6:13] == "АЛЁХИНА"


def test_han_characters_are_words_one_by_one() -> None:
    words = [t.text for t in script_norm.tokens(script_norm.fold("艾未未被警方拘留。"))]
    assert words[:3] == ["艾", "未", "未"]


# ---------------------------------------------------------------- language identification


@pytest.mark.parametrize("text, code", [
    ("Le réalisateur a été placé en garde à vue.", "fr"),
    ("Der Regisseur wurde am Montag festgenommen.", "de"),
    ("El director fue detenido el lunes.", "es"),
    ("Yönetmen gözaltına alındı.", "tr"),
    ("کارگردان روز دوشنبه بازداشت شد.", "fa"),
    ("اعتقلت السلطات المخرج يوم الاثنين.", "ar"),
    ("Режиссера задержали в понедельник.", "ru"),
    ("Режисера затримали в понеділок.", "uk"),
    ("The director was detained on Monday.", "en"),
])
def test_short_sentences_get_their_language(text: str, code: str) -> None:
    assert langid.sentence_language(text) == code


def test_a_sentence_that_cannot_tell_keeps_the_document_language() -> None:
    assert langid.sentence_language("2026 — 7", default="fa") == "fa"
    assert langid.document_language("…") is None


def test_document_language_of_a_longer_text() -> None:
    text = ("Le festival apprend avec inquiétude que la réalisatrice a été convoquée par la police "
            "et interrogée pendant six heures sur ses films et ses voyages à l'étranger.")
    assert langid.document_language(text) == "fr"


# ---------------------------------------------------------------- lexicon events


def test_persian_report_with_arabic_letter_forms_finds_the_arrest(watchlist) -> None:
    # Arabic yeh in the name, as many Persian sites still type it
    text = "جعفر پناهي، فیلمساز، روز سه‌شنبه در تهران بازداشت شد. خانواده او از این خبر نگران هستند."
    assert _events(text, "fa", watchlist) == {("arrest", "Jafar Panahi")}


def test_russian_inflected_names_and_triggers(watchlist) -> None:
    text = ("Суд приговорил Алексея Горинова к семи годам колонии. "
            "Адвокат Олега Сенцова сообщил, что его подзащитный объявил голодовку.")
    found = _events(text, "ru", watchlist)
    assert ("sentence", "Alexei Gorinov") in found
    # the person named before a verb of saying is not the subject of what follows it
    assert ("hunger_strike", "Oleg Sentsov") not in found


def test_demands_and_negations_are_not_events(watchlist) -> None:
    assert _events("Мы требуем освобождения Кирилла Серебренникова.", "ru", watchlist) == set()
    assert _events("Nous exigeons la libération de Jafar Panahi.", "fr", watchlist) == set()
    assert _events("Die Berlinale fordert die Freilassung von Jafar Panahi.", "de", watchlist) == set()
    assert _events("نسرین ستوده بازداشت توماج صالحی را محکوم کرد.", "fa", watchlist) == {
        ("arrest", "Toomaj Salehi")}


def test_coordinated_people_share_the_trigger(watchlist) -> None:
    text = "محمد رسولاف و مصطفی آل احمد دیشب بازداشت شدند."
    assert _events(text, "fa", watchlist) == {("arrest", "Mohammad Rasoulof"),
                                               ("arrest", "Mostafa Al-e Ahmad")}


def test_an_anaphor_stands_for_the_one_person_just_named(watchlist) -> None:
    text = "Светлана Петрийчук вернулась в Москву. Вчера драматурга задержали в аэропорту."
    assert _events(text, "ru", watchlist) == {("arrest", "Svetlana Petriychuk")}


@pytest.mark.parametrize("language, text, expected", [
    ("ar", "أفرج عن الناشطة نرجس محمدي بعد ثلاثة أشهر.", ("release", "Narges Mohammadi")),
    ("tr", "Çiğdem Mater tahliye edildi.", ("release", "Çiğdem Mater")),
    ("tr", "Gazeteci Ahmet Altan gözaltına alındı.", ("arrest", "Ahmet Altan")),
    ("es", "Luis Manuel Otero Alcántara fue condenado a cinco años de prisión.",
     ("sentence", "Luis Manuel Otero Alcántara")),
    ("de", "Oleg Sentsov wurde in Moskau festgenommen.", ("arrest", "Oleg Sentsov")),
    ("uk", "Вікторію Амеліну затримали біля кордону.", ("arrest", "Victoria Amelina")),
])
def test_each_lexicon_language(watchlist, language: str, text: str, expected: tuple[str, str]) -> None:
    assert expected in _events(text, language, watchlist)


def test_a_year_before_publication_makes_a_lexicon_event_background(watchlist) -> None:
    _, events, _ = lexicon_events.analyse_text("Олег Сенцов был задержан в 2014 году.", "ru", watchlist,
                                               date(2026, 11, 30))
    assert [e.background for e in events] == [True]


def test_every_shipped_lexicon_parses_and_names_its_kinds() -> None:
    langs = lexicon_events.lexicon_languages()
    assert {"fr", "fa", "ar", "ru", "uk", "tr", "es", "de"} <= langs
    for code in langs:
        lex = lexicon_events.load_lexicon(code)
        assert lex.triggers.by_key, code


def test_a_bad_lexicon_line_is_a_clear_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(lexicon, "HERE", tmp_path)
    (tmp_path / "triggers_xx.txt").write_text("arrested without a kind\n", encoding="utf-8")
    lexicon.entries.cache_clear()
    lexicon_events.load_lexicon.cache_clear()
    try:
        with pytest.raises(lexicon_events.LexiconError, match="triggers_xx.txt.*KIND: phrase"):
            lexicon_events.load_lexicon("xx")
    finally:
        lexicon.entries.cache_clear()
        lexicon_events.load_lexicon.cache_clear()


def test_native_script_aliases_resolve_to_the_canonical_name(watchlist) -> None:
    mentions, _, _ = lexicon_events.analyse_text("艾未未被警方拘留。", "zh", watchlist)
    assert [m.name for m in mentions] == ["Ai Weiwei"]


def test_routing_by_language() -> None:
    assert route("en") == route(None) == "en"
    assert route("fr-FR") == "fr"
    assert route("fa") == route("ru") == "lexicon"
    assert route("hu") is None


# ---------------------------------------------------------------- French, fully analysed


def test_french_statement_people_organizations_and_events(watchlist) -> None:
    text = ("Le Festival de Cannes a appris avec consternation que le cinéaste Jafar Panahi a été "
            "placé en garde à vue mardi à Téhéran. Selon son avocate, Claire Dumont, il a été écroué "
            "le soir même. Nous exigeons sa remise en liberté.")
    an = Analyser(watchlist).analyse(text, language="fr")
    assert an.method == "parse" and an.language == "fr"
    people = {m.name for m in an.mentions if m.kind == "person"}
    assert {"Jafar Panahi", "Claire Dumont"} <= people
    assert "Festival de Cannes" in {m.name for m in an.mentions if m.kind == "organization"}
    assert {(e.type, e.person) for e in an.events} == {("arrest", "Jafar Panahi")}
    assert {an.event_language(e) for e in an.events} == {"fr"}


def test_french_surname_alone_links_to_the_full_name(watchlist) -> None:
    text = ("La militante Narges Mohammadi a entamé une grève de la faim. "
            "Mohammadi, maintes fois condamnée, est détenue à Evin.")
    an = Analyser(watchlist).analyse(text, language="fr")
    assert {(e.type, e.person) for e in an.events} >= {("hunger_strike", "Narges Mohammadi"),
                                                       ("arrest", "Narges Mohammadi")}


def test_an_empty_watchlist_still_analyses_french_people() -> None:
    an = Analyser(parse_watchlist({})).analyse("Jeanne Morel a été arrêtée à Lyon.", language="fr")
    assert [(e.type, e.person) for e in an.events] == [("arrest", "Jeanne Morel")]


# ---------------------------------------------------------------- end to end


FRENCH = ("Communiqué. Le festival apprend avec consternation que le cinéaste Jafar Panahi a été "
          "arrêté mardi à Téhéran. Il a été placé en détention à la prison d'Evin. "
          "Nous demandons sa libération immédiate.")
PERSIAN = ("گزارش‌ها حاکی است که توماج صالحی، خواننده رپ معترض، روز سه‌شنبه در اصفهان بازداشت شد. "
           "نیروهای امنیتی او را به مکان نامعلومی منتقل کرده‌اند و خانواده‌اش از سرنوشت او خبر ندارند.")
RUSSIAN = ("Правозащитники сообщают, что режиссер Кирилл Серебренников задержан в Москве во вторник "
           "вечером. Его доставили в отдел полиции, адвоката к нему не пускают.")
HUNGARIAN = ("A rendezőt kedden őrizetbe vették Teheránban, a családja szerint ismeretlen helyre "
             "vitték, és azóta semmit sem tudnak róla.")


def _article(lang: str, title: str, text: str) -> Page:
    head = f'<meta property="article:published_time" content="{TODAY.isoformat()}">'
    body = f"<article><h1>{title}</h1><p>{text}</p></article>"
    return Page(html_page(title, body, head=head).replace("<html>", f'<html lang="{lang}">'))


def _site_pages() -> dict[str, Page]:
    articles = {"/fr.html": ("fr", "Jafar Panahi arrêté", FRENCH),
                "/fa.html": ("fa", "بازداشت توماج صالحی", PERSIAN),
                "/ru.html": ("ru", "Задержан Кирилл Серебренников", RUSSIAN),
                "/hu.html": ("hu", "Őrizetbe vették", HUNGARIAN)}
    links = "".join(f'<li><a href="{path}">{t}</a></li>' for path, (_, t, _) in articles.items())
    pages = {"/": Page(html_page("Statements", f"<ul>{links}</ul>")),
             "/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain")}
    pages |= {path: _article(*spec) for path, spec in articles.items()}
    return pages


def _atrisk(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def passes(tmp_path_factory):
    work = tmp_path_factory.mktemp("languages")
    hook = WebhookReceiver().start()
    try:
        with LocalSite(_site_pages()) as site:
            (work / "sources.toml").write_text(
                f'[[sources]]\nname = "statements"\nkind = "ngo"\nstart_urls = ["{site.url("/")}"]\n'
                "allow_private = true\n", encoding="utf-8")
            (work / "config.toml").write_text(
                "[crawl]\ndownload_delay = 0.0\nautothrottle = false\n"
                f'[alerts]\nurls = ["{hook.url()}"]\nfeed = "{work / "alerts.xml"}"\n', encoding="utf-8")
            env = {**os.environ, "PYTHONPATH": str(ROOT), "ATRISK_DB": f"sqlite:///{work / 'atrisk.db'}",
                   "ATRISK_SOURCES": str(work / "sources.toml"), "ATRISK_CONFIG": str(work / "config.toml")}
            first = _atrisk("-q", "run", cwd=work, env=env)
            after_first = list(hook.posts)
            second = _atrisk("-q", "run", cwd=work, env=env)
            after_second = list(hook.posts)
            export = _atrisk("export", "--format", "jsonl", cwd=work, env=env)
            digest = _atrisk("digest", "--since", "2d", "--format", "json", cwd=work, env=env)
            digest_md = _atrisk("digest", "--since", "2d", cwd=work, env=env)
            person = _atrisk("person", "Toomaj Salehi", "--format", "json", cwd=work, env=env)
    finally:
        hook.stop()
    return {"first": first, "second": second, "posts1": after_first, "posts2": after_second,
            "export": export, "digest": digest, "digest_md": digest_md, "person": person,
            "site": site}


def _ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_run_alerts_the_three_arrests_with_their_languages(passes) -> None:
    _ok(passes["first"])
    bodies = {p["json"]["title"]: p["json"]["message"] for p in passes["posts1"]}
    assert set(bodies) == {"atrisk: ARREST — Jafar Panahi", "atrisk: ARREST — Toomaj Salehi",
                           "atrisk: ARREST — Kirill Serebrennikov"}
    assert "Language: fr\n" in bodies["atrisk: ARREST — Jafar Panahi"]
    lexicon_note = "(watchlist and trigger words; not parsed)"
    assert f"Language: fa {lexicon_note}" in bodies["atrisk: ARREST — Toomaj Salehi"]
    assert f"Language: ru {lexicon_note}" in bodies["atrisk: ARREST — Kirill Serebrennikov"]
    assert "توماج صالحی" in bodies["atrisk: ARREST — Toomaj Salehi"]  # the original sentence


def test_second_pass_sends_nothing(passes) -> None:
    summary = json.loads(_ok(passes["second"]).strip().splitlines()[-1])
    assert summary["analysed"] == 0 and summary["events"] == 0
    assert len(passes["posts2"]) == len(passes["posts1"]) == 3


def test_export_marks_language_and_method(passes) -> None:
    records = {r["url"].rsplit("/", 1)[-1]: r for r in map(json.loads, _ok(passes["export"]).splitlines())}
    assert {name: records[name]["language"] for name in ("fr.html", "fa.html", "ru.html", "hu.html")} == {
        "fr.html": "fr", "fa.html": "fa", "ru.html": "ru", "hu.html": "hu"}
    # two sentences report the arrest ("arrêté", then "Il a été placé en détention"): one alert
    assert {(e["type"], e["person"], e["language"], e["method"]) for e in records["fr.html"]["events"]} == {
        ("arrest", "Jafar Panahi", "fr", "parse")}
    # the headline is a sentence of the text too
    assert {(e["type"], e["person"], e["language"], e["method"]) for e in records["fa.html"]["events"]} == {
        ("arrest", "Toomaj Salehi", "fa", "lexicon")}
    assert {(e["type"], e["person"], e["language"], e["method"]) for e in records["ru.html"]["events"]} == {
        ("arrest", "Kirill Serebrennikov", "ru", "lexicon")}
    hu = records["hu.html"]
    assert hu["analysed"] is False and hu["events"] == [] and hu["people"] == []


def test_a_language_without_model_or_lexicon_is_stored_and_counted_in_the_digest(passes) -> None:
    digest = json.loads(_ok(passes["digest"]))
    [unanalysed] = [u for u in digest["not_analysed"] if u["document"]["url"].endswith("/hu.html")]
    assert "no model or lexicon for language 'hu'" in unanalysed["reason"]
    assert digest["summary"]["documents"] >= 4
    langs = {(e["person"], e["language"], e["method"]) for e in digest["events"]}
    assert ("Toomaj Salehi", "fa", "lexicon") in langs
    md = _ok(passes["digest_md"])
    assert "\\[fa; watchlist and trigger words, not parsed\\]" in md  # brackets escaped in Markdown
    assert "no model or lexicon for language 'hu'" in md


def test_case_file_quotes_the_original_sentence_with_its_language(passes) -> None:
    case = json.loads(_ok(passes["person"]))
    timeline = {(e["type"], e["language"], e["method"]) for e in case["timeline"]}
    assert timeline == {("arrest", "fa", "lexicon")}
    assert all("بازداشت" in e["sentence"] for e in case["timeline"])


@pytest.mark.parametrize("listed, alerts", [((), 1), (("fa",), 1), (("fr", "en"), 0)])
def test_alert_languages_setting_decides_which_languages_alert(db_url, tmp_path, listed, alerts) -> None:
    from dataclasses import replace

    from extract.article import Article
    from pipeline.analysis.analyse import analyse_pending
    from pipeline.app import App
    from pipeline.config import parse_config
    from pipeline.storage.store import save_article, sync_sources

    class Src:
        name, kind = "ngo", "ngo"

    app = App(db_url=db_url)
    try:
        ids = sync_sources(app.db, [Src])
        with app.db.session() as s:
            save_article(s, Article(url="https://ngo.example/fa", text=PERSIAN, language="fa", title="T",
                                    published=TODAY), source_id=ids["ngo"])
        cfg = parse_config({"alerts": {"languages": list(listed)}})
        assert cfg.alerts.languages == listed
        cfg = replace(cfg, alerts=replace(cfg.alerts, urls=("json://127.0.0.1:9/x",)))
        counters = analyse_pending(app.db, app.watchlist, cfg)
        assert counters.events == 1
        assert (counters.alerts > 0) == bool(alerts)
    finally:
        app.close()


def test_documents_languages_in_a_mixed_text(watchlist) -> None:
    text = ("The festival is worried about the filmmaker. "
            "جعفر پناهی روز دوشنبه بازداشت شد.")
    _, events, langs = lexicon_events.analyse_text(text, "en", watchlist)
    assert set(langs.values()) == {"en", "fa"}
    assert {(e.type, e.person) for e in events} == {("arrest", "Jafar Panahi")}


def test_a_persian_line_in_an_english_report_is_read_in_persian(watchlist) -> None:
    text = ("The festival shared a message from Tehran this morning. "
            "جعفر پناهی روز دوشنبه در تهران بازداشت شد. We are deeply worried.")
    an = Analyser(watchlist).analyse(text, language="en")
    [ev] = [e for e in an.events if e.person == "Jafar Panahi"]
    assert (ev.type, an.event_language(ev), an.event_method(ev)) == ("arrest", "fa", "lexicon")
    assert an.method == "parse" and an.language == "en"
