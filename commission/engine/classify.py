"""Label ledger rows by range (bucket by days past due, band by balance), vectorized."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ProblemCollector
from ..policy import Classifier

def classify(values: np.ndarray, classifier: Classifier) -> np.ndarray:
    """Index of the range each value falls in (int16), or -1 when it falls in none.

    Ranges tile the line without gaps (validated), so a value's index is the number of lower
    ends it reaches, minus one; only values past the last upper end fall outside.
    """
    codes = np.full(len(values), -1, dtype=np.int16)
    for interval in classifier.intervals:
        codes += values >= interval.low
    last = classifier.intervals[-1].high
    if last is not None:
        codes[values >= last] = -1
    return codes


def classify_frame(frame: pd.DataFrame, classifiers, problems: ProblemCollector,
                   skip: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Codes for every classifier; rows outside every range are reported with file and row, except
    rows in `skip` (reversals, rated at their original's terms), which keep code -1 until needed."""
    codes = {}
    for classifier in classifiers:
        values = frame[classifier.field].to_numpy()
        result = classify(values, classifier)
        unclassified = result < 0 if skip is None else (result < 0) & ~skip
        for index in np.flatnonzero(unclassified)[: problems.limit]:
            ranges = ", ".join(f"{label} {i.text}" for label, i in zip(classifier.labels, classifier.intervals))
            problems.add(f"{frame['source'].iat[index]}:row {frame['row'].iat[index]}", classifier.field,
                         f"{_show(frame, classifier.field, index)} falls in no {classifier.name} ({ranges})")
        codes[classifier.name] = result
    return codes


def labels(codes: np.ndarray, classifier: Classifier) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int16), categories=list(classifier.labels))


def _show(frame: pd.DataFrame, field: str, index: int) -> str:
    value = frame[field].iat[index]
    return f"{field} {value}"
