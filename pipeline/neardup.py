"""Near-duplicate documents: one statement republished by several sites.

A 64-bit SimHash over word bigrams is computed once per text and cached in
``documents.simhash``. Two documents are copies when their signatures are close
and, where both texts are still stored, their shingle sets overlap enough; the
signature alone decides (with a tighter distance) once a text has been purged.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pipeline.models import Document

log = logging.getLogger(__name__)

# Bigrams for the signature: on statement-length texts (100-500 words) an edited
# copy stayed within ~12 bits while unrelated texts, even from the same template,
# were 23 or more apart; trigrams blurred that gap (19 against 26).
SIGNATURE_WORDS = 2
SHINGLE_WORDS = 3
# SimHash bit distance under which a pair is worth comparing shingle by shingle.
CANDIDATE_DISTANCE = 18
# Distance that decides on its own when a text is no longer stored.
SIGNATURE_ONLY_DISTANCE = 10
# Share of the smaller document's shingles found in the other one. Containment
# rather than Jaccard: a republished statement often gains a site's own intro line.
MIN_CONTAINMENT = 0.6

_WORD = re.compile(r"\w+", re.UNICODE)
_MASK64 = (1 << 64) - 1


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Word n-grams of a text (the whole text as one shingle when it is shorter)."""
    words = _words(text)
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _hash64(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "big")


def simhash(text: str) -> int:
    """Signed 64-bit SimHash of a text (signed so that it fits a BIGINT column)."""
    counts = [0] * 64
    for sh in shingles(text, SIGNATURE_WORDS):
        h = _hash64(sh)
        for bit in range(64):
            counts[bit] += 1 if (h >> bit) & 1 else -1
    value = 0
    for bit in range(64):
        if counts[bit] > 0:
            value |= 1 << bit
    return value - (1 << 64) if value >= 1 << 63 else value


def distance(a: int, b: int) -> int:
    """Number of differing bits between two signatures."""
    return ((a & _MASK64) ^ (b & _MASK64)).bit_count()


def containment(a: set[str], b: set[str]) -> float:
    """Share of the smaller shingle set contained in the other."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def document_text(doc: Document) -> str:
    return " ".join(part for part in (doc.title, doc.text) if part)


def ensure_simhashes(session: Session, docs: Iterable[Document]) -> int:
    """Compute and store the signature of every document that has none; return how many."""
    done = 0
    for doc in docs:
        if doc.simhash is None and (doc.text or doc.title):
            doc.simhash = simhash(document_text(doc))
            done += 1
    if done:
        session.flush()
        log.debug("computed %s near-duplicate signatures", done)
    return done


@dataclass(frozen=True)
class _Item:
    index: int
    signature: int | None
    content_hash: str
    shingles: set[str] | None


def are_copies(a: Document, b: Document) -> bool:
    """Whether two documents carry the same statement (signatures must be computed)."""
    return _same(_item(0, a), _item(1, b))


def _item(index: int, doc: Document) -> _Item:
    text = doc.text if not doc.text_purged else None
    return _Item(index, doc.simhash, doc.content_hash, shingles(document_text(doc)) if text else None)


def _same(a: _Item, b: _Item) -> bool:
    if a.content_hash and a.content_hash == b.content_hash:
        return True
    if a.signature is None or b.signature is None:
        return False
    d = distance(a.signature, b.signature)
    if a.shingles is not None and b.shingles is not None:
        return d <= CANDIDATE_DISTANCE and containment(a.shingles, b.shingles) >= MIN_CONTAINMENT
    return d <= SIGNATURE_ONLY_DISTANCE


def group_copies(docs: Sequence[Document]) -> list[list[Document]]:
    """Groups of copies, each in the given order (so the first is the earliest when sorted).

    Pairwise within one digest period (hundreds of documents at most); the SimHash
    distance filters pairs before the exact shingle comparison.
    """
    items = [_item(i, d) for i, d in enumerate(docs)]
    parent = list(range(len(docs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if find(i) != find(j) and _same(items[i], items[j]):
                parent[max(find(i), find(j))] = min(find(i), find(j))
    groups: dict[int, list[Document]] = {}
    for i, doc in enumerate(docs):
        groups.setdefault(find(i), []).append(doc)
    return [groups[k] for k in sorted(groups)]
