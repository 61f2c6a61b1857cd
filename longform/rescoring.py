"""An edit's related-essay rescoring in plain Python, without numpy: an index of who uses each
tag and word, kept in Scores, is updated for the edited essays, and only the rows the edit can
move are scored again, each against the essays sharing a column with it.

Its scores equal numpy's up to rounding in the last bits; a ranking key rounds the score to 6
decimals, so the keys are equal unless a score lies within that rounding error of a half step.
Then, or when the edit moves too many rows for Python to be quick, it gives way to numpy.
"""

from __future__ import annotations

import heapq
import math
from array import array
from dataclasses import dataclass

from .relatedness import RECENCY_WEIGHT, idf, step

MAX_CHANGED = 24  # rows reweighed by an edit: past that, numpy is quicker
MAX_VISITS = 1_500_000  # postings read by one rescoring (~0.1 s): the same
# How far our score and numpy's may differ, per term summed (in the dot product and the norms):
# each is within 2^-53 of the highest score (2.1), 2.3e-16, a term of the exact one; twice that
# with room to spare.
ERROR_PER_TERM = 1e-15


class GiveWay(Exception):
    """Raised when numpy must score this edit (too wide, or a key too close to call)."""


@dataclass
class Index:
    """Per column (a tag, or a word's bucket) the essays using it with their weight before idf;
    and, per essay, its two norms (tags, words), recency growth and tie-break (see _Model)."""

    columns: dict  # column → (array('i') essay indices, array('d') weights), in no order
    tag_norms: array  # per essay (doubles): length of its idf-weighted tags, 1 for none
    word_norms: array  # the same for its words
    growth: array
    tiebreak: array


def essay_columns(inputs: tuple) -> dict:
    """The essay's weight in each of its columns before idf: a tag's count, 1 + log of a word
    bucket's count (two words in one bucket count as one term, as in text_matrix)."""
    columns = dict.fromkeys(inputs[3], 0.0)
    for tag in inputs[3]:
        columns[tag] += 1.0
    buckets, counts = array("i"), array("f")
    buckets.frombytes(inputs[4][0])
    counts.frombytes(inputs[4][1])
    words: dict = {}
    for bucket, count in zip(buckets, counts, strict=True):
        words[bucket] = words.get(bucket, 0.0) + count
    columns.update((bucket, 1 + math.log(count)) for bucket, count in words.items())
    return columns


def indexed(inputs: list, words: dict) -> dict:
    """Columns → (essays, weights) for every essay, given its words' (relatedness.word_columns:
    the same as essay_columns makes, a seventh of the time)."""
    columns = dict(words)
    for i, essay in enumerate(inputs):
        for tag in set(essay[3]):
            users = columns.setdefault(tag, (array("i"), array("d")))
            users[0].append(i)
            users[1].append(float(essay[3].count(tag)))
    return columns


def edited_columns(columns: dict, old: list, new: list, edited: list) -> tuple[dict, set]:
    """(a copy of columns with the edited essays' entries replaced, the columns whose step of
    essay count moved); old's essays are new's, in the same order."""
    columns = dict(columns)
    moved = set()
    for i in edited:
        before, after = essay_columns(old[i]), essay_columns(new[i])
        for column in before.keys() | after.keys():
            essays, weights = columns.get(column, (array("i"), array("d")))
            essays, weights = array("i", essays), array("d", weights)
            if column in before:
                at = essays.index(i)
                del essays[at], weights[at]
            if column in after:
                essays.append(i)
                weights.append(after[column])
            count_before = len(essays) + (column in before) - (column in after)
            if step(len(essays)) != step(count_before):
                moved.add(column)
            if essays:
                columns[column] = (essays, weights)
            else:
                del columns[column]
    return columns, moved


def rescored(previous, inputs: list, edited: list, columns: dict, moved: set):
    """(Index, {row: (top, keys)} for every row whose list changed) after an edit that kept the
    essays, dates and pinned lists; raises GiveWay when numpy should do it."""
    n, keep = previous.shape
    changed = set(edited).union(*(columns[c][0] for c in moved if c in columns))
    if keep <= 0 or len(changed) > MAX_CHANGED:
        raise GiveWay
    idf = _Idf(columns, n)
    index = Index(columns, array("d", previous.index.tag_norms),
                  array("d", previous.index.word_norms), previous.index.growth,
                  previous.index.tiebreak)
    for row in changed:
        index.tag_norms[row], index.word_norms[row] = _norms(essay_columns(inputs[row]), idf)
    scorer = _Scorer(index, inputs, idf, n)
    lists = {row: scorer.ranked(row, keep, changed=True) for row in sorted(changed)}
    top, keys = array("q", previous.top), array("d", previous.keys)
    for row in sorted(_touched(top, keys, keep, scorer.against) - changed):
        old = (top[row * keep:(row + 1) * keep], keys[row * keep:(row + 1) * keep])
        lists[row] = scorer.merged(row, old, changed, keep)
    return index, lists


def _touched(top: array, keys: array, keep: int, against: dict) -> set:
    """Rows that held one of the changed rows, or that one may now enter: each key it has
    for them above the last it kept (or any key, if it kept fewer than it could)."""
    rows, last = set(), keys[keep - 1::keep]
    for changed, theirs in against.items():
        at = _found(top, changed, 0)
        while at >= 0:
            if keys[at] > 0:
                rows.add(at // keep)
            at = _found(top, changed, at + 1)
        rows.update(j for j, key in theirs.items() if key > last[j])
    return rows


def _found(values: array, value: int, start: int) -> int:
    """values.index(value, start), or -1 if it is not there."""
    try:
        return values.index(value, start)
    except ValueError:
        return -1


class _Idf:
    """Each column's idf, computed when first asked (relatedness._idf for one column)."""

    def __init__(self, columns: dict, n: int):
        self.columns, self.n, self.known = columns, n, {}

    def __getitem__(self, column) -> float:
        value = self.known.get(column)
        if value is None:
            value = self.known[column] = idf(len(self.columns[column][0]), self.n)
        return value


def _norms(weights: dict, idf: _Idf) -> tuple[float, float]:
    tags = math.sqrt(sum((w * idf[c]) ** 2 for c, w in weights.items() if isinstance(c, str)))
    words = math.sqrt(sum((w * idf[c]) ** 2 for c, w in weights.items() if isinstance(c, int)))
    return tags or 1.0, words or 1.0


class _Scorer:
    """Rows' ranking keys against every essay, in Python (related._Model.keys, row by row)."""

    def __init__(self, index: Index, inputs: list, idf: _Idf, n: int):
        self.index, self.inputs, self.idf, self.n = index, inputs, idf, n
        self.visits = 0
        self.against: dict = {}  # changed row → {essay: its key for that row}
        longest = max(len(i[3]) + len(i[4][0]) // 4 for i in inputs)
        # A key rounds score × 10^6: within this of a whole step, both sums round alike (a
        # dot product sums up to `longest` terms, a norm as many; scores reach 2.1).
        self.within = 0.5 - (2 * longest + 16) * ERROR_PER_TERM * 1e6

    def dots(self, row: int) -> dict:
        """essay → dot product of its features and row's (essays sharing no column left out)."""
        tags, words = [0.0] * self.n, [0.0] * self.n
        for column, weight in essay_columns(self.inputs[row]).items():
            essays, theirs = self.index.columns[column]
            self.visits += len(essays)
            if self.visits > MAX_VISITS:
                raise GiveWay
            sums = tags if isinstance(column, str) else words
            a = weight * self.idf[column] ** 2
            for j, w in zip(essays, theirs):  # noqa: B905 (equal lengths; strict costs 20%)
                sums[j] += a * w
        tag_norm, word_norm = self.index.tag_norms[row], self.index.word_norms[row]
        dots = {j: t / (tag_norm * tn) + w / (word_norm * wn) for j, (t, w, tn, wn) in
                enumerate(zip(tags, words, self.index.tag_norms, self.index.word_norms,
                              strict=True))
                if t or w}
        dots.pop(row, None)
        return dots

    def ranked(self, row: int, keep: int, changed: bool = False) -> tuple[list, list]:
        """row's best `keep` (top, keys), padded with 0; for a changed row, also notes each
        essay's key for it."""
        growth, tiebreak, width = self.index.growth, self.index.tiebreak, self.n + 1
        mine, keys, theirs = growth[row], [], {}
        for j, score in self.dots(row).items():
            keys.append((self.steps(score, mine / growth[j]) * width + int(tiebreak[j]), j))
            if changed:  # the same score, but the ratio of growths as numpy has it for row j
                theirs[j] = self.steps(score, growth[j] / mine) * width + int(tiebreak[row])
        if changed:
            self.against[row] = theirs
        return _padded(heapq.nlargest(keep, keys), keep)

    def steps(self, score: float, ratio: float) -> int:
        """The whole steps of a ranking key (related._Model.keys) for a dot product and a ratio
        of recency growths."""
        recency = (ratio if ratio <= 1 else 1 / ratio) * RECENCY_WEIGHT  # min(ratio, 1 / ratio)
        steps = (score + recency) * 1e6
        rounded = round(steps)
        if abs(steps - rounded) >= self.within:
            raise GiveWay  # a half step away: numpy's sum might round the other way
        return rounded

    def merged(self, row: int, old: tuple, changed: set, keep: int) -> tuple:
        """row's new list, a changed row having entered or left it: from its old list where
        that is provably enough, else scored again."""
        top, keys = old
        entering = [(against[row], c) for c, against in self.against.items() if row in against]
        kept = [(k, j) for j, k in zip(top, keys, strict=True) if k > 0 and j not in changed]
        merged = sorted(kept + entering, reverse=True)[:keep]
        # Essays past the old list scored below its last key (when it was full): the merge is
        # complete unless the list now ends below that.
        if keys[-1] > 0 and (len(merged) < keep or merged[-1][0] < keys[-1]):
            return self.ranked(row, keep)
        return _padded(merged, keep)


def _padded(ranked: list, keep: int) -> tuple[list, list]:
    top = [j for _, j in ranked] + [0] * (keep - len(ranked))
    return top, [float(k) for k, _ in ranked] + [0.0] * (keep - len(ranked))
