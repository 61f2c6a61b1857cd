"""Related-essay scoring: shared tags weighted by rarity, body text similarity, and recency.

A scoring is kept (Scores) so that the next one, after an edit, scores again only the rows the
edit can move: the edited essays, the essays whose words or tags changed weight because an
edit changed how many essays use them, and the essays whose best list held or may now take
one of those. Every other row's list provably stays, so the result equals a fresh scoring.
An edit that keeps the essays, their dates and pinned lists is rescored in plain Python
(rescoring.py, no numpy import) when it moves few rows; numpy scores the rest.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from .content import Essay
from .relatedness import (
    RECENCY_WEIGHT,
    body_terms,
    matrix_width,
    tag_matrix,
    text_matrix,
    word_columns,
)
from .rescoring import GiveWay, Index, edited_columns, indexed, rescored

MAX_RELATED = 3
DENSE_CELLS = 6_000_000  # 48 MB of float64: past that, essays × words stay sparse (scipy),
# which keeps a 5,000-essay site within its memory budget (issue 15: 450 MB at the peak)


@dataclass
class Scores:
    """One scoring of a site: its inputs, result and each essay's ranked candidates."""

    inputs: list  # per essay, in order: what its scores read (see _inputs)
    related: dict  # slug → up to MAX_RELATED related slugs
    shape: tuple = (0, 0)  # (essays, candidates kept per essay)
    top: bytes = b""  # int64 n × keep: best other essays, best first (any index where key is 0)
    keys: bytes = b""  # float64 n × keep: their exact ranking keys, 0 for none
    index: Index | None = None  # who uses each tag and word, for an edit's rescoring
    rescored: int = 0  # rows scored by this run (n when from scratch)
    by_key: dict = field(default_factory=dict)  # essay content key → its inputs, for the next


def related_slugs(essays: list[Essay]) -> dict[str, tuple[str, ...]]:
    """Up to three related essays per essay: its `related:` list first, then the best scores."""
    return scores(essays).related


def scores(essays: list[Essay], previous: Scores | None = None) -> Scores:
    """The scoring of essays (in this order); with `previous`, a scoring of the same site
    before some edit, only the rows the edit can move are scored again."""
    known = previous.by_key if previous is not None else {}
    inputs = [(known.get(e.key) if e.key else None) or _inputs(e) for e in essays]
    if previous is not None and previous.inputs == inputs:
        return previous
    if not essays:
        return Scores(inputs, {})
    edit = _edit(previous, inputs)
    if edit is not None:
        try:
            index, lists = rescored(previous, inputs, *edit)
        except GiveWay:
            pass
        else:
            return _updated(previous, essays, inputs, index, lists)
    return _scored_with_numpy(essays, inputs, previous, edit)


def _edit(previous: Scores | None, inputs: list):
    """(edited rows, the index with their columns replaced, the columns whose weight moved), or
    None when essays, dates or pinned lists moved (then every key may change)."""
    if previous is None or previous.index is None or len(previous.inputs) != len(inputs):
        return None
    edited = [i for i, (a, b) in enumerate(zip(previous.inputs, inputs, strict=True)) if a != b]
    if any(previous.inputs[i][:3] != inputs[i][:3] for i in edited):
        return None
    return (edited, *edited_columns(previous.index.columns, previous.inputs, inputs, edited))


def _updated(previous: Scores, essays: list, inputs: list, index: Index, lists: dict) -> Scores:
    """previous with the rows of lists replaced (rescoring.rescored's result)."""
    n, keep = previous.shape
    top, keys = array("q", previous.top), array("d", previous.keys)
    for row, (best, ranked) in lists.items():
        top[row * keep:(row + 1) * keep], keys[row * keep:(row + 1) * keep] = (
            array("q", best), array("d", ranked))
    rows = sorted(lists)
    related = dict(previous.related)
    related.update(_chosen([essays[i] for i in rows], essays, [lists[i][0] for i in rows],
                           [sum(k > 0 for k in lists[i][1]) for i in rows]))
    return Scores(inputs, related, (n, keep), top.tobytes(), keys.tobytes(), index, len(rows),
                  _by_key(essays, inputs))


def _scored_with_numpy(essays: list, inputs: list, previous: Scores | None, edit) -> Scores:
    import numpy as np  # ~0.1 s to import (scipy more): only when scores are needed
    model = _Model(inputs)
    redo = _rows_to_redo(previous, inputs, model, edit) if edit is not None else None
    if redo is None:
        redo = np.arange(len(inputs))
        top = np.zeros((len(inputs), model.keep), dtype=np.int64)
        keys = np.zeros((len(inputs), model.keep), dtype=np.float64)
        related = {}
    else:
        top, keys = _unpacked(previous)
        related = dict(previous.related)  # same essays, same pinned lists: only redo moves
    top[redo], keys[redo] = model.ranked(redo)
    best, scored = top[redo].tolist(), (keys[redo] > 0).sum(axis=1).tolist()
    related.update(_chosen([essays[i] for i in redo], essays, best, scored))
    columns = edit[1] if edit is not None else indexed(inputs, word_columns([i[4] for i in inputs]))
    numbers = (*model.norms, model.growth, model.tiebreak)
    index = Index(columns, *(array("d", values) for values in numbers))
    return Scores(inputs, related, top.shape, top.tobytes(), keys.tobytes(), index, len(redo),
                  _by_key(essays, inputs))


def _inputs(essay: Essay) -> tuple:
    return (essay.slug, essay.date.toordinal(), tuple(essay.related_slugs),
            tuple([t.lower() for t in essay.tags]), essay.terms or body_terms(essay.body_md))


def _by_key(essays: list, inputs: list) -> dict:
    return {e.key: i for e, i in zip(essays, inputs, strict=True) if e.key}


def _chosen(rows: list[Essay], essays: list[Essay], top: list, scored: list
            ) -> dict[str, tuple[str, ...]]:
    """Related slugs for rows, given their best candidates and how many of those scored."""
    known = {e.slug for e in essays}
    result = {}
    for essay, best, count in zip(rows, top, scored, strict=True):
        chosen = [s for s in essay.related_slugs if s in known and s != essay.slug]
        chosen += [essays[j].slug for j in best[:count] if essays[j].slug not in chosen]
        result[essay.slug] = tuple(chosen[:MAX_RELATED])
    return result


def _unpacked(scored: Scores):
    import numpy as np
    top = np.frombuffer(scored.top, dtype=np.int64).reshape(scored.shape).copy()
    keys = np.frombuffer(scored.keys, dtype=np.float64).reshape(scored.shape).copy()
    return top, keys


class _Model:
    """Everything scoring needs: features per essay (tag and word weights), recency, tie-breaks.
    Scores are float64 so that a row scored alone equals the same row scored with others."""

    def __init__(self, inputs: list):
        import numpy as np
        self.n = n = len(inputs)
        tag_docs, term_docs = [i[3] for i in inputs], [i[4] for i in inputs]
        # A small vocabulary: dense arrays, BLAS products and no scipy at all.
        dense = n * matrix_width(n, tag_docs, term_docs) <= DENSE_CELLS
        tags, tag_norms = tag_matrix(tag_docs, dense)
        words, word_norms = text_matrix(term_docs, dense)
        self.norms = (tag_norms, word_norms)  # for rescoring.Index
        if dense:
            self.features = np.hstack([tags, words])
            self.transposed = self.features.T
        else:
            from scipy import sparse
            self.features = sparse.hstack([tags, words], format="csr", dtype=np.float64)
            self.transposed = self.features.T.tocsc()
        days = np.array([i[1] for i in inputs], dtype=np.float64)
        # exp(-|a-b|/365) = min(g_a/g_b, g_b/g_a) with g = exp(day/365): no exp per pair.
        # Clipped so that absurd dates (year 9999) cannot overflow: beyond 300 years the
        # recency term is zero to any precision anyway.
        self.growth = np.exp(np.clip((days - _median(days)) / 365.0, -300, 300))
        order = sorted(range(n), key=lambda j: (-inputs[j][1], inputs[j][0]))
        self.tiebreak = np.empty(n, dtype=np.float64)
        self.tiebreak[order] = np.arange(n, 0, -1)  # newest-then-first-slug gets the largest
        self.keep = min(MAX_RELATED + max(len(i[2]) for i in inputs), n - 1)

    def scores(self, rows):
        """Scores of rows against every essay (0 against itself): |rows| × n."""
        import numpy as np
        block = self.features[rows] @ self.transposed
        block = np.asarray(block if isinstance(block, np.ndarray) else block.toarray(),
                           dtype=np.float64)
        recency = self.growth[rows, None] / self.growth[None, :]
        np.minimum(recency, np.reciprocal(recency), out=recency)
        recency *= RECENCY_WEIGHT
        recency *= block > 0  # recency only separates essays that already share something
        block += recency
        block[np.arange(len(rows)), rows] = 0
        return block

    def keys(self, block, columns):
        """One exact ranking key per score: the score rounded to 6 decimals (so float noise
        cannot reorder ties), then the tie-break (newer, then slug) in the low digits; 0 where
        the essays share nothing."""
        import numpy as np
        composite = np.rint(block * 1e6)
        composite *= self.n + 1
        composite += self.tiebreak[columns]
        composite *= block > 0
        return composite

    def ranked(self, rows, chunk: int = 256):
        """(top, keys) for rows: each row's `keep` best others, best first, a chunk of rows at a
        time so 5,000 essays never need an n×n array."""
        import numpy as np
        top = np.zeros((len(rows), self.keep), dtype=np.int64)
        keys = np.zeros((len(rows), self.keep), dtype=np.float64)
        if self.keep <= 0:
            return top, keys
        everyone = np.arange(self.n)
        for start in range(0, len(rows), chunk):
            composite = self.keys(self.scores(rows[start:start + chunk]), everyone[None, :])
            best = np.argpartition(-composite, self.keep - 1, axis=1)[:, :self.keep]
            values = np.take_along_axis(composite, best, axis=1)
            ranking = np.argsort(-values, axis=1, kind="stable")  # keys are distinct
            top[start:start + chunk] = np.take_along_axis(best, ranking, axis=1)
            keys[start:start + chunk] = np.take_along_axis(values, ranking, axis=1)
        return top, keys


def _median(values):
    # np.median's value, without the import of numpy.ma (0.05 s) that np.median brings.
    import numpy as np
    ordered, middle = np.sort(values), len(values) // 2
    return ordered[middle] if len(values) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


# Keys within this many rounding steps of a row's last kept key send the row to be scored
# again: a score computed from the other side of the pair may differ in its last bit.
MARGIN_STEPS = 2


def _rows_to_redo(previous: Scores, inputs: list, model: _Model, edit: tuple):
    """Indices of the rows this scoring must redo after previous (an edit of the rows
    edit[0], see _edit), or None for all of them."""
    import numpy as np
    n = len(inputs)
    if previous.shape != (n, model.keep):
        return None
    edited, columns, moved = edit
    # A tag or word whose essay count moved a step reweighs every essay using it.
    changed = set(edited).union(*(columns[c][0] for c in moved if c in columns))
    if len(changed) > n // 4:
        return None
    changed = np.array(sorted(changed))
    top, keys = _unpacked(previous)
    # Another row's list can change only where it meets a changed row: if it held one, or if
    # one now scores near or above the last key it kept (any positive key, if it kept fewer).
    against = model.keys(model.scores(changed).T, changed[None, :])
    full = keys[:, -1] > 0 if model.keep else np.zeros(n, dtype=bool)
    threshold = np.where(full, keys[:, -1] - MARGIN_STEPS * (n + 1), 0)
    enters = ((against > 0) & (against > threshold[:, None])).any(axis=1)
    held = np.isin(top, changed) & (keys > 0)
    redo = np.union1d(changed, np.flatnonzero(enters | held.any(axis=1)))
    return None if len(redo) > n // 4 else redo
