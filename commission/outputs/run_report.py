"""Write a run's reports into one folder, atomically: payouts (CSV, XLSX), lineage (CSV, optional
Parquet), items, the raises and benefits in kind it decided, and a manifest that fingerprints every
input and output."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Sequence

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa

from .. import __version__
from ..engine import (AWARD_MONEY_COLUMNS, ITEM_MONEY_COLUMNS, LINE_MONEY_COLUMNS, PAYOUT_MONEY_COLUMNS,
                      SKIPPED_MONEY_COLUMNS, RunResult)
from ..inputs import InputFile, sha256_of, state_digest
from ..money import format_minor
from .atomic import atomic_directory
from .owners import run_folder
from .paths import file_in
from .tables import write_csv, write_parquet
from .payouts_workbook import write_payouts_workbook

PAYOUTS_CSV = "payouts.csv"
PAYOUTS_XLSX = "payouts.xlsx"
LINES_CSV = "lines.csv"
LINES_PARQUET = "lines.parquet"
ITEMS_CSV = "items.csv"
MANIFEST = "manifest.json"
STATE = "state.json"
KPIS_CSV = "kpis.csv"
EVENTS_CSV = "events.csv"  # the events the items name: date, type, severity, source, description
#: Ledger rows outside a collector's employment that their plan says to skip: written only when there
#: are some, so the file's presence is itself the sign HR has rows to act on (the manifest always
#: counts them, rows_skipped).
SKIPPED_CSV = "skipped.csv"
#: Raises recommended and benefits in kind granted, for HR: never paid by the run. Each is written when the
#: run decides a rule of its kind (a run whose period ends that rule's window), even when nobody reached
#: it: an empty file says the rule was applied and nobody qualified; no file, that no such rule was
#: decided (a monthly run of a plan with a yearly raise).
RAISES_CSV = "raises.csv"
BENEFITS_CSV = "benefits.csv"
RAISE_COLUMNS = ("employee_id", "collector_id", "name", "period", "plan", "version", "rule", "window", "kpi",
                 "evidence", "raise_percent", "raise_amount", "effective_from")
BENEFIT_COLUMNS = ("employee_id", "collector_id", "name", "period", "plan", "version", "rule", "window", "kpi",
                   "evidence", "quantity", "unit")
#: Each award file: the kind of rule it reports, and its columns.
AWARD_FILES = {RAISES_CSV: ("raise", RAISE_COLUMNS), BENEFITS_CSV: ("benefit", BENEFIT_COLUMNS)}
PLANS = "plans"  # a copy of each plan version that paid, so the folder explains itself
REPORT_FILES = (PAYOUTS_CSV, PAYOUTS_XLSX, LINES_CSV, LINES_PARQUET, ITEMS_CSV, KPIS_CSV, EVENTS_CSV, SKIPPED_CSV,
                RAISES_CSV, BENEFITS_CSV, STATE, PLANS, MANIFEST, "statements")


def payout_money_columns(result: RunResult) -> list[str]:
    return [*PAYOUT_MONEY_COLUMNS, *(c for c in result.payouts.columns if c.startswith("pay_"))]


def write_run(result: RunResult, policies, inputs: Sequence[InputFile], out_dir: str | Path, owner: dict | None = None,
              may_replace=None, lines_csv: bool = True, lines_parquet: bool = False, notes: dict | None = None,
              lines=None) -> Path:
    """Write every report of `result` to `out_dir` (all files or none) and return the folder.

    `owner` goes into the manifest (by default a `commission run` of the period), `may_replace`
    says whether an existing `out_dir` is this command's to replace (by default: a run's own
    earlier reports of the same period), `notes` adds facts to the manifest (an edited state), `lines`
    writes the lineage files instead of `result.lines` (see write_reports).
    """
    owner = owner or {"command": "run", "period": str(result.period)}
    may_replace = may_replace or run_folder(str(result.period), REPORT_FILES)
    with atomic_directory(out_dir, may_replace) as staging:
        write_reports(result, policies, inputs, staging, owner, lines_csv, lines_parquet, notes, lines)
    return Path(out_dir)


def write_reports(result: RunResult, policies, inputs: Sequence[InputFile], folder: Path, owner: dict,
                  lines_csv: bool = True, lines_parquet: bool = False, notes: dict | None = None,
                  lines=None) -> None:
    """Every report file of `result`, written into `folder` (a staging folder). `lines(csv, parquet)`, when
    given, writes the lineage files (each a path, or None when not wanted) instead of `result.lines` and
    returns how many rows they hold: a partitioned run merges them from its partitions' part files."""
    minor = result.minor_units
    money = payout_money_columns(result)
    write_csv(result.payouts, folder / PAYOUTS_CSV, money, minor)
    write_payouts_workbook(result.payouts, folder / PAYOUTS_XLSX, money, minor, result.currency)
    write_csv(result.items, folder / ITEMS_CSV, ITEM_MONEY_COLUMNS, minor)
    wanted = (folder / LINES_CSV if lines_csv else None, folder / LINES_PARQUET if lines_parquet else None)
    if lines is None:
        if lines_csv:
            write_csv(result.lines, folder / LINES_CSV, LINE_MONEY_COLUMNS, minor)
        if lines_parquet:
            write_parquet(result.lines, folder / LINES_PARQUET, LINE_MONEY_COLUMNS, minor)
        line_rows = len(result.lines)
    else:
        line_rows = lines(*wanted)
    write_csv(result.kpis, folder / KPIS_CSV, (), minor)
    write_csv(result.events, folder / EVENTS_CSV, (), minor)
    if len(result.skipped):
        write_csv(result.skipped, folder / SKIPPED_CSV, SKIPPED_MONEY_COLUMNS, minor)
    for name, (kind, columns) in AWARD_FILES.items():
        if decides(result, kind):
            rows = result.awards.loc[result.awards["kind"] == kind, list(columns)].reset_index(drop=True)
            write_csv(rows, folder / name, AWARD_MONEY_COLUMNS, minor)
    (folder / PLANS).mkdir()
    for policy in result.policies:
        plan_file(folder, policy.plan, policy.version).write_text(policy.text, encoding="utf-8")
    (folder / STATE).write_text(json.dumps(state_document(result), indent=2, ensure_ascii=False) + "\n",
                                encoding="utf-8")
    manifest = build_manifest(result, policies, inputs, folder, line_rows) | {"owner": owner, **(notes or {})}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def decides(result: RunResult, kind: str) -> bool:
    """Does the run decide a rule of this kind (raise, benefit): one whose window ends with the period?"""
    return any(rule.kind == kind and result.period.pays(rule.pays) for policy in result.policies
               for rule in policy.components)


def plan_file(folder: Path, plan: str, version) -> Path:
    """Where a run folder keeps its copy of a plan version: plans/{plan}-v{version}.yaml, the plan id
    made a safe file name (the reader finds it with this same function)."""
    return file_in(folder / PLANS, plan, f"-v{int(version)}.yaml")


def state_document(result: RunResult) -> dict:
    """Balances carried to the next run (holdbacks, carried negatives, draws owed, held pay), read by
    the next run (its state file), with the digest of this content so the next run notices a hand edit."""
    state = result.state
    balances = [{"collector_id": c, "balance": b, "amount": format_minor(int(a), result.minor_units)}
                for c, b, a in zip(state.get("collector_id", []), state.get("balance", []), state.get("amount", []))]
    return {"period": str(result.period), "currency": result.currency, "balances": balances,
            "digest": state_digest(str(result.period), result.currency, balances)}


def build_manifest(result: RunResult, policies, inputs: Sequence[InputFile], folder: Path,
                   line_rows: int | None = None) -> dict:
    """What went in (SHA-256 of every plan file given and each input), under which engine, and what came out.

    `plans` lists the versions that paid someone; `inputs` every file given, used or not.
    """
    minor = result.minor_units
    outputs = {p.relative_to(folder).as_posix(): sha256_of(p) for p in sorted(folder.rglob("*")) if p.is_file()}
    return {
        "engine": {"name": "collector-commission", "version": __version__, "python": platform.python_version(),
                   "pandas": pd.__version__, "numpy": np.__version__, "pyarrow": pa.__version__,
                   "openpyxl": openpyxl.__version__},
        "period": str(result.period),
        "plans": [{"id": p.plan, "version": p.version, "effective_from": str(p.effective_from),
                   "effective_to": str(p.effective_to) if p.effective_to else None, "source": p.source,
                   "sha256": p.sha256, "rounding": {"mode": p.rounding.mode, "at": p.rounding.at}}
                  for p in result.policies],
        "currency": result.currency,
        "minor_units": minor,
        "inputs": [{"role": "policy", "path": p.source, "sha256": p.sha256} for p in policies]
        + [{"role": f.role, "path": f.path, "sha256": f.sha256, "rows": f.rows} for f in inputs],
        "counts": {**result.counts, "payout_rows": len(result.payouts), "item_rows": len(result.items),
                   "line_rows": len(result.lines) if line_rows is None else line_rows,
                   "raise_rows": int((result.awards["kind"] == "raise").sum()),
                   "benefit_rows": int((result.awards["kind"] == "benefit").sum())},
        "totals": {name: format_minor(value, minor) for name, value in result.totals().items()},
        "warnings": list(result.warnings),
        "outputs": outputs,
    }
