"""Opinion groups from agree / disagree marks, as Pol.is finds them. Imports nothing from Flask.

Marks make a sparse matrix, one row a person, one column a statement: agree +1,
disagree -1, pass 0 (pass counts as "seen" but pulls nowhere, as in Pol.is; a statement a
person was never shown is also 0). People with fewer than `min_marks` marks are left out
of the grouping but counted. The rest are reduced to two dimensions with PCA, scaled up
by sqrt(statements / statements they marked) so that people who marked few are not all
pulled into the middle (Pol.is does the same), and grouped with k-means for k = 2..5,
keeping the k with the best silhouette.

The answer does not depend on the order the marks arrive in, nor on the names people have:
statements are put in order of their id; people are put in order of where they land on the
plane (rounded), the plane's axes turned a fixed way; k-means and the silhouette's sample
have a fixed random_state. So a shuffle of people or statements finds the same groups.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

# scikit-learn and SciPy are imported where the grouping runs, not when the site starts:
# a web worker that never groups does not carry their objects, which every full garbage
# collection walks (130 ms with them, a pause every request in the worker waits through).
if TYPE_CHECKING:
    from scipy import sparse

AGREE, PASS, DISAGREE = 1, 0, -1
MIN_MARKS = 7  # Pol.is leaves out people with fewer than 7 votes
KS = range(2, 6)
SEED = 0
SILHOUETTE_SAMPLE = 3000  # the silhouette of 10,000 people would need 10^8 distances


@dataclass(frozen=True)
class StatementTally:
    """Marks on one statement by one group (or by everyone)."""

    agree: int = 0
    disagree: int = 0
    passed: int = 0

    @property
    def seen(self) -> int:
        return self.agree + self.disagree + self.passed

    @property
    def p_agree(self) -> float:
        """Share agreeing, pulled towards a half when few have seen it (Laplace, as Pol.is)."""
        return (self.agree + 1) / (self.seen + 2)

    @property
    def p_disagree(self) -> float:
        return (self.disagree + 1) / (self.seen + 2)


@dataclass
class Grouping:
    """Who is in which group, and how each group marked each statement."""

    groups: list[list[Hashable]]  # people in each group, largest group first
    left_out: list[Hashable]  # marked too few statements to be grouped
    statements: list[Hashable]
    tallies: list[dict[Hashable, StatementTally]] = field(default_factory=list)
    everyone: dict[Hashable, StatementTally] = field(default_factory=dict)

    def group_of(self) -> dict[Hashable, int]:
        return {person: g for g, people in enumerate(self.groups) for person in people}


def _tally(rows: sparse.csr_matrix) -> list[StatementTally]:
    agree = np.asarray((rows == AGREE).sum(axis=0)).ravel()
    disagree = np.asarray((rows == DISAGREE).sum(axis=0)).ravel()
    return [StatementTally(int(a), int(d)) for a, d in zip(agree, disagree, strict=True)]


def group(
    marks: Iterable[tuple[Hashable, Hashable, int]],
    *,
    min_marks: int = MIN_MARKS,
    ks: Iterable[int] = KS,
) -> Grouping:
    """Group people by their marks: (person, statement, +1 / 0 / -1) triples, one per pair.

    A later mark on the same pair replaces an earlier one.
    """
    from scipy import sparse

    latest: dict[tuple[Hashable, Hashable], int] = {}
    for person, statement, value in marks:
        if value not in (AGREE, PASS, DISAGREE):
            raise ValueError(f"a mark is +1, 0 or -1, not {value!r}")
        latest[(person, statement)] = value
    statements = sorted({s for _p, s in latest}, key=_order_key)
    people = sorted({p for p, _s in latest}, key=_order_key)
    column = {s: j for j, s in enumerate(statements)}
    row = {p: i for i, p in enumerate(people)}
    # Passes are kept as explicit entries so that "seen" can be counted from the matrix.
    ii = np.fromiter((row[p] for p, _s in latest), dtype=np.int64, count=len(latest))
    jj = np.fromiter((column[s] for _p, s in latest), dtype=np.int64, count=len(latest))
    vv = np.fromiter(latest.values(), dtype=np.float64, count=len(latest))
    shape = (len(people), len(statements))
    values = sparse.csr_matrix((vv, (ii, jj)), shape=shape)
    seen = sparse.csr_matrix((np.ones_like(vv), (ii, jj)), shape=shape)
    marked = np.asarray(seen.sum(axis=1)).ravel()
    keep = np.flatnonzero(marked >= min_marks)
    left_out = [people[i] for i in np.flatnonzero(marked < min_marks)]

    # One thread: a web worker grouping a conversation must not take every core from the
    # requests beside it (k-means and the silhouette would otherwise use them all).
    with threadpool_limits(limits=1):
        labels = _labels(values[keep], marked[keep], len(statements), list(ks))
    grouped = [people[i] for i in keep]
    found = sorted(
        ([grouped[i] for i in np.flatnonzero(labels == g)] for g in np.unique(labels)),
        key=lambda members: (-len(members), min(map(_order_key, members))),
    )
    result = Grouping(groups=found, left_out=left_out, statements=statements)
    passes = _tally_passes(seen, values)
    for members in found:
        rows = [row[p] for p in members]
        result.tallies.append(_with_passes(statements, _tally(values[rows]), passes[rows]))
    result.everyone = _with_passes(statements, _tally(values), passes)
    return result


def _tally_passes(seen: sparse.csr_matrix, values: sparse.csr_matrix) -> sparse.csr_matrix:
    """1 where a person passed (saw, and marked neither way)."""
    return (seen - abs(values)).tocsr()


def _with_passes(
    statements: list, tallies: list[StatementTally], passes: sparse.csr_matrix
) -> dict[Hashable, StatementTally]:
    passed = np.asarray(passes.sum(axis=0)).ravel()
    return {
        s: StatementTally(t.agree, t.disagree, int(p))
        for s, t, p in zip(statements, tallies, passed, strict=True)
    }


def _order_key(value: Hashable) -> tuple:
    # Ids are ints (or strings): order ints by value, then anything else by its text.
    return (0, value, "") if isinstance(value, int) else (1, 0, str(value))


def project(values: sparse.csr_matrix, marked: np.ndarray, n_statements: int) -> np.ndarray:
    """Each person's place on the plane: PCA to two dimensions, scaled as Pol.is scales."""
    from scipy.sparse.linalg import ArpackError
    from sklearn.decomposition import PCA

    n_people = values.shape[0]
    if n_people < 2 or n_statements < 2:
        return np.zeros((n_people, 2))
    n_components = min(2, n_statements - 1, n_people - 1)
    # arpack works on the sparse matrix as it is (centring without making it dense).
    pca = PCA(n_components=n_components, svd_solver="arpack", random_state=SEED)
    try:
        points = pca.fit_transform(values)
    except ArpackError:
        # Everyone marked every statement alike (nothing varies): there is no plane to
        # find, and everyone stands in one place, as one group.
        return np.zeros((n_people, 2))
    if points.shape[1] < 2:
        points = np.hstack([points, np.zeros((n_people, 2 - points.shape[1]))])
    points *= np.sqrt(n_statements / np.maximum(marked, 1))[:, None]
    # The axes' signs are arbitrary: turn each so that its heavier tail is positive.
    for axis in range(2):
        if np.sum(points[:, axis] ** 3) < 0:
            points[:, axis] *= -1
    return points


def _labels(
    values: sparse.csr_matrix, marked: np.ndarray, n_statements: int, ks: list[int]
) -> np.ndarray:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = values.shape[0]
    if n == 0:
        return np.zeros(0, dtype=int)
    points = project(values, marked, n_statements)
    # A canonical order of people, from where they are (not from who they are).
    rounded = np.round(points, 6)
    order = np.lexsort((rounded[:, 1], rounded[:, 0]))
    ordered = points[order]
    distinct = len(np.unique(rounded, axis=0))
    best: tuple[float, np.ndarray] | None = None
    for k in ks:
        if not 2 <= k < min(n, distinct + 1):
            continue
        found = KMeans(n_clusters=k, n_init=4, random_state=SEED).fit_predict(ordered)
        if len(np.unique(found)) < 2:
            continue
        score = silhouette_score(
            ordered, found, sample_size=min(n, SILHOUETTE_SAMPLE), random_state=SEED
        )
        if best is None or score > best[0] + 1e-9:
            best = (score, found)
    labels = np.zeros(n, dtype=int)
    if best is not None:
        labels[order] = best[1]
    return labels
