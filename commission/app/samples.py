"""Synthetic data sets for demos and tests (no real people): a new one, or the next months of one."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from ..errors import InputError, Problem, option
from ..periods import Period, PeriodError
from ..sample.files import read_sample, write_sample
from ..sample.generator import SampleData, continue_sample, generate, months_held, next_month

COLLECTORS = 40
MONTHS = 3
FIRST_MONTH = "2026-07"
#: A continuation adds one month unless told otherwise: the month after, as payroll needs it.
MONTHS_CONTINUED = 1


def make_sample(collectors: Optional[int], months: Optional[int], seed: int, first_month: Optional[str],
                out_dir: Path, continue_from: Sequence[Path] = ()) -> tuple[SampleData, Path]:
    """Generate a data set and write it into `out_dir`: a new one (`collectors`, `months` from
    `first_month`), or, with `continue_from` (the data set's folder, then those of months continued
    from it, in order), its next `months` months for the same roster, without a roster file.

    A continuation starts with the month after the last one the data set holds; `first_month`, if
    given, must be that month (an earlier one would hold some months twice, a later one leave a gap),
    and the data set's folders are never written to."""
    if not continue_from:
        month = _month(first_month or FIRST_MONTH)
        data = generate(collectors=collectors or COLLECTORS, months=months or MONTHS, seed=seed, first_month=month)
        return data, write_sample(data, out_dir)
    if collectors is not None:
        raise InputError([Problem("", "", f"does not go with {option('continue')}: a continued data set keeps the "
                                  "collectors of its roster", role="collectors")])
    out = Path(out_dir)
    for folder in continue_from:
        if _same(folder, out):
            raise InputError([Problem(str(out), "", f"is a folder of the data set being continued "
                                      f"({option('continue')}); write the new months to a folder of their own, such "
                                      f"as {Path(continue_from[0]) / 'YYYY-MM'}", role="out")])
    history = read_sample(continue_from)
    expected = next_month(history)
    if first_month is not None:
        asked = _month(first_month)
        if asked != expected:
            first, last = months_held(history)
            held = first if first == last else f"{first} to {last}"
            why = (f"already holds {held}" if asked <= last else f"ends with {last}, and {asked} would leave a gap")
            raise InputError([Problem("", "", f"{asked}: the data set ({', '.join(map(str, continue_from))}) {why}; "
                                      f"its continuation starts with {expected}", role="first-month")])
    data = continue_sample(history, months=months or MONTHS_CONTINUED, seed=seed)
    if not len(data.ledger):
        raise InputError([Problem(str(Path(continue_from[0]) / "roster.csv"), "", "nobody on the roster is employed "
                                  f"from {expected} on: there is nothing to continue", role="continue")])
    return data, write_sample(data, out, roster=False)


def _month(text: str) -> str:
    """A month written like 2026-10, or a problem for the first-month option."""
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        raise InputError([Problem("", "", str(exc), role="first-month")]) from None
    if period.kind != "month":
        raise InputError([Problem("", "", f"{text!r} is not a month; write it like 2026-10", role="first-month")])
    return str(period)


def _same(folder: Path, out: Path) -> bool:
    """Is `out` the folder itself (by its real path: a link or a relative path is the same folder)?"""
    try:
        return Path(folder).resolve() == out.resolve()
    except OSError:
        return False
