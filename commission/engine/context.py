"""What every rule of one run can see: the plan, the period, the ledger rows in play, who is paid."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np
import pandas as pd

from ..money import sum_by
from ..periods import Period
from ..policy import Policy


@dataclass(frozen=True)
class SideInputs:
    """What a run may need besides the ledger and roster (each None when not given).

    targets: collector_id, period, target; assignments: collector_id, period, assigned_balance
    (money in minor units; period text such as 2026-10 or 2026-Q4); events: event_id,
    collector_id, date, type, severity, score (hundredths of a point, -1 none), source (who raised
    it), description, file, row;
    state: balances carried from the run for `state_period`: collector_id, balance, amount;
    `state_source` names where they came from in problems about them (a state file's path, the
    batch store); when empty, problems name the input's role, `state`.
    """

    targets: Optional[pd.DataFrame] = None
    assignments: Optional[pd.DataFrame] = None
    events: Optional[pd.DataFrame] = None
    state: Optional[pd.DataFrame] = None
    state_period: Optional[Period] = None
    state_source: str = ""
    teams: Optional["Teams"] = None  # set by the engine in a run of several plans, never by a caller


@dataclass(frozen=True)
class Teams:
    """What a team-lead override sees of a run of several plans, whose plans are paid one after another:
    who leads whom on the whole roster, and (the second stage, for overrides on the team's commission)
    each collector's commission under their own plan: the items of its components that do not pay on a
    team, before adjustments, in minor units."""

    managers: pd.Series  # manager_id by collector_id ('' for none)
    commission: Optional[pd.Series] = None  # int64 by collector_id


@dataclass
class RunContext:
    """Ledger rows of the run (the widest window any paid component needs), classified, with each
    row's collector position; per-window masks and recovered totals are computed once and cached."""

    policy: Policy
    period: Period
    frame: pd.DataFrame
    collectors: list[str]
    collector_of_row: np.ndarray  # position in `collectors` of each row of `frame`
    classes: dict[str, np.ndarray]  # classifier name -> code per row
    history: pd.DataFrame  # every ledger row given (credited amounts), where reversals find their originals
    is_reversal: np.ndarray  # per row of `frame`
    roster: Optional[pd.DataFrame] = None
    side: SideInputs = SideInputs()
    #: Every version of the plan given to the run (none: only `policy`), so reversals: {earlier_periods:
    #: recompute} recomputes an earlier period under the version in force then.
    versions: tuple = ()
    kpis: dict = field(default_factory=dict)  # (kpi, window text) -> KpiValues, as computed
    #: In the view of the kinds that measure recovery under reversals: {earlier_periods: recompute}: per
    #: row, the date of the payment a reversal reverses (NaT for any other row, and for a reversal whose
    #: payment is unknown). A reversal of a payment made before a window then counts in the payment's
    #: window, not in this one (see `counting_reversals_with_their_payments`).
    reversed_dates: Optional[np.ndarray] = None
    _masks: dict = field(default_factory=dict)
    _recovered: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.collectors)

    def window(self, cadence: str) -> Period:
        """The period a component of this cadence pays over in this run (Q3 for a quarterly one in September)."""
        return self.period.enclosing(cadence)

    def rows_in(self, window: Period) -> np.ndarray:
        if window not in self._masks:
            dates = self.frame["payment_date"].to_numpy()
            self._masks[window] = (dates >= np.datetime64(window.start)) & (dates <= np.datetime64(window.end))
        return self._masks[window]

    def sum_by_collector(self, values: np.ndarray, what: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Exact int64 per-collector sum of a per-row array (`values` of only the `rows` given, a mask
        or positions, when given); a total past MAX_TOTAL raises TotalTooLarge naming `what` and whose."""
        who = self.collector_of_row if rows is None else self.collector_of_row[rows]
        return sum_by(values, who, self.n, what=what, minor_units=self.policy.minor_units, names=self.collectors)

    def recovered(self, window: Period) -> np.ndarray:
        """Each collector's recovered amount (credited repayments net of reversals) in `window`; in the view
        `counting_reversals_with_their_payments`, its own payments net of all their reversals booked up to
        the run's end (and of no reversal of an earlier payment)."""
        if window not in self._recovered:
            mask = self.measured_rows(window)
            self._recovered[window] = self.sum_by_collector(self.frame["amount"].to_numpy()[mask],
                                                            f"recovered in {window}", mask)
        return self._recovered[window]

    def measured_rows(self, window: Period) -> np.ndarray:
        """The rows a measure of `window` counts: those dated in it, or in the view
        `counting_reversals_with_their_payments`, reversals with their payments (`_counted_in`)."""
        return self.rows_in(window) if self.reversed_dates is None else self._counted_in(window)

    def _counted_in(self, window: Period) -> np.ndarray:
        """The rows that count toward `window` when reversals count with their payments: every row dated in
        it but a reversal of an earlier payment, and the reversals booked after it (up to the run's end) of
        the payments made in it."""
        dates = self.frame["payment_date"].to_numpy().astype("datetime64[D]")
        counted_on = np.where(np.isnat(self.reversed_dates), dates, self.reversed_dates)
        return (counted_on >= np.datetime64(window.start)) & (counted_on <= np.datetime64(window.end))

    def counting_reversals_with_their_payments(self, reversed_dates: np.ndarray) -> "RunContext":
        """A view of this run in which a reversal counts toward the recovery of the window of the payment
        it reverses (`reversed_dates`: that payment's date per row, NaT otherwise): a reversal booked in
        October of a September payment lowers no recovery measured over October. The view shares the
        frame, masks and KPIs (so kpis.csv shows what the rules measured); its recovered totals are its own."""
        return replace(self, reversed_dates=reversed_dates, _recovered={})

    def employed_days(self, window: Period) -> np.ndarray:
        """Days each collector was employed in `window` (roster start/end dates; all days without them)."""
        days = np.full(self.n, window.days, dtype=np.int64)
        if self.roster is None:
            return days
        start = self.roster["start_date"].reindex(self.collectors).to_numpy().astype("datetime64[D]")
        end = self.end_dates()
        first = np.where(np.isnat(start), np.datetime64(window.start), np.maximum(start, np.datetime64(window.start)))
        last = np.where(np.isnat(end), np.datetime64(window.end), np.minimum(end, np.datetime64(window.end)))
        return np.clip((last - first).astype(np.int64) + 1, 0, window.days)

    def end_dates(self) -> np.ndarray:
        """Each collector's last day employed, from the roster (NaT: open, or no roster)."""
        if self.roster is None:
            return np.full(self.n, np.datetime64("NaT"), dtype="datetime64[D]")
        return self.roster["end_date"].reindex(self.collectors).to_numpy().astype("datetime64[D]")

    def employed_at_end(self) -> np.ndarray:
        """Who is still employed on the period's last day (everyone without roster end dates)."""
        end = self.end_dates()
        return np.isnat(end) | (end >= np.datetime64(self.period.end))

    def has_rows(self, window: Period) -> np.ndarray:
        """Which collectors have at least one ledger row in `window`."""
        mask = self.rows_in(window)
        return np.bincount(self.collector_of_row[mask], minlength=self.n) > 0
