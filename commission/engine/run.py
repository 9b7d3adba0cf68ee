"""The engine entry point: (policy, ledger rows, period[, roster]) -> RunResult. Pure: no files, no clock."""

from __future__ import annotations

from datetime import date
from typing import Optional

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ProblemCollector
from ..periods import Period
from ..policy import CapFloor, LineRate, Policy, Threshold, Tiers
from .classify import classify_frame, labels
from .line_rates import LIMIT_LABELS, compute_lines, key_columns
from .period_rules import cap_floor_items, threshold_items, tier_items
from .result import RunResult

ROSTER_FIELDS = ("name", "team", "employee_id")


def compute(policy: Policy, ledger: pd.DataFrame, period: Period, roster: Optional[pd.DataFrame] = None) -> RunResult:
    """Pay every component of `policy` whose cadence ends with `period`, from ledger rows in its window.

    `ledger` is a validated ledger frame (see `commission.inputs.Ledger`); `roster`, when given,
    is indexed by collector_id and adds collectors with no payments (floors still pay them).
    Raises InputError for problems the user can fix (plan not in force, no rows in the period,
    rows no bucket or rate rule covers).
    """
    _check_in_force(policy, period)
    components = [c for c in policy.components if period.pays(c.pays)]
    windows = {c.id: period.enclosing(c.pays) for c in components}
    earliest = min([w.start for w in windows.values()] + [period.start])
    dates = ledger["payment_date"].to_numpy()
    in_run = (dates >= np.datetime64(earliest)) & (dates <= np.datetime64(period.end))
    frame = ledger.loc[in_run].reset_index(drop=True) if not in_run.all() else ledger
    in_period = _between(frame, period)
    if not in_period.any():
        raise InputError([Problem("--period", "", f"no ledger rows fall in {period} "
                                  f"({period.start} to {period.end}); {_coverage(ledger)}")])

    problems = ProblemCollector()
    codes = classify_frame(frame, policy.classifiers, problems)
    problems.raise_if_any()
    collectors, collector_codes = _collectors(frame, roster)
    n = len(collectors)
    recovered = _sum_by(collector_codes[in_period], frame["amount"].to_numpy()[in_period], n)

    classifier_labels = {c.name: c.labels for c in policy.classifiers}
    line_frames, item_frames, component_totals = [], [], {}
    for component in components:
        window = _between(frame, windows[component.id])
        if isinstance(component, LineRate):
            lines = _line_rate(policy, component, frame, window, codes, classifier_labels, problems)
            if lines is None:
                continue
            totals = _sum_by(collector_codes[window], lines["amount"].to_numpy(), n)
            bases = _sum_by(collector_codes[window], lines["base"].to_numpy(), n)
            active = np.flatnonzero(np.bincount(collector_codes[window], minlength=n) > 0)
            line_frames.append(lines)
            item_frames.append(_items(component.id, "line_rate", component.pay_code, windows[component.id],
                                      [{"collector": int(c), "rule": component.id, "base": int(bases[c]),
                                        "rate": "by line", "amount": int(totals[c])} for c in active]))
        elif isinstance(component, Tiers):
            base = _sum_by(collector_codes[window], frame["amount"].to_numpy()[window], n)
            rows = tier_items(component, base, policy.rounding.mode)
            item_frames.append(_items(component.id, "tier", component.pay_code, windows[component.id], rows))
            totals = _sum_rows(rows, n)
        component_totals[component.id] = totals
    problems.raise_if_any()

    adjustment_totals: list[tuple[frozenset, np.ndarray]] = []
    for adjustment in policy.adjustments:
        targets = frozenset(t for t in adjustment.applies_to if t in component_totals)
        if not targets:
            continue
        subject = sum((component_totals[t] for t in targets), np.zeros(n, dtype=np.int64))
        subject = subject + sum((amounts for scope, amounts in adjustment_totals if scope & targets),
                                np.zeros(n, dtype=np.int64))
        if isinstance(adjustment, Threshold):
            rows = threshold_items(adjustment, recovered, subject)
        else:
            rows = cap_floor_items(adjustment, subject)
        item_frames.append(_items(adjustment.id, adjustment.kind, adjustment.pay_code, period, rows))
        adjustment_totals.append((targets, _sum_rows(rows, n)))

    items = _finish_items(item_frames, collectors)
    payouts = _payouts(policy, period, collectors, recovered, items, roster)
    lines = pd.concat(line_frames, ignore_index=True) if line_frames else _empty_lines()
    counts = {"rows_read": int(len(ledger)), "rows_in_period": int(in_period.sum()),
              "rows_used": int(len(frame)), "rows_excluded": int(len(ledger) - len(frame)),
              "collectors": int(n)}
    return RunResult(period=period, policy=policy, payouts=payouts, items=items, lines=lines, counts=counts,
                     warnings=())


def _check_in_force(policy: Policy, period: Period) -> None:
    """The plan version that applies is the one in force on the period's last day."""
    if policy.effective_from > period.end or (policy.effective_to is not None and policy.effective_to < period.end):
        until = f" until {policy.effective_to}" if policy.effective_to else ""
        raise InputError([Problem(f"{policy.source}:{policy.effective_line}", "effective", f"plan {policy.plan} version {policy.version} "
                                  f"is in force from {policy.effective_from}{until}, not on {period.end} "
                                  f"(the last day of {period})")])


def _between(frame: pd.DataFrame, period: Period) -> np.ndarray:
    dates = frame["payment_date"].to_numpy()
    return (dates >= np.datetime64(period.start)) & (dates <= np.datetime64(period.end))


def _coverage(ledger: pd.DataFrame) -> str:
    if ledger.empty:
        return "the ledger has no rows"
    dates = ledger["payment_date"]
    return f"the ledger covers {dates.min().date()} to {dates.max().date()}"


def _collectors(frame: pd.DataFrame, roster: Optional[pd.DataFrame]) -> tuple[list[str], np.ndarray]:
    """Everyone paid in this run (ledger collectors and, with a roster, everyone on it), sorted,
    and each ledger row's position in that list."""
    ledger_ids = frame["collector_id"].cat.categories
    everyone = set(ledger_ids) | (set(roster.index) if roster is not None else set())
    collectors = sorted(everyone)
    position = np.searchsorted(np.asarray(collectors, dtype=object), np.asarray(ledger_ids, dtype=object))
    codes = frame["collector_id"].cat.codes.to_numpy()
    return collectors, position.astype(np.int64)[codes]


def _sum_by(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 sum of `values` per collector code (0..n-1)."""
    result = np.zeros(n, dtype=np.int64)
    np.add.at(result, codes, np.asarray(values, dtype=np.int64))
    return result


def _sum_rows(rows: list[dict], n: int) -> np.ndarray:
    result = np.zeros(n, dtype=np.int64)
    for row in rows:
        result[row["collector"]] += row["amount"]
    return result


def _items(component_id: str, kind: str, pay_code: str, window: Period, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["collector", "rule", "base", "rate", "amount"])
    frame.insert(1, "component", component_id)
    frame.insert(2, "kind", kind)
    frame["pay_code"] = pay_code
    frame["window"] = str(window)
    return frame.astype({"collector": np.int64, "base": np.int64, "amount": np.int64})


def _finish_items(frames: list[pd.DataFrame], collectors: list[str]) -> pd.DataFrame:
    """Items in collector order, keeping plan order within a collector."""
    items = pd.concat(frames, ignore_index=True) if frames else _items("", "", "", Period(2000, "year", 1), [])
    items["order"] = np.arange(len(items))
    items = items.sort_values(["collector", "order"], kind="stable").drop(columns="order").reset_index(drop=True)
    items.insert(0, "collector_id", np.asarray(collectors, dtype=object)[items["collector"].to_numpy()]
                 if len(items) else pd.Series([], dtype=object))
    return items.drop(columns="collector").astype({"collector_id": "str"})


def _line_rate(policy, component, frame, window, codes, classifier_labels, problems):
    """The payment-level lineage of one line-rate component over its window's rows."""
    rows = frame.loc[window].reset_index(drop=True) if not window.all() else frame
    window_codes = {name: values[window] for name, values in codes.items()}
    keys = key_columns(rows, window_codes, classifier_labels, component.key_columns())
    computed = compute_lines(component, rows, keys, policy.rounding.mode, problems)
    if computed is None:
        return None
    rule_ids = pd.Categorical.from_codes(computed.rule_index, categories=[r.id for r in computed.rules])
    rate_texts = list(dict.fromkeys(r.rate_text for r in computed.rules))
    rate_of_rule = np.array([rate_texts.index(r.rate_text) for r in computed.rules], dtype=np.int16)
    rates = pd.Categorical.from_codes(rate_of_rule[computed.rule_index], categories=rate_texts)
    lines = pd.DataFrame({
        "payment_id": rows["payment_id"],
        "collector_id": rows["collector_id"],
        "payment_date": rows["payment_date"],
        "account": rows["account"],
    }, copy=False)
    for classifier in policy.classifiers:
        lines[classifier.name] = labels(window_codes[classifier.name], classifier)
    for name in component.key_columns():
        if name not in lines:
            lines[name] = rows[name]
    lines["component"] = pd.Categorical.from_codes(np.zeros(len(rows), dtype=np.int8), categories=[component.id])
    lines["rule"] = rule_ids
    lines["base"] = rows["amount"].to_numpy()
    lines["rate"] = rates
    lines["commission"] = computed.computed
    lines["limit"] = pd.Categorical.from_codes(computed.limit, categories=LIMIT_LABELS)
    lines["amount"] = computed.amount
    return lines


def _empty_lines() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="str") for c in ("payment_id", "collector_id", "component", "rule")})


def _payouts(policy: Policy, period: Period, collectors: list[str], recovered: np.ndarray, items: pd.DataFrame,
             roster: Optional[pd.DataFrame]) -> pd.DataFrame:
    payouts = pd.DataFrame({"collector_id": pd.Series(collectors, dtype="str")})
    if roster is not None:
        for field in ROSTER_FIELDS:
            payouts[field] = roster[field].reindex(collectors).fillna("").to_numpy()
    payouts["period"] = str(period)
    payouts["plan"] = policy.plan
    payouts["version"] = policy.version
    payouts["currency"] = policy.currency
    payouts["recovered"] = recovered
    index = pd.Index(collectors)

    def total(mask) -> np.ndarray:
        sums = items.loc[mask].groupby("collector_id")["amount"].sum()
        return sums.reindex(index, fill_value=0).to_numpy(dtype=np.int64)

    kinds = items["kind"]
    payouts["line_commission"] = total(kinds == "line_rate")
    payouts["tier_commission"] = total(kinds == "tier")
    payouts["adjustment"] = total(kinds.isin(["threshold", "cap_floor"]))
    payouts["net_payout"] = total(slice(None))
    for code in policy.pay_codes:
        payouts[f"pay_{code}"] = total(items["pay_code"] == code)
    return payouts
