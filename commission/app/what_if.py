"""A collector's "what if I recover more": their own month of a batch, paid again by the same engine on
their own data only (their ledger rows, roster row, targets, assigned balances, events and balances
carried in), then once more with one extra repayment in an overdue bucket they collected in (a copy of
their latest payment in that bucket, for the amount they type, on the period's last day). The page shows
both pays and the rules that changed. Nobody else's data is read into the run or shown; a team lead's
override, which is made of the team's results, is therefore not in it, and the page says so."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

import pandas as pd

from ..engine import RunResult, pay_period
from ..errors import InputError, Problem
from ..inputs import load_state
from ..money import MoneyError, parse_money
from ..periods import Period
from ..policy import load_policies
from ..store import INPUT, NotFound, get_batch, open_store, opening_balances, restore_files
from .access import check_collector
from .inputs import InputPaths, by_role, load_inputs, rows_of

#: The most a what-if may add (in minor units): ten million a month, far beyond any collector's month.
MAX_EXTRA = 10**9


@dataclass(frozen=True)
class WhatIf:
    collector: str
    batch_id: int
    period: str
    minor_units: int
    buckets: list[str]  # the buckets the collector recovered in this month: what they may add to
    before: int  # net payout on their own data
    after: Optional[int]  # with the extra repayment (None when none was asked)
    changes: pd.DataFrame  # rule, before, after (minor units): the rules whose amount changed


def what_if(store_url: str, actor: str, collector: str, batch_id: int, bucket: str = "",
            extra: str = "") -> WhatIf:
    """The collector's pay for the batch's period on their own data, and with `extra` more recovered in
    `bucket` (both empty: only the pay as it is)."""
    with tempfile.TemporaryDirectory(prefix="commission-what-if-") as scratch:
        with open_store(store_url).connect() as connection:
            check_collector(connection, actor, collector, batch_id)
            record = get_batch(connection, batch_id)
            period = Period.parse(record.period)
            files = by_role(restore_files(connection, batch_id, INPUT, Path(scratch)))
            state_sha = next((i["sha256"] for i in json.loads(record.inputs) if i["role"] == "state"), None)
            if "state" in files:
                before_period, balances = None, None
            else:
                before_period, balances = opening_balances(connection, period, state_sha, False)
        if "policy" not in files or "ledger" not in files:
            raise NotFound(f"batch {batch_id} keeps no copy of its inputs")
        policies = load_policies(files["policy"])
        inputs = load_inputs(InputPaths(files["policy"], files["ledger"], _one(files, "roster"),
                                         files.get("targets", ()), files.get("assignments", ()),
                                         files.get("events", ())), policies)
        if "state" in files:
            loaded = load_state(files["state"][0], policies[0].minor_units, policies[0].currency)
            before_period, balances = loaded.period, loaded.frame
    ledger = rows_of(inputs.ledger.frame, {collector})
    roster = inputs.roster_frame
    roster = roster.loc[roster.index == collector] if roster is not None else None
    side = inputs.side()
    own = {collector}
    side = replace(side, targets=rows_of(side.targets, own), assignments=rows_of(side.assignments, own),
                   events=rows_of(side.events, own), state=rows_of(balances, own), state_period=before_period,
                   state_source="the batch store")
    minor = policies[0].minor_units
    base = pay_period(policies, ledger, period, roster, side, allow_no_repayments=True)
    mine = base.lines.loc[base.lines["collector_id"] == collector]
    buckets = sorted(set(mine["bucket"].astype(str)) - {""})
    if not bucket and not extra:
        return WhatIf(collector, batch_id, str(period), minor, buckets, _net(base, collector), None,
                      pd.DataFrame(columns=["rule", "before", "after"]))
    amount = _amount(extra, minor)
    if bucket not in buckets:
        raise InputError([Problem("", "", f"choose one of the buckets you recovered in: {', '.join(buckets)}",
                                  role="bucket")])
    template_id = mine.loc[mine["bucket"].astype(str) == bucket, "payment_id"].iloc[-1]
    row = ledger.loc[ledger["payment_id"] == template_id].iloc[[-1]].copy()
    row["payment_id"], row["amount"] = "WHAT-IF", amount
    row["payment_date"] = pd.Timestamp(period.end).as_unit(ledger["payment_date"].dt.unit)
    if "reverses" in row:
        row["reverses"] = ""
    more = pay_period(policies, pd.concat([ledger, row], ignore_index=True), period, roster, side,
                      allow_no_repayments=True)
    return WhatIf(collector, batch_id, str(period), minor, buckets, _net(base, collector), _net(more, collector),
                  _changes(base, more, collector))


def _one(files: dict, role: str) -> Optional[Path]:
    return files[role][0] if files.get(role) else None


def _amount(text: str, minor: int) -> int:
    try:
        amount = parse_money(text.replace(",", ""), minor)
    except MoneyError:
        amount = None
    if amount is None or not 0 < amount <= MAX_EXTRA:
        raise InputError([Problem("", "", f"{text.strip()[:40]!r} is not an amount above zero, such as 1000.00",
                                  role="extra")])
    return amount


def _net(result: RunResult, collector: str) -> int:
    rows = result.payouts.loc[result.payouts["collector_id"].astype(str) == collector, "net_payout"]
    return int(rows.sum())


def _changes(before: RunResult, after: RunResult, collector: str) -> pd.DataFrame:
    """Per rule (component:rule), its amount before and after, where they differ."""
    def amounts(result: RunResult) -> pd.Series:
        items = result.items.loc[result.items["collector_id"].astype(str) == collector]
        return items.assign(key=items["component"] + ":" + items["rule"]).groupby("key")["amount"].sum()

    was, now = amounts(before), amounts(after)
    keys = was.index.union(now.index)
    table = pd.DataFrame({"rule": keys, "before": was.reindex(keys, fill_value=0).to_numpy(),
                          "after": now.reindex(keys, fill_value=0).to_numpy()})
    return table.loc[table["before"] != table["after"]].reset_index(drop=True)
