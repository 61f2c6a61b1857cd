"""The features related-essay scoring compares: each essay's tags and words, weighted by rarity
and scaled to length 1. Dense numpy arrays when essays × columns fit in memory (most sites:
scipy is then never imported, a quarter of a second saved on every rebuild that rescores),
scipy sparse matrices when they do not.
"""

import math
import re
import zlib
from array import array
from collections import Counter

_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_STOP = frozenset("""the and that this with for are was were from have has had not but its it's
they them their there than then which what when where who will would could should can into
about more most also just only very been being over such these those some any each other our
your you his her she him one two all out off per yet via""".split())

TERM_BUCKETS = 1 << 20  # words hash into this many columns; collisions are rare and harmless

# A word's or tag's weight (idf) counts the essays using it in steps of a ladder, 2^(1/4) apart:
# then one essay gaining or losing a common word reweighs the others using it only when the
# count crosses a step, not on every save. The rarer the word, the more often it crosses, but
# the fewer essays it touches.
STEPS_PER_DOUBLING = 4
RECENCY_WEIGHT = 0.1  # how much closeness in time adds to the score of essays sharing anything


def body_terms(body_md: str) -> tuple[bytes, bytes]:
    """The body's content words as (hashed columns, counts), packed as machine arrays: computed
    once per essay and cached with it, so scoring 1,000 essays needs no Python loop over words."""
    words = Counter(w for w in _WORD.findall(body_md.lower()) if w not in _STOP)
    ordered = sorted(words.items())
    columns = array("i", (zlib.crc32(w.encode("utf-8")) % TERM_BUCKETS for w, _ in ordered))
    counts = array("f", (c for _, c in ordered))
    return columns.tobytes(), counts.tobytes()


def tag_matrix(docs: list[tuple[str, ...]], dense: bool):
    """(rows weighted by each tag's idf and scaled so an essay sharing every tag scores 1,
    each row's length before that scaling, 1 for none)."""
    import numpy as np
    names = sorted({t for doc in docs for t in doc})  # sorted: columns keep their order
    n = len(docs)
    if not names:
        return _zeros((n, 1), dense), np.ones(n)
    column = {name: i for i, name in enumerate(names)}
    rows = np.repeat(np.arange(n), [len(doc) for doc in docs])
    cols = np.array([column[t] for doc in docs for t in doc], dtype=np.int64)
    # A tag given twice counts twice, as before.
    matrix = _summed(rows, cols, np.ones(len(cols)), (n, len(names)), dense)
    return _normalised(matrix, n)


def text_matrix(packed: list[tuple[bytes, bytes]], dense: bool):
    """(rows of log-scaled, idf-weighted word counts scaled to length 1, each row's length
    before that scaling, 1 for none)."""
    import numpy as np
    buckets = np.frombuffer(b"".join(c for c, _ in packed), dtype=np.int32)
    counts = np.frombuffer(b"".join(n for _, n in packed), dtype=np.float32)
    rows = np.repeat(np.arange(len(packed)), [len(c) // 4 for c, _ in packed])
    # Only the buckets some essay uses become columns: a million empty ones cost every
    # operation after this a pass over them.
    used, cols = np.unique(buckets, return_inverse=True)
    # Two words in one bucket count as one term.
    matrix = _summed(rows, cols, counts.astype(np.float64), (len(packed), max(1, len(used))),
                     dense)
    if dense:
        present = matrix > 0
        matrix[present] = 1 + np.log(matrix[present])
    else:
        matrix.data = 1 + np.log(matrix.data)
    return _normalised(matrix, len(packed))


def word_columns(packed: list[tuple[bytes, bytes]]) -> dict:
    """rescoring.indexed's words, with numpy: word bucket → (essays using it, each one's
    1 + log of its count there), the essays in order (a seventh of the time in plain Python)."""
    import numpy as np
    buckets = np.frombuffer(b"".join(c for c, _ in packed), dtype=np.int32)
    if not len(buckets):
        return {}
    counts = np.frombuffer(b"".join(n for _, n in packed), dtype=np.float32)
    rows = np.repeat(np.arange(len(packed), dtype=np.int32), [len(c) // 4 for c, _ in packed])
    order = np.lexsort((rows, buckets))
    buckets, rows, counts = buckets[order], rows[order], counts[order].astype(np.float64)
    # Two words of an essay in one bucket count as one term.
    starts = np.flatnonzero(np.r_[True, (buckets[1:] != buckets[:-1]) | (rows[1:] != rows[:-1])])
    weights = 1 + np.log(np.add.reduceat(counts, starts))
    buckets, rows = buckets[starts], rows[starts]
    edges = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1], True]).tolist()
    return {bucket: (array("i", rows[a:b].tobytes()), array("d", weights[a:b].tobytes()))
            for bucket, a, b in zip(buckets[edges[:-1]].tolist(), edges[:-1], edges[1:],
                                    strict=False)}


def matrix_width(n: int, tag_docs: list, term_docs: list) -> int:
    """How many columns tag_matrix and text_matrix give together, before building either."""
    import numpy as np
    tags = len({t for doc in tag_docs for t in doc}) or 1
    # Distinct buckets counted on a sorted copy: np.unique imports numpy.ma (10 ms) to rule
    # out a masked array, and its hash table took 0.1 s on 300,000 buckets, the sort 2 ms.
    buckets = np.sort(np.frombuffer(b"".join(c for c, _ in term_docs), dtype=np.int32))
    words = int(np.count_nonzero(buckets[1:] != buckets[:-1])) + (len(buckets) > 0)
    return tags + max(1, words)


def _zeros(shape: tuple, dense: bool):
    import numpy as np
    if dense:
        return np.zeros(shape, dtype=np.float64)
    from scipy import sparse
    return sparse.csr_matrix(shape, dtype=np.float64)


def _summed(rows, cols, values, shape: tuple, dense: bool):
    import numpy as np
    if dense:
        matrix = np.zeros(shape, dtype=np.float64)
        np.add.at(matrix, (rows, cols), values)
        return matrix
    from scipy import sparse
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=shape)
    matrix.sum_duplicates()
    return matrix


def _normalised(matrix, n: int):
    """(the matrix weighted by idf with each row scaled to length 1, each row's length before
    the scaling, 1 for none)."""
    import numpy as np
    if isinstance(matrix, np.ndarray):
        steps = _steps(np.count_nonzero(matrix, axis=0))
        matrix *= _idf(steps, n)[None, :]
        norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
        norms[norms == 0] = 1
        matrix *= (1 / norms)[:, None]
        return matrix, norms
    from scipy import sparse
    steps = _steps(np.bincount(matrix.indices, minlength=matrix.shape[1]))
    matrix = matrix.multiply(_idf(steps, n)[None, :]).tocsr()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return (sparse.diags(1 / norms) @ matrix).tocsr(), norms


def _idf(steps, n: int):
    import numpy as np
    return np.log((1 + n) / (1 + np.exp2(steps / STEPS_PER_DOUBLING))) + 1


def _steps(df):
    import numpy as np
    return np.floor(np.log2(np.maximum(df, 1)) * STEPS_PER_DOUBLING).astype(np.int64)


def step(df: int) -> int:
    """_steps for one count, in plain Python."""
    return math.floor(math.log2(max(df, 1)) * STEPS_PER_DOUBLING)


def idf(df: int, n: int) -> float:
    """_idf of one count's step, in plain Python."""
    return math.log((1 + n) / (1 + 2 ** (step(df) / STEPS_PER_DOUBLING))) + 1
