"""Statements in other languages: language identification, events, people, natasha.

Run: ``.venv/bin/python -m benchmarks.languages`` (``-v`` lists every miss and false hit).
Writes ``benchmarks/results/languages.json``.

Sets (``benchmarks/data/languages/``, see its README):

- ``fr.json``, ``fa.json``, ``ru.json``: short excerpts of real public pages (the URL of
  each is in the file) with gold people, organizations and events, written before the
  French analysis and the lexicons existed -- the development sets: the lexicons were
  written by someone who had read them;
- ``*_heldout.json``: more excerpts of the same kind, gold committed before the system
  first ran on them; never used to tune;
- ``langid_own.json``: short sentences written for this benchmark, with their language;
- the ``mediacloud-dates`` pages of the shared corpus (``ATRISK_CORPUS`` or
  ``../shared/corpus``): the detected language of each page's text against the language
  the page declares (``<html lang>``), where it declares one; skipped when absent.

Events are scored as (type, person) pairs per excerpt for watchlisted people (events the
French model or natasha finds for other people are counted, not scored: the gold does not
list them): French
through the French model (``method = "parse"``), Persian and Russian through the
watchlist and trigger lexicons (``method = "lexicon"``). French people and organizations
are scored as sets of names per excerpt, gold names taken to the watchlist's canonical
name where the watchlist knows them. Russian people and organizations are scored for
natasha (``NewsNERTagger``, offline) when it is installed, and for the watchlist alone.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import CorpusMissing, print_table, require_corpus, write_results
from extract import langid, lexicon_events, script_norm
from extract.analyse import Analyser
from extract.entities import entity_key, resolve_to_watchlist
from extract.watchlist import Watchlist, load_watchlist

DATA = Path(__file__).resolve().parent / "data" / "languages"
# Development sets (read while the rules were written) and held-out ones (gold committed
# first, run once, never used to tune).
EVENT_SETS = ("fr", "fa", "ru", "fr_heldout", "fa_heldout", "ru_heldout")


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def load_set(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def _canonical(name: str, kind: str, watchlist: Watchlist) -> str:
    watched = resolve_to_watchlist(name, kind, watchlist)
    return entity_key(watched.name if watched else name)


def _count(got: set, gold: set, tally: list[int]) -> None:
    tally[0] += len(got & gold)
    tally[1] += len(got - gold)
    tally[2] += len(gold - got)


def events_benchmark(watchlist: Watchlist, verbose: bool = False) -> dict[str, Any]:
    """Per language: event precision/recall/F1; French people and organizations F1."""
    analyser = Analyser(watchlist)
    watched = {e.name for e in watchlist.people}
    out: dict[str, Any] = {}
    for name in EVENT_SETS:
        data = load_set(name)
        items = [(it["text"], None, it) for it in data["items"]]
        ev, people, orgs = [0, 0, 0], [0, 0, 0], [0, 0, 0]
        others = 0  # events for people not on the watchlist: not in the gold, not scored
        methods: set[str] = set()
        started = time.perf_counter()
        for it, an in analyser.analyse_many(items, lambda _it, lang=data["language"]: lang):
            methods.add(an.method)
            got = {(e.type, e.person) for e in an.events if e.person in watched}
            others += len({(e.type, e.person) for e in an.events if e.person not in watched})
            gold = {(e["type"], e["person"]) for e in it["events"]}
            _count(got, gold, ev)
            misses = []
            if got != gold:
                misses.append(f"events: false {sorted(got - gold)} missed {sorted(gold - got)}")
            if "people" in it and data["language"] == "fr":
                for kind, key, tally in (("person", "people", people),
                                         ("organization", "organizations", orgs)):
                    g = {entity_key(m.name) for m in an.mentions if m.kind == kind}
                    gg = {_canonical(n, kind, watchlist) for n in it[key]}
                    _count(g, gg, tally)
                    if g != gg:
                        misses.append(f"{key}: false {sorted(g - gg)} missed {sorted(gg - g)}")
            if verbose and misses:
                print(it["id"], "; ".join(misses), file=sys.stderr)
        res: dict[str, Any] = {"documents": len(items), "method": "/".join(sorted(methods)),
                               "events": _prf(*ev), "events_for_others_unscored": others,
                               "seconds": round(time.perf_counter() - started, 2)}
        if data["language"] == "fr":
            res["people"] = _prf(*people)
            res["organizations"] = _prf(*orgs)
        out[name] = res
    return out


def _script_only(text: str) -> str | None:
    """The language the script alone names (the fallback without a detector)."""
    from extract.article import _SCRIPT_LANGUAGE, _by_letters, dominant_script

    script = dominant_script(text)
    return _SCRIPT_LANGUAGE.get(script or "") or _by_letters(text, script) or (
        "en" if script == "LATIN" else None)


def langid_own() -> dict[str, Any]:
    """Short sentences written for this benchmark: lingua (sentence detector) against the script alone."""
    items = load_set("langid_own")["items"]
    right = sum(langid.sentence_language(text) == code for code, text in items)
    right_doc = sum(langid.document_language(text) == code for code, text in items)
    right_script = sum(_script_only(text) == code for code, text in items)
    wrong = [(code, langid.sentence_language(text), text) for code, text in items
             if langid.sentence_language(text) != code]
    return {"sentences": len(items), "accuracy_sentence_detector": round(right / len(items), 3),
            "accuracy_document_detector": round(right_doc / len(items), 3),
            "accuracy_script_only": round(right_script / len(items), 3), "wrong": wrong}


def langid_mediacloud(limit: int | None = None) -> dict[str, Any]:
    """Each page's detected language against its declared ``<html lang>``."""
    from lxml import html as lxml_html

    from extract.article import extract_article, language_code

    folder = require_corpus("mediacloud-dates")
    pages = json.loads((folder / "dates.json").read_text(encoding="utf-8"))
    rows = []
    for url, meta in list(pages.items())[:limit]:
        path = folder / "html" / meta["file"]
        if not path.exists():
            path = path.with_name(path.name + ".gz")
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        article = extract_article(raw, url)
        if article is None or not article.text:
            continue
        try:
            declared = language_code(str((lxml_html.fromstring(raw).xpath("/html/@lang") or [""])[0]))
        except (ValueError, lxml_html.etree.ParserError):
            declared = None
        rows.append((url, declared, langid.document_language(article.text), len(article.text)))
    with_decl = [r for r in rows if r[1]]
    agree = [r for r in with_decl if r[1] == r[2]]
    detected: dict[str, int] = {}
    for r in rows:
        detected[str(r[2])] = detected.get(str(r[2]), 0) + 1
    return {"pages": len(rows), "declared": len(with_decl), "agree_with_declared": len(agree),
            "agreement": round(len(agree) / len(with_decl), 3) if with_decl else None,
            "detected_languages": dict(sorted(detected.items(), key=lambda kv: -kv[1])),
            "disagreements": [{"url": u, "declared": d, "detected": g, "chars": n}
                              for u, d, g, n in with_decl if d != g]}


def natasha_benchmark(watchlist: Watchlist) -> dict[str, Any]:
    """Russian people and organizations: natasha's NER, and the watchlist alone, against gold."""
    try:
        from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter
    except ImportError:
        return {"installed": False}
    started = time.perf_counter()
    segmenter, tagger = Segmenter(), NewsNERTagger(NewsEmbedding())
    load_seconds = time.perf_counter() - started
    index = lexicon_events.name_index(watchlist)
    res: dict[str, Any] = {"installed": True, "load_seconds": round(load_seconds, 2)}
    items = load_set("ru")["items"] + load_set("ru_heldout")["items"]
    res["documents"] = len(items)
    for label, kind, key in (("PER", "person", "people"), ("ORG", "organization", "organizations")):
        nat, wl = [0, 0, 0], [0, 0, 0]
        for it in items:
            doc = Doc(it["text"])
            doc.segment(segmenter)
            doc.tag_ner(tagger)
            gold = [_name_words(n, kind, watchlist) for n in it[key]]
            found = [_name_words(s.text, kind, watchlist, index) for s in doc.spans if s.type == label]
            _match(found, gold, nat)
            sent = lexicon_events.Sentence(it["text"], 0, "ru")
            wl_found = [_name_words(m.name, kind, watchlist)
                        for m in lexicon_events.watchlist_mentions(sent, watchlist) if m.kind == kind]
            _match(wl_found, gold, wl)
        res[key] = {"natasha": _prf(*nat), "watchlist_only": _prf(*wl)}
    return res


def _name_words(name: str, kind: str, watchlist: Watchlist, index: Any = None) -> tuple[str, ...]:
    """A name as normalized words, taken to the canonical watchlist name when it is one."""
    if index is not None:
        words = [t.text for t in script_norm.tokens(script_norm.fold(name))]
        hits = index.find(words)
        if hits and hits[0].last - hits[0].first == len(words):
            name = hits[0].value.name
    watched = resolve_to_watchlist(name, kind, watchlist)
    if watched is not None:
        name = watched.name
    return tuple(t.text for t in script_norm.tokens(script_norm.fold(name)))


def _match(found: list[tuple[str, ...]], gold: list[tuple[str, ...]], tally: list[int]) -> None:
    """Count names of one document: the same words, inflection (Russian case) allowed."""
    left = list(dict.fromkeys(gold))
    hits = 0
    for f in dict.fromkeys(found):
        m = next((g for g in left if len(g) == len(f)
                  and all(lexicon_events._name_word_matches(a, b) or lexicon_events._name_word_matches(b, a)
                          for a, b in zip(f, g, strict=True))), None)
        if m is not None:
            left.remove(m)
            hits += 1
        else:
            tally[1] += 1
    tally[0] += hits
    tally[2] += len(left)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--pages", type=int, default=None, help="at most this many mediacloud pages")
    args = parser.parse_args(argv)
    watchlist = load_watchlist()
    results: dict[str, Any] = {"events": events_benchmark(watchlist, args.verbose),
                               "langid_own": langid_own()}
    try:
        results["langid_mediacloud"] = langid_mediacloud(args.pages)
    except CorpusMissing as exc:
        results["langid_mediacloud"] = {"skipped": str(exc)}
    results["natasha_ru"] = natasha_benchmark(watchlist)
    ev = results["events"]
    print_table("Events for watchlisted people, per language", ["set", "method", "docs", "P", "R", "F1"],
                [(k, v["method"], v["documents"], v["events"]["precision"], v["events"]["recall"],
                  v["events"]["f1"]) for k, v in ev.items()])
    print_table("French people and organizations", ["set", "kind", "P", "R", "F1"],
                [(name, k, ev[name][k]["precision"], ev[name][k]["recall"], ev[name][k]["f1"])
                 for name in ("fr", "fr_heldout") for k in ("people", "organizations")])
    own = results["langid_own"]
    rows = [("own short sentences: sentence detector", own["sentences"], own["accuracy_sentence_detector"]),
            ("own short sentences: document detector", own["sentences"], own["accuracy_document_detector"]),
            ("own short sentences: script alone", own["sentences"], own["accuracy_script_only"])]
    mc = results["langid_mediacloud"]
    if "agreement" in mc:
        rows.append(("mediacloud pages: agrees with <html lang>", mc["declared"], mc["agreement"]))
    print_table("Language identification", ["set", "n", "accuracy"], rows)
    nat = results["natasha_ru"]
    if nat.get("installed"):
        print_table("Russian people and organizations (natasha vs watchlist only)",
                    ["kind", "tool", "P", "R", "F1"],
                    [(k, tool, nat[k][tool]["precision"], nat[k][tool]["recall"], nat[k][tool]["f1"])
                     for k in ("people", "organizations") for tool in ("natasha", "watchlist_only")])
    path = write_results("languages", results)
    print(f"languages: fr_events_f1={ev['fr']['events']['f1']} fr_people_f1={ev['fr']['people']['f1']} "
          f"fa_events_precision={ev['fa']['events']['precision']} "
          f"ru_events_precision={ev['ru']['events']['precision']} "
          f"heldout: fr_events_f1={ev['fr_heldout']['events']['f1']} "
          f"fr_people_f1={ev['fr_heldout']['people']['f1']} "
          f"fa_events_precision={ev['fa_heldout']['events']['precision']} "
          f"ru_events_precision={ev['ru_heldout']['events']['precision']} -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
