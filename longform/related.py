"""Related-essay scoring: shared tags weighted by rarity, body text similarity, and recency."""

from __future__ import annotations

import math
import re
import zlib
from array import array
from collections import Counter
from typing import TYPE_CHECKING

from .content import Essay

if TYPE_CHECKING:
    from scipy import sparse

MAX_RELATED = 3
RECENCY_WEIGHT = 0.1
_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_STOP = frozenset("""the and that this with for are was were from have has had not but its it's
they them their there than then which what when where who will would could should can into
about more most also just only very been being over such these those some any each other our
your you his her she him one two all out off per yet via""".split())


def related_slugs(essays: list[Essay]) -> dict[str, tuple[str, ...]]:
    """Up to three related essays per essay: its `related:` list first, then the best scores."""
    if not essays:
        return {}
    known = {e.slug for e in essays}
    result = {}
    for i, ranked in _ranked_rows(essays):
        essay = essays[i]
        chosen = [s for s in essay.related_slugs if s in known and s != essay.slug]
        chosen += [essays[j].slug for j in ranked if essays[j].slug not in chosen]
        result[essay.slug] = tuple(chosen[:MAX_RELATED])
    return result


def _ranked_rows(essays: list[Essay], chunk: int = 256):
    """(index, the best other essays in order) for every essay, computed a chunk of rows at a
    time so 5,000 essays never need an n×n array. Order: score (to 6 decimals, so float noise
    cannot reorder ties), then newer, then slug."""
    import numpy as np  # numpy and scipy take ~0.3 s to import: only when scores are needed
    from scipy import sparse
    n = len(essays)
    features = sparse.hstack([_tag_matrix(essays), _text_matrix(essays)],
                             format="csr", dtype=np.float32)
    if n * features.shape[1] <= DENSE_CELLS:
        features = features.toarray()  # a small vocabulary: BLAS beats sparse products
    transposed = features.T if isinstance(features, np.ndarray) else features.T.tocsc()
    days = np.array([e.date.toordinal() for e in essays], dtype=np.float64)
    # exp(-|a-b|/365) = min(g_a/g_b, g_b/g_a) with g = exp(day/365): no exp per pair.
    # Clipped so that absurd dates (year 9999) cannot overflow: beyond 300 years the recency
    # term is zero to any precision anyway.
    growth = np.exp(np.clip((days - np.median(days)) / 365.0, -300, 300))
    order = sorted(range(n), key=lambda j: (-essays[j].date.toordinal(), essays[j].slug))
    tiebreak = np.empty(n, dtype=np.float64)
    tiebreak[order] = np.arange(n, 0, -1)  # newest-then-first-slug gets the largest
    keep = min(MAX_RELATED + len(max((e.related_slugs for e in essays), key=len)), n - 1)
    for start in range(0, n, chunk):
        block = features[start:start + chunk] @ transposed
        block = np.asarray(block if isinstance(block, np.ndarray) else block.toarray(),
                           dtype=np.float32)
        recency = growth[start:start + chunk, None] / growth[None, :]
        np.minimum(recency, np.reciprocal(recency), out=recency)
        recency *= RECENCY_WEIGHT
        recency *= block > 0  # recency only separates essays that already share something
        block += recency
        rows = np.arange(block.shape[0])
        block[rows, start + rows] = 0
        # One exact key per cell: the rounded score first, the tie-break in the low digits.
        composite = np.rint(block.astype(np.float64) * 1e6)
        composite *= n + 1
        composite += tiebreak
        composite *= block > 0
        if keep <= 0:
            yield from ((start + offset, []) for offset in rows)
            continue
        top = np.argpartition(-composite, keep - 1, axis=1)[:, :keep]
        values = np.take_along_axis(composite, top, axis=1)
        ranking = np.argsort(-values, axis=1, kind="stable")
        best = np.take_along_axis(top, ranking, axis=1).tolist()
        scored = (np.take_along_axis(values, ranking, axis=1) > 0).sum(axis=1).tolist()
        for offset in rows.tolist():  # keys are distinct, so the scored ones come first
            yield start + offset, best[offset][:scored[offset]]


def _tag_matrix(essays: list[Essay]) -> sparse.csr_matrix:
    """Rows weighted by each tag's idf, scaled so an essay sharing every tag scores 1."""
    docs = [[t.lower() for t in e.tags] for e in essays]
    return _weighted(docs, len(essays), sublinear=False)


DENSE_CELLS = 50_000_000  # 200 MB of float32: past that, essays × words stay sparse
TERM_BUCKETS = 1 << 20  # words hash into this many columns; collisions are rare and harmless


def body_terms(body_md: str) -> tuple[bytes, bytes]:
    """The body's content words as (hashed columns, counts), packed as machine arrays: computed
    once per essay and cached with it, so scoring 1,000 essays needs no Python loop over words."""
    words = Counter(w for w in _WORD.findall(body_md.lower()) if w not in _STOP)
    ordered = sorted(words.items())
    columns = array("i", (zlib.crc32(w.encode("utf-8")) % TERM_BUCKETS for w, _ in ordered))
    counts = array("f", (c for _, c in ordered))
    return columns.tobytes(), counts.tobytes()


def _text_matrix(essays: list[Essay]) -> sparse.csr_matrix:
    import numpy as np
    from scipy import sparse
    packed = [e.terms or body_terms(e.body_md) for e in essays]
    columns = [np.frombuffer(c, dtype=np.int32) for c, _ in packed]
    counts = np.concatenate([np.frombuffer(n, dtype=np.float32) for _, n in packed] or [[]])
    rows = np.repeat(np.arange(len(essays)), [len(c) for c in columns])
    # Only the buckets some essay uses become columns: a million empty ones cost every
    # sparse operation after this a pass over them.
    used, cols = np.unique(np.concatenate(columns or [[]]).astype(np.int32),
                           return_inverse=True)
    matrix = sparse.csr_matrix((counts.astype(np.float32), (rows, cols)),
                               shape=(len(essays), max(1, len(used))))
    matrix.sum_duplicates()  # two words in one bucket count as one term
    matrix.data = 1 + np.log(matrix.data)
    return _normalised(matrix, len(essays))


def _weighted(docs: list, n: int, sublinear: bool) -> sparse.csr_matrix:
    """Rows of L2-normalised tf-idf weights for lists of terms (tags)."""
    import numpy as np
    from scipy import sparse
    vocabulary: dict[str, int] = {}
    rows, cols, counts = [], [], []
    for i, doc in enumerate(docs):
        for term, count in sorted(Counter(doc).items()):
            rows.append(i)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            counts.append(count)
    if not vocabulary:
        return sparse.csr_matrix((n, 1), dtype=np.float32)
    matrix = sparse.csr_matrix((np.array(counts, dtype=np.float32), (rows, cols)),
                               shape=(n, len(vocabulary)))
    if sublinear:
        matrix.data = 1 + np.log(matrix.data)
    return _normalised(matrix, n)


def _normalised(matrix, n: int):
    """Weighted by idf, each row scaled to length 1."""
    import numpy as np
    from scipy import sparse
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
    matrix = matrix.multiply(idf[None, :]).tocsr()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return (sparse.diags(1 / norms) @ matrix).tocsr()


def tag_idf(essays: list[Essay]) -> dict[str, float]:
    """How rare each tag is across the site (used by the scoring; exposed for tests)."""
    df = Counter(t.lower() for e in essays for t in set(e.tags))
    return {t: math.log((1 + len(essays)) / (1 + c)) + 1 for t, c in df.items()}
