"""Hypothesis properties: invariants that must hold for any ledger and any plan of the given shape."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission.engine import pay_plan
from commission.inputs import load_ledger
from commission.money import format_minor
from commission.outputs import write_run
from commission.periods import Period
from commission.policy import parse_policy
from conftest import LEDGER_HEADER, plan

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
OCTOBER = Period.parse("2026-10")

rates = st.integers(min_value=0, max_value=2000).map(lambda bp: f"{bp / 100:.2f}%")  # 0.00% .. 20.00%
payments = st.lists(
    st.tuples(st.sampled_from(["C1", "C2", "C3"]), st.integers(min_value=-50_000, max_value=5_000_000),
              st.integers(min_value=1, max_value=400), st.integers(min_value=1, max_value=31)),
    min_size=1, max_size=40)


def rate_plan(m1: str, m2: str, late: str, extra: str = "") -> str:
    """Negative amounts in these ledgers name no original, so they claw back at their own terms."""
    return plan(f"""
        reversals: {{unmatched: own_attributes}}
        components:
          - id: base
            kind: line_rate
            rates:
              - {{bucket: M1, rate: "{m1}"}}
              - {{bucket: [M2, M3], rate: "{m2}"}}
            default: "{late}"
        {extra}
    """)


def ledger_csv(rows) -> str:
    lines = [LEDGER_HEADER]
    for index, (collector, amount, dpd, day) in enumerate(rows):
        lines.append(f"P{index:05d},{collector},ACC{index:06d},2026-10-{day:02d},{format_minor(amount, 2)},{dpd},"
                     f"{format_minor(abs(amount) * 3, 2)}")
    return "\n".join(lines) + "\n"


def run(policy_text: str, csv_text: str, folder: Path):
    policy = parse_policy(policy_text, source="plan.yaml")
    path = folder / "ledger.csv"
    path.write_text(csv_text, encoding="utf-8")
    ledger = load_ledger([path], policy.minor_units)
    return pay_plan(policy, ledger.frame, OCTOBER), ledger


@SETTINGS
@given(rows=payments, m1=rates, m2=rates, late=rates, cap=st.integers(min_value=0, max_value=100_000))
def test_lines_items_and_payouts_reconcile_to_the_cent(rows, m1, m2, late, cap):
    extra = f"""adjustments:
          - {{id: limits, kind: cap_floor, cap: {format_minor(cap, 2)}}}"""
    with tempfile.TemporaryDirectory() as folder:
        result, _ = run(rate_plan(m1, m2, late, extra), ledger_csv(rows), Path(folder))
    line_totals = result.lines.groupby("collector_id")["amount"].sum()
    payouts = result.payouts.set_index("collector_id")
    assert (payouts["line_commission"] == line_totals.reindex(payouts.index, fill_value=0)).all()
    item_totals = result.items.groupby("collector_id")["amount"].sum()
    assert (payouts["net_payout"] == item_totals.reindex(payouts.index, fill_value=0)).all()
    parts = ["line_commission", "tier_commission", "bonus", "adjustment", "holdback", "balance"]
    assert (payouts["net_payout"] == payouts[parts].sum(axis=1)).all()
    assert payouts["recovered"].sum() == sum(amount for _, amount, _, _ in rows)
    assert (payouts["net_payout"] <= max(cap, 0)).all()


@settings(max_examples=15, deadline=None)
@given(rows=payments, seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_shuffling_the_ledger_changes_no_output_byte(rows, seed):
    policy_text = rate_plan("5%", "8%", "12%", """adjustments:
          - {id: limits, kind: cap_floor, cap: 3000.00}""")
    csv_text = ledger_csv(rows)
    header, *body = csv_text.splitlines()
    shuffled = [body[i] for i in np.random.default_rng(seed).permutation(len(body))]
    with tempfile.TemporaryDirectory() as folder:
        outputs = []
        for name, text in (("a", csv_text), ("b", "\n".join([header, *shuffled]) + "\n")):
            result, ledger = run(policy_text, text, Path(folder))
            out = Path(folder) / f"out-{name}"
            write_run(result, result.policies, ledger.files, out, lines_parquet=True)
            outputs.append({p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != "manifest.json"})
    assert outputs[0].keys() == outputs[1].keys()
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], f"{name} differs after shuffling the ledger"


def marginal_value(tiers: list[tuple[int, int]], base_minor: int) -> int:
    """Run a one-collector marginal tier plan on a single payment of `base_minor`."""
    lines, low = [], 0
    for width, rate_bp in tiers:
        lines.append(f"      - {{from: {format_minor(low, 2)}, to: {format_minor(low + width, 2)}, "
                     f"rate: \"{rate_bp / 100:.2f}%\"}}")
        low += width
    lines.append(f"      - {{from: {format_minor(low, 2)}, rate: \"30%\"}}")
    policy_text = plan("components:\n  - id: volume\n    kind: tiers\n    mode: marginal\n    tiers:\n"
                       + "\n".join(line[2:] for line in lines) + "\n")
    with tempfile.TemporaryDirectory() as folder:
        result, _ = run(policy_text, f"{LEDGER_HEADER}\nP1,C1,A1,2026-10-01,{format_minor(base_minor, 2)},10,1\n",
                        Path(folder))
    return int(result.payouts["net_payout"].iloc[0])


@settings(max_examples=25, deadline=None)
@given(tiers=st.lists(st.tuples(st.integers(min_value=100, max_value=1_000_000), st.integers(0, 3000)),
                      min_size=1, max_size=4),
       which=st.integers(min_value=0, max_value=3))
def test_marginal_tiers_are_continuous_at_every_boundary(tiers, which):
    boundary = sum(width for width, _ in tiers[: which % len(tiers) + 1])
    below, at, above = (marginal_value(tiers, boundary + d) for d in (-1, 0, 1))
    # one more cent of recovery adds at most one cent x 30% plus one cent of rounding per tier row
    assert 0 <= at - below <= 2
    assert 0 <= above - at <= 2


@SETTINGS
@given(rows=payments, extra=st.integers(min_value=1, max_value=3_000_000), dpd=st.integers(1, 400),
       m1=rates, m2=rates, late=rates)
def test_without_gates_more_recovery_never_pays_less(rows, extra, dpd, m1, m2, late):
    extra_plan = """  - id: volume
            kind: tiers
            mode: marginal
            tiers:
              - {from: 0, to: 20000, rate: 0%}
              - {from: 20000, rate: 1%}
        adjustments:
          - {id: limits, kind: cap_floor, cap: 5000.00, floor: 50.00}"""
    policy_text = rate_plan(m1, m2, late, extra_plan)
    more = [*rows, ("C1", extra, dpd, 15)]
    with tempfile.TemporaryDirectory() as folder:
        before, _ = run(policy_text, ledger_csv(rows), Path(folder))
        after, _ = run(policy_text, ledger_csv(more), Path(folder))
    old = before.payouts.set_index("collector_id")["net_payout"].get("C1", 0)
    new = after.payouts.set_index("collector_id")["net_payout"]["C1"]
    assert new >= old
