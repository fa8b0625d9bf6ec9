"""Event extraction quality on the hand-written development set, beside a keyword baseline.

Run: ``.venv/bin/python benchmarks/events.py`` (add ``-v`` to list every miss and false hit).
Sets (benchmarks/data/events/README.md says how each was made): ``dev``, ``heldout``,
``heldout2`` and ``heldout3`` written for this benchmark, and ``demo_site``, the ten demo
pages scored against the events listed in demo_site/README.md. Where the gold says whether
an event is background, the background flag of each gold event found is scored too.
Scores are precision/recall/F1 over (type, person) pairs per document; only asserted
events (neither negated nor hypothetical) count as predictions. A predicted name
matches a gold full name when it is the same key, a part of it ("Panahi") or holds it
whole ("Rapper Karim Nasseri"), so mention-boundary slips do not count as event errors.
"""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import statements  # noqa: E402
from benchmarks.common import corpus_dir  # noqa: E402
from extract import entities, events, nlp  # noqa: E402
from extract.watchlist import load_watchlist  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "events"
DEV = DATA / "dev.jsonl"
HELDOUT = DATA / "heldout.jsonl"
SETS = (("dev", DEV), ("heldout", HELDOUT), ("heldout2", DATA / "heldout2.jsonl"),
        ("heldout3", DATA / "heldout3.jsonl"))
NAMES = ("dev", "heldout", "heldout2", "heldout3", "demo_site")
RESULTS = ROOT / "benchmarks" / "results" / "events.json"
GUM = corpus_dir() / "gum-news" / "text"
DEMO = ROOT / "demo_site"
# Gold events of the demo site, transcribed from the "Expected content" table of
# demo_site/README.md (written by another author, independently of these rules).
# Where that table says "new" or "background", DEMO_BACKGROUND records it.
DEMO_BACKGROUND = {
    "statements/coalition-condemns-arrest-of-karim-nasser.html": {"arrest": False},
    "statements/festival-urges-release-of-aylin-demir.html": {"sentence": False},
    "statements/poet-alena-marchuk-on-hunger-strike.html": {"hunger_strike": False},
    "statements/cartoonist-ernesto-salazar-released.html": {"release": False, "sentence": True},
    "statements/actress-leila-farahani-travel-ban.html": {"ban": False},
    "news/tbilisi-crackdown-filmmakers-detained.html": {"arrest": False},
    "news/vera-sokolova-charged.html": {"charge": False},
    "news/hamid-sadeghi-new-film.html": {t: True for t in ("arrest", "sentence", "ban",
                                                             "confiscation")},
    "news/hong-kong-filmmaker-marcus-yip-arrested.html": {"arrest": False},
    "news/jafar-panahi-retrospective.html": {t: True for t in ("arrest", "sentence", "ban",
                                                               "release", "hunger_strike")},
}
DEMO_GOLD = {
    "statements/coalition-condemns-arrest-of-karim-nasser.html": [
        ("arrest", "Karim Nasser"), ("confiscation", "Karim Nasser"), ("charge", "Karim Nasser"),
        ("summons", "Salma Fawzy")],
    "statements/festival-urges-release-of-aylin-demir.html": [
        ("sentence", "Aylin Demir"), ("arrest", "Aylin Demir")],
    "statements/poet-alena-marchuk-on-hunger-strike.html": [
        ("hunger_strike", "Alena Marchuk"), ("arrest", "Alena Marchuk"),
        ("charge", "Alena Marchuk")],
    "statements/cartoonist-ernesto-salazar-released.html": [
        ("release", "Ernesto Salazar"), ("sentence", "Ernesto Salazar")],
    "statements/actress-leila-farahani-travel-ban.html": [
        ("ban", "Leila Farahani"), ("confiscation", "Leila Farahani"),
        ("summons", "Leila Farahani")],
    "news/tbilisi-crackdown-filmmakers-detained.html": [
        ("arrest", "Nino Kapanadze"), ("arrest", "Giorgi Beridze"), ("arrest", "Tamar Gelashvili"),
        ("arrest", "Luka Abashidze"), ("confiscation", "Giorgi Beridze")],
    "news/vera-sokolova-charged.html": [
        ("charge", "Vera Sokolova"), ("arrest", "Vera Sokolova"), ("summons", "Mikhail Orlov")],
    "news/hamid-sadeghi-new-film.html": [
        ("arrest", "Hamid Sadeghi"), ("sentence", "Hamid Sadeghi"), ("ban", "Hamid Sadeghi"),
        ("confiscation", "Hamid Sadeghi")],
    "news/hong-kong-filmmaker-marcus-yip-arrested.html": [
        ("arrest", "Marcus Yip"), ("confiscation", "Marcus Yip")],
    "news/jafar-panahi-retrospective.html": [
        ("arrest", "Jafar Panahi"), ("sentence", "Jafar Panahi"), ("ban", "Jafar Panahi"),
        ("release", "Jafar Panahi"), ("hunger_strike", "Jafar Panahi")],
}
GUM_ARRESTS = ("defector", "clock", "homeopathic", "imprisoned")

Pair = tuple[str, str]


def load_demo(today: date = date(2026, 11, 22)) -> list[dict]:
    """The demo site's ten pages as documents: placeholders filled, text extracted."""
    from extract.article import extract_article

    def fill(markup: str) -> str:
        markup = markup.replace("{{BASE}}", "http://127.0.0.1:8000")
        markup = re.sub(r"\{\{DATE-(\d+):long\}\}", lambda m: _long(today - timedelta(
            int(m.group(1)))), markup)
        return re.sub(r"\{\{DATE-(\d+)\}\}", lambda m: (today - timedelta(
            int(m.group(1)))).isoformat(), markup)

    docs = []
    for path, gold in DEMO_GOLD.items():
        page = DEMO / path
        if not page.exists():
            return []
        art = extract_article(fill(page.read_text(encoding="utf-8")),
                              f"http://127.0.0.1:8000/{path}", today=today)
        if art is None:
            continue
        docs.append({"id": path, "text": art.text,
                     "published": art.published.isoformat() if art.published else None,
                     "events": [{"type": t, "person": p, **_demo_background(path, t)}
                                for t, p in gold]})
    return docs


def _demo_background(path: str, etype: str) -> dict:
    flag = DEMO_BACKGROUND.get(path, {}).get(etype)
    return {} if flag is None else {"background": flag}


def _long(d: date) -> str:
    return f"{d:%A}, {d.day} {d:%B %Y}"


def load_dev(path: Path = DEV) -> list[dict]:
    """Documents of one set, one JSON object a line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _align(name: str, gold_names: list[str]) -> str:
    """The gold name a predicted name stands for, else its own key."""
    key = entities.entity_key(name)
    keys = sorted({entities.entity_key(g) for g in gold_names})
    if key in keys:
        return key
    parts = set(key.split())
    hits = [g for g in keys if parts and (parts <= set(g.split()) or set(g.split()) <= parts)]
    return hits[0] if len(hits) == 1 else key


def keyword_baseline(doc, mentions: list[entities.Mention]) -> set[tuple[str, str]]:  # noqa: ANN001
    """Any trigger word and any PERSON in the same sentence make an event."""
    out: set[tuple[str, str]] = set()
    people = [m for m in mentions if m.kind == entities.PERSON]
    for sent in doc.sents:
        words = {t.lower_ for t in sent}
        types = [t for t, forms in events.TRIGGER_FORMS.items() if words & forms]
        for m in people:
            if sent.start_char <= m.start < sent.end_char:
                out.update((t, m.name) for t in types)
    return out


def _score(rows: list[tuple[set[Pair], set[Pair]]]) -> dict:
    tp = sum(len(g & p) for g, p in rows)
    fp = sum(len(p - g) for g, p in rows)
    fn = sum(len(g - p) for g, p in rows)
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(prec, 3), "recall": round(rec, 3),
            "f1": round(f1, 3)}


def _score_background(item: dict, evs: list, names: list[str], pred: set[Pair],  # noqa: ANN001
                      bg: dict) -> None:
    """Background right or wrong for each gold event found that has a gold flag.

    A (type, person) pair counts as reported new when any asserted event of the pair is
    not background, since one such sentence is enough to raise an alert.
    """
    for e in item["events"]:
        if "background" not in e:
            continue
        pair = (e["type"], entities.entity_key(e["person"]))
        if pair not in pred:
            continue
        found = [x for x in evs if x.asserted and (x.type, _align(x.person, names)) == pair]
        new = any(not x.background for x in found)
        bg["scored"] += 1
        if new != (not e["background"]):
            bg["old_as_new" if new else "new_as_old"].append(f"{item['id']}: {pair[0]} {pair[1]}")
        else:
            bg["right"] += 1


def evaluate(model, watchlist, docs: list[dict]) -> dict:  # noqa: ANN001
    """Scores of the rules and of the keyword baseline on ``docs``."""
    rows_rules: list[tuple[set[Pair], set[Pair]]] = []
    rows_base: list[tuple[set[Pair], set[Pair]]] = []
    errors: list[dict] = []
    bg = {"scored": 0, "right": 0, "old_as_new": [], "new_as_old": []}
    t_nlp = t_events = 0.0
    words = 0
    for item in docs:
        t0 = time.perf_counter()
        doc = model(item["text"])
        ments = entities.find_mentions(doc, watchlist)
        t1 = time.perf_counter()
        published = date.fromisoformat(item["published"]) if item.get("published") else None
        evs = events.find_events(doc, ments, published)
        t_events += time.perf_counter() - t1
        t_nlp += t1 - t0
        words += len(doc)
        names = [e["person"] for e in item["events"]]
        gold = {(e["type"], entities.entity_key(e["person"])) for e in item["events"]}
        pred = {(e.type, _align(e.person, names)) for e in evs if e.asserted}
        base = {(t, _align(p, names)) for t, p in keyword_baseline(doc, ments)}
        _score_background(item, evs, names, pred, bg)
        rows_rules.append((gold, pred))
        rows_base.append((gold, base))
        if gold != pred:
            errors.append({"id": item["id"], "missed": sorted(gold - pred),
                           "extra": sorted(pred - gold)})
    return {
        "documents": len(docs),
        "gold_events": sum(len(g) for g, _ in rows_rules),
        "rules": _score(rows_rules),
        "keyword_baseline": _score(rows_base),
        "background": {"scored": bg["scored"], "right": bg["right"],
                       "accuracy": round(bg["right"] / bg["scored"], 3) if bg["scored"] else None,
                       "old_as_new": bg["old_as_new"], "new_as_old": bg["new_as_old"]},
        "timing": {"tokens": words, "spacy_and_mentions_s": round(t_nlp, 3),
                   "events_s": round(t_events, 3),
                   "events_ms_per_doc": round(1000 * t_events / len(docs), 2) if docs else None,
                   "events_over_spacy": round(t_events / t_nlp, 3) if t_nlp else None},
        "errors": errors,
    }


def run(verbose: bool = False) -> dict:
    """Score the rules and the baseline on both sets; returns (and writes) the figures."""
    watchlist = load_watchlist()
    model = entities.add_watchlist(nlp.load_model(), watchlist)
    t0 = time.perf_counter()
    events.resolve_date("3 March", date(2020, 1, 1))  # dateparser's one-off start-up cost
    warmup = time.perf_counter() - t0
    result: dict = {"dateparser_warmup_s": round(warmup, 3)}
    for name, path in SETS:
        if path.exists():
            result[name] = evaluate(model, watchlist, load_dev(path))
    demo = load_demo()
    if demo:
        result["demo_site"] = evaluate(model, watchlist, demo)
    result["gum_news"] = _gum(model, watchlist)
    result["statements"] = _statements()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    _print(result, verbose)
    return result


def _statements() -> dict | None:
    """Events and alert precision on the statements corpus per split (None without it)."""
    if not statements.available():
        print(statements.missing_message("statements corpus"))
        return None
    return statements.evaluated()


def _gum(model, watchlist) -> dict:  # noqa: ANN001
    """What the rules find in the GUM news articles that report arrests (no gold)."""
    out: dict[str, list[dict]] = {}
    for name in GUM_ARRESTS:
        path = GUM / f"GUM_news_{name}.txt"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        published = None
        for line in text.splitlines()[:5]:
            if line.startswith("DATE_CREATED:"):
                published = date.fromisoformat(line.split(":", 1)[1].strip())
        doc = model(text)
        evs = events.find_events(doc, entities.find_mentions(doc, watchlist), published)
        out[name] = [{"type": e.type, "person": e.person, "asserted": e.asserted,
                      "background": e.background, "date": e.date, "term": e.term,
                      "trigger": e.trigger} for e in evs]
    return out


def _print(result: dict, verbose: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(width=110)
    table = Table(title="events: P/R/F1 over (type, person) per document, asserted events only")
    for col in ("set", "system", "docs", "gold", "P", "R", "F1", "tp", "fp", "fn"):
        table.add_column(col, justify="left" if col in ("set", "system") else "right")
    for name in NAMES:
        if name not in result:
            continue
        res = result[name]
        for label, key in (("dependency rules", "rules"),
                           ("same-sentence keywords", "keyword_baseline")):
            s = res[key]
            table.add_row(name, label, str(res["documents"]), str(res["gold_events"]),
                          f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}",
                          str(s["tp"]), str(s["fp"]), str(s["fn"]))
    con.print(table)
    for name in NAMES:
        if name not in result:
            continue
        tm = result[name]["timing"]
        b = result[name]["background"]
        con.print(f"{name}: spaCy+mentions {tm['spacy_and_mentions_s']}s, events "
                  f"{tm['events_s']}s ({tm['events_ms_per_doc']} ms/doc) for {tm['tokens']} "
                  f"tokens (events/spaCy = {tm['events_over_spacy']})")
        if b["scored"]:
            con.print(f"  background right for {b['right']}/{b['scored']} found gold events "
                      f"({len(b['old_as_new'])} old reported as new, {len(b['new_as_old'])} "
                      "new marked background)")
        if verbose:
            for m in result[name]["errors"]:
                con.print(f"  [yellow]{m['id']}[/]: missed {m['missed']} extra {m['extra']}")
            for m in b["old_as_new"]:
                con.print(f"  [magenta]old as new[/] {m}")
            for m in b["new_as_old"]:
                con.print(f"  [magenta]new as background[/] {m}")
    con.print(f"dateparser start-up {result['dateparser_warmup_s']}s once per process")
    gum = Table(title="GUM news articles that report arrests (no gold)")
    for col in ("article", "type", "person", "asserted", "background", "date", "term"):
        gum.add_column(col)
    for name, evs in result["gum_news"].items():
        for e in evs:
            gum.add_row(name, e["type"], e["person"], str(e["asserted"]), str(e["background"]),
                        str(e["date"] or ""), e["term"] or "")
    con.print(gum)
    if result.get("statements"):
        statements.report(result["statements"], ("events",), verbose, alerts=True)


if __name__ == "__main__":
    run(verbose="-v" in sys.argv)
