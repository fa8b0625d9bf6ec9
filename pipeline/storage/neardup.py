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
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.storage.models import Document

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


# each byte value spread over eight 32-bit lanes, one per bit, so that the bit
# counts of many hashes add up in a few integer additions instead of 64 tests each
_LANE = 32
_LANE_MASK = (1 << _LANE) - 1
_SPREAD = [sum(1 << (_LANE * bit) for bit in range(8) if value >> bit & 1) for value in range(256)]


def _digest64(value: str) -> bytes:
    return hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest()


def simhash(text: str) -> int:
    """Signed 64-bit SimHash of a text (signed so that it fits a BIGINT column).

    Bit ``b`` is set when more than half of the text's word bigrams have bit ``b``
    set in their 64-bit BLAKE2b hash (read big-endian).
    """
    grams = shingles(text, SIGNATURE_WORDS)
    digests = b"".join(_digest64(g) for g in grams)
    value = 0
    for byte in range(8):
        lanes = sum(_SPREAD[v] * n for v, n in Counter(digests[byte::8]).items())
        for bit in range(8):
            if 2 * ((lanes >> (_LANE * bit)) & _LANE_MASK) > len(grams):
                value |= 1 << (8 * (7 - byte) + bit)
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
    """The title and text a document's signature and shingles are taken from."""
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


CHUNK = 500  # ids per IN (...) list, well under every database's parameter limit


def chunks(ids: Sequence[int]) -> list[list[int]]:
    """Ids in slices of CHUNK, for IN (...) lists."""
    return [list(ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK)]


def ensure_simhashes_of(session: Session, ids: Sequence[int]) -> dict[int, int | None]:
    """``ensure_simhashes`` for documents given by id; returns each one's signature."""
    out: dict[int, int | None] = {}
    for chunk in chunks(ids):
        docs = list(session.scalars(select(Document).where(Document.id.in_(chunk))))
        ensure_simhashes(session, docs)
        out.update((d.id, d.simhash) for d in docs)
    return out


class Fingerprint:
    """What near-duplicate detection knows of one document.

    The shingle set is built on first use: most pairs are ruled out by their
    signatures, so most texts are never shingled.
    """

    __slots__ = ("signature", "content_hash", "_text", "_shingles")

    def __init__(self, signature: int | None, content_hash: str, text: str | None) -> None:
        self.signature = signature
        self.content_hash = content_hash
        self._text = text  # title and text, None once the text has been purged
        self._shingles: set[str] | None = None

    @property
    def shingles(self) -> set[str] | None:
        if self._shingles is None and self._text is not None:
            self._shingles = shingles(self._text)
        return self._shingles


def fingerprint(doc: Document) -> Fingerprint:
    """The fingerprint of a loaded document (its signature must be computed)."""
    return fingerprint_of(doc.simhash, doc.content_hash, doc.title, doc.text, doc.text_purged)


def fingerprint_of(
    signature: int | None, content_hash: str, title: str | None, text: str | None, text_purged: bool
) -> Fingerprint:
    """The fingerprint from a document's columns, for callers that load only those."""
    stored = bool(text) and not text_purged
    joined = " ".join(part for part in (title, text) if part) if stored else None
    return Fingerprint(signature, content_hash, joined)


def are_copies(a: Document, b: Document) -> bool:
    """Whether two documents carry the same statement (signatures must be computed)."""
    return same(fingerprint(a), fingerprint(b))


def same(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether two fingerprinted documents carry the same statement."""
    if a.content_hash and a.content_hash == b.content_hash:
        return True
    if a.signature is None or b.signature is None:
        return False
    d = distance(a.signature, b.signature)
    if d > CANDIDATE_DISTANCE:
        return False
    sa, sb = a.shingles, b.shingles
    if sa is not None and sb is not None:
        return containment(sa, sb) >= MIN_CONTAINMENT
    return d <= SIGNATURE_ONLY_DISTANCE


class SignatureIndex:
    """Fingerprints in a fixed order, searched for the first possible copy of a document.

    Exact: every fingerprint with the same content hash or a signature within
    CANDIDATE_DISTANCE bits is a candidate; the rest cannot pass ``same``. The
    distance test is one XOR and a popcount per stored signature, done by numpy over
    all of them at once (a week of documents is a few thousand signatures).
    """

    def __init__(self, signatures: Sequence[int | None], content_hashes: Sequence[str]) -> None:
        self._hashes: dict[str, list[int]] = {}
        for position, content_hash in enumerate(content_hashes):
            if content_hash:
                self._hashes.setdefault(content_hash, []).append(position)
        known = [(position, sig & _MASK64) for position, sig in enumerate(signatures) if sig is not None]
        self._positions = np.fromiter((p for p, _ in known), dtype=np.int64, count=len(known))
        self._signatures = np.fromiter((sig for _, sig in known), dtype=np.uint64, count=len(known))

    def candidates(self, signature: int | None, content_hash: str) -> list[int]:
        """Positions, in order, of the fingerprints that may be copies of this one."""
        found = set(self._hashes.get(content_hash, ())) if content_hash else set()
        if signature is not None and len(self._signatures):
            bits = np.bitwise_count(self._signatures ^ np.uint64(signature & _MASK64))
            found.update(self._positions[bits <= CANDIDATE_DISTANCE].tolist())
        return sorted(found)


def group_fingerprints(items: Sequence[Fingerprint]) -> list[list[int]]:
    """Groups of copies as positions, each group and the list in order of first position."""
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = SignatureIndex([f.signature for f in items], [f.content_hash for f in items])
    for i, item in enumerate(items):
        # pairs in the same order as a full pairwise pass, so the groups come out the same
        for j in index.candidates(item.signature, item.content_hash):
            if j > i and find(i) != find(j) and same(item, items[j]):
                parent[max(find(i), find(j))] = min(find(i), find(j))
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    return [groups[k] for k in sorted(groups)]


def group_copies(docs: Sequence[Document]) -> list[list[Document]]:
    """Groups of copies, each in the given order (so the first is the earliest when sorted)."""
    return [[docs[i] for i in group] for group in group_fingerprints([fingerprint(d) for d in docs])]
