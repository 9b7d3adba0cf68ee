"""Comparison tables from a simulation: cost per scenario and period, cost-to-collect, each collector's pay
under every scenario and the difference from the baseline (today), per team, winners and losers, how pay
is distributed, cost by overdue bucket, and today's cost per plan.

Money stays int64 minor units. Ratios (cost-to-collect, shares, the Gini coefficient) are exact
fractions of integer totals, rounded once, at the end, to a Decimal for display (`ratio`).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Optional

import numpy as np
import pandas as pd

from .scenarios import Simulation

#: Percentiles of per-collector pay shown (nearest rank: each is an actual collector's pay).
PERCENTILES = (10, 25, 50, 75, 90)
#: Decimal places kept for display ratios (0.061234 shows as 6.12%).
RATIO_PLACES = 6
OTHER_BUCKET = "tiers, bonuses, adjustments"


def ratio(numerator: int, denominator: int, places: int = RATIO_PLACES) -> Optional[Decimal]:
    """numerator / denominator rounded half away from zero to `places` decimals; None when undefined."""
    if denominator == 0:
        return None
    return _round(Fraction(int(numerator), int(denominator)), places)


def _round(value: Fraction, places: int) -> Decimal:
    scaled = abs(value) * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    whole += 2 * rest >= scaled.denominator
    return Decimal(-whole if value < 0 else whole).scaleb(-places)


def collector_totals(sim: Simulation) -> pd.DataFrame:
    """One row per collector who recovered or was paid anything under any scenario: collector_id, name,
    team, the plan that pays them today (when the baseline is today), recovered over the months simulated,
    and `paid:<scenario>` per scenario (int64)."""
    frames = []
    for run in sim.runs:
        sums = run.payouts.groupby("collector_id", sort=True)[["recovered", "net_payout"]].sum()
        frames.append(sums.rename(columns={"net_payout": f"paid:{run.label}"}))
    index = frames[0].index
    for sums in frames[1:]:
        index = index.union(sums.index)
    table = frames[0][["recovered"]].reindex(index, fill_value=0)
    for run, sums in zip(sim.runs, frames):
        table[f"paid:{run.label}"] = sums[f"paid:{run.label}"].reindex(table.index, fill_value=0)
    paid_columns = [f"paid:{label}" for label in sim.labels]
    active = (table["recovered"] != 0) | (table[paid_columns] != 0).any(axis=1)
    table = table.loc[active].astype(np.int64)
    names, teams = sim.history.names(), sim.history.teams()
    if sim.baseline.scenario.kind == "today":
        plans = sim.baseline.payouts.drop_duplicates("collector_id", keep="last").set_index("collector_id")["plan"]
        table.insert(0, "plan_today", plans.reindex(table.index).fillna("").to_numpy(dtype=object))
    table.insert(0, "team", teams.reindex(table.index).fillna("").to_numpy(dtype=object) if len(teams) else "")
    table.insert(0, "name", names.reindex(table.index).fillna("").to_numpy(dtype=object) if len(names) else "")
    table.index.name = "collector_id"
    table = table.reset_index()
    table["collector_id"] = table["collector_id"].astype("str")
    return table


def plans_of(run) -> pd.DataFrame:
    """A run's cost per plan (today: what each plan of the roster pays): plan, collectors paid by it,
    recovered, cost, cost-to-collect; plans in the order they first pay someone."""
    payouts = run.payouts
    sums = payouts.groupby("plan", sort=False)[["recovered", "net_payout"]].sum()
    collectors = payouts.groupby("plan", sort=False)["collector_id"].nunique()
    table = pd.DataFrame({"plan": sums.index.astype(str), "collectors": collectors.reindex(sums.index).to_numpy(),
                          "recovered": sums["recovered"].to_numpy(dtype=np.int64),
                          "cost": sums["net_payout"].to_numpy(dtype=np.int64)})
    table["cost_to_collect"] = [ratio(c, r) for c, r in zip(table["cost"], table["recovered"])]
    return table


def collector_table(sim: Simulation) -> pd.DataFrame:
    """collector_totals with `delta:<plan>` = paid under the plan minus paid under the baseline."""
    table = collector_totals(sim)
    base = table[f"paid:{sim.labels[0]}"]
    for label in sim.labels[1:]:
        table[f"delta:{label}"] = (table[f"paid:{label}"] - base).astype(np.int64)
    return table


def cost_table(sim: Simulation) -> pd.DataFrame:
    """plan, period, recovered, cost (net payout), line_commission, cost_to_collect; one row per plan and
    report period, then one per plan for all periods together (period 'all')."""
    period_of = sim.period_of_month()
    rows = []
    for run in sim.runs:
        monthly = run.payouts.groupby("month", sort=False)[["recovered", "net_payout", "line_commission"]].sum()
        monthly["period"] = [period_of[m] for m in monthly.index]
        by_period = monthly.groupby("period", sort=False).sum().reindex(sim.report_periods, fill_value=0)
        for period, values in by_period.iterrows():
            rows.append((run.label, period, int(values["recovered"]), int(values["net_payout"]),
                         int(values["line_commission"])))
        rows.append((run.label, "all", int(by_period["recovered"].sum()), int(by_period["net_payout"].sum()),
                     int(by_period["line_commission"].sum())))
    table = pd.DataFrame(rows, columns=["plan", "period", "recovered", "cost", "line_commission"])
    table["cost_to_collect"] = [ratio(c, r) for c, r in zip(table["cost"], table["recovered"])]
    return table


def plan_summary(sim: Simulation) -> pd.DataFrame:
    """One row per scenario over all months: recovered, cost, cost-to-collect, the change in cost from the
    baseline (and as a share of it), the change in cost-to-collect (in points), collectors paid, and what
    is still owed at the end (holdbacks withheld, carried balances)."""
    costs = cost_table(sim)
    totals = costs.loc[costs["period"] == "all"].set_index("plan")
    base_cost, base_recovered = int(totals["cost"].iloc[0]), int(totals["recovered"].iloc[0])
    rows = []
    for run in sim.runs:
        paid = run.payouts.groupby("collector_id")["net_payout"].sum()
        owed_to, owed_by = run.owed_at_end()
        cost, recovered = int(totals.at[run.label, "cost"]), int(totals.at[run.label, "recovered"])
        points = (Fraction(cost, recovered) - Fraction(base_cost, base_recovered)
                  if recovered and base_recovered else None)
        rows.append({"plan": run.label, "recovered": recovered, "cost": cost,
                     "cost_to_collect": totals.at[run.label, "cost_to_collect"],
                     "change_in_cost": cost - base_cost, "change_in_cost_share": ratio(cost - base_cost, base_cost),
                     "change_in_cost_to_collect": _round(points, RATIO_PLACES) if points is not None else None,
                     "collectors_paid": int((paid > 0).sum()), "withheld_at_end": owed_to,
                     "owed_by_collectors_at_end": owed_by})
    return pd.DataFrame(rows)


def winners_losers(sim: Simulation, top: int = 5) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Against the baseline, per other plan: (summary, teams, largest).

    summary: plan, collectors, winners, losers, unchanged, total gained, total lost, largest gain and
    loss (who and how much). teams: plan, team, collectors, recovered, cost under the baseline and the
    plan, net change, both costs-to-collect, winners, losers.
    largest: plan, kind (gain / loss), rank, collector_id, name, team, baseline pay, pay, delta.
    """
    table = collector_table(sim)
    base_label = sim.labels[0]
    summary, teams, largest = [], [], []
    for label in sim.labels[1:]:
        delta = table[f"delta:{label}"].to_numpy()
        gains, losses = table.loc[delta > 0], table.loc[delta < 0]
        best = table.loc[delta.argmax()] if len(table) else None
        worst = table.loc[delta.argmin()] if len(table) else None
        summary.append({
            "plan": label, "collectors": len(table), "winners": int((delta > 0).sum()),
            "losers": int((delta < 0).sum()), "unchanged": int((delta == 0).sum()),
            "gained": int(delta[delta > 0].sum()), "lost": int(delta[delta < 0].sum()),
            "largest_gain_collector": best["collector_id"] if best is not None and best[f"delta:{label}"] > 0 else "",
            "largest_gain": int(max(delta.max(initial=0), 0)),
            "largest_loss_collector": worst["collector_id"] if worst is not None and worst[f"delta:{label}"] < 0
            else "",
            "largest_loss": int(min(delta.min(initial=0), 0))})
        grouped = table.assign(win=delta > 0, lose=delta < 0, delta=delta).groupby("team", sort=True)
        for team, part in grouped:
            recovered = int(part["recovered"].sum())
            before, after = int(part[f"paid:{base_label}"].sum()), int(part[f"paid:{label}"].sum())
            teams.append({"plan": label, "team": team, "collectors": len(part), "recovered": recovered,
                          "baseline_cost": before, "cost": after, "net_change": after - before,
                          "baseline_cost_to_collect": ratio(before, recovered),
                          "cost_to_collect": ratio(after, recovered),
                          "winners": int(part["win"].sum()), "losers": int(part["lose"].sum())})
        for kind, part, ascending in (("gain", gains, False), ("loss", losses, True)):
            ordered = part.sort_values([f"delta:{label}", "collector_id"], ascending=[ascending, True]).head(top)
            for rank, (_, row) in enumerate(ordered.iterrows(), start=1):
                largest.append({"plan": label, "kind": kind, "rank": rank, "collector_id": row["collector_id"],
                                "name": row["name"], "team": row["team"],
                                "baseline_pay": int(row[f"paid:{base_label}"]), "pay": int(row[f"paid:{label}"]),
                                "delta": int(row[f"delta:{label}"])})
    columns = ["plan", "kind", "rank", "collector_id", "name", "team", "baseline_pay", "pay", "delta"]
    return pd.DataFrame(summary), pd.DataFrame(teams), pd.DataFrame(largest, columns=columns)


def nearest_rank(sorted_values: np.ndarray, percentile: int) -> int:
    """The nearest-rank percentile: the smallest value with at least `percentile`% of values at or below it."""
    n = len(sorted_values)
    rank = max(1, -(-percentile * n // 100))
    return int(sorted_values[rank - 1])


def gini(values: np.ndarray) -> Optional[Fraction]:
    """Gini coefficient of non-negative pay, exact: sum_i (2i - n - 1) x_(i) / (n sum x), x sorted ascending."""
    x = np.sort(np.asarray(values, dtype=np.int64))
    n, total = len(x), int(x.sum())
    if n == 0 or total <= 0:
        return None
    weights = 2 * np.arange(1, n + 1, dtype=np.int64) - n - 1
    numerator = int(np.dot(weights.astype(object), x.astype(object)))  # Python ints: no overflow
    return Fraction(numerator, n * total)


def distribution(sim: Simulation) -> pd.DataFrame:
    """Per plan: how many collectors, percentiles of pay over the months, the top 10%'s share, Gini."""
    table = collector_totals(sim)
    rows = []
    for label in sim.labels:
        pay = np.sort(table[f"paid:{label}"].to_numpy(dtype=np.int64))
        n, total = len(pay), int(pay.sum())
        row = {"plan": label, "collectors": n, "total": total}
        for p in PERCENTILES:
            row[f"p{p}"] = nearest_rank(pay, p) if n else 0
        row["max"] = int(pay[-1]) if n else 0
        top = -(-n // 10)
        row["top10_share"] = ratio(int(pay[n - top:].sum()), total) if n else None
        coefficient = gini(np.maximum(pay, 0))
        row["gini"] = _round(coefficient, 4) if coefficient is not None else None
        rows.append(row)
    return pd.DataFrame(rows)


def bucket_table(sim: Simulation) -> pd.DataFrame:
    """Per plan and overdue bucket: recovered, line commission, the bucket's effective rate; then a row for
    the pay not booked per payment (tiers, bonuses, overrides, gates, caps, deductions, holdbacks) so each
    plan's rows add up to its cost."""
    costs = cost_table(sim)
    totals = costs.loc[costs["period"] == "all"].set_index("plan")["cost"]
    rows = []
    for run in sim.runs:
        sums = run.buckets.groupby("bucket", sort=False)[["recovered", "line_commission"]].sum()
        order = [b for b in run.bucket_order if b in sums.index] + [b for b in sums.index
                                                                   if b not in run.bucket_order]
        for bucket in order:
            recovered, commission = int(sums.at[bucket, "recovered"]), int(sums.at[bucket, "line_commission"])
            rows.append({"plan": run.label, "bucket": bucket, "recovered": recovered, "cost": commission,
                         "cost_to_collect": ratio(commission, recovered)})
        other = int(totals[run.label]) - int(sums["line_commission"].sum())
        rows.append({"plan": run.label, "bucket": OTHER_BUCKET, "recovered": 0, "cost": other,
                     "cost_to_collect": None})
    return pd.DataFrame(rows)
