"""Scale work (issue 17): the fast paths give what the general ones give, checked on values worked out by
hand."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from commission.inputs.columns import mask_account, text_hashes


def masked(*chunks, kind=pa.large_string()) -> list[str]:
    result = mask_account(pa.chunked_array([pa.array(c, type=kind) for c in chunks], type=kind))
    assert result.type == kind  # as read: the lineage's schema does not depend on which path masked it
    return result.to_pylist()


def test_accounts_keep_their_last_four_characters_only():
    assert masked(["6222516846468557", "12345"], ["A-0001-99"]) == ["****8557", "****2345", "****1-99"]


def test_short_and_non_ascii_accounts_take_arrows_way_with_the_same_rule():
    assert masked(["6222516846468557", "1234"]) == ["****8557", "****"]
    assert masked(["账户62225"], kind=pa.string()) == ["****2225"]
    assert masked(["62225账户号码"]) == ["****账户号码"]


def test_a_slice_of_a_column_is_masked_from_its_own_values():
    column = pa.chunked_array([pa.array(["9999999999", "6222516846468557", "A-0001-99"],
                                        type=pa.large_string()).slice(1)])
    assert mask_account(column).to_pylist() == ["****8557", "****1-99"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="0123456789AZaz-_.é号", max_size=12), max_size=5), min_size=1, max_size=3))
def test_masking_is_the_last_four_characters_whatever_the_chunks(chunks):
    expected = ["****" + a[-4:] if len(a) > 4 else "****" for chunk in chunks for a in chunk]
    assert masked(*chunks) == expected


# -- a team lead's override counts members on another plan (the override's second stage) -------------------

LEAD_PLAN = """
    plan: lead-plan
    version: 1
    effective: 2026-01-01
    currency: CNY
    components:
      - id: base
        kind: line_rate
        rates:
          - {{rate: 5%}}
      - id: lead
        kind: override
        base: {base}
        rate: {rate}
"""
MEMBER_PLAN = """
    plan: member-plan
    version: 1
    effective: 2026-01-01
    currency: CNY
    components:
      - id: base
        kind: line_rate
        rates:
          - {rate: 10%}
"""
CROSS_ROSTER = """
    collector_id,name,team,employee_id,manager_id,plan
    L1,组长,Team A,E0,,lead-plan
    C1,王芳,Team A,E1,L1,lead-plan
    C2,李强,Team A,E2,L1,member-plan
"""
CROSS_LEDGER = """
    payment_id,collector_id,account_id,payment_date,amount,days_past_due,balance
    P1,C1,A0001,2026-10-03,10000.00,10,50000
    P2,C2,A0002,2026-10-04,5000.00,10,50000
    P3,L1,A0003,2026-10-05,1000.00,10,50000
"""


def cross_plan_run(tmp_path, base: str, rate: str) -> dict:
    """Run October under both plans; {collector: (line_commission, bonus, net_payout)} in minor units."""
    import csv
    import textwrap

    from click.testing import CliRunner

    from commission.cli import main

    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "lead.yaml").write_text(textwrap.dedent(LEAD_PLAN.format(base=base, rate=rate)), encoding="utf-8")
    (plans / "member.yaml").write_text(textwrap.dedent(MEMBER_PLAN), encoding="utf-8")
    (tmp_path / "roster.csv").write_text(textwrap.dedent(CROSS_ROSTER).lstrip(), encoding="utf-8")
    (tmp_path / "ledger.csv").write_text(textwrap.dedent(CROSS_LEDGER).lstrip(), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--policy", str(plans), "--ledger", str(tmp_path / "ledger.csv"),
                                       "--roster", str(tmp_path / "roster.csv"), "--period", "2026-10", "--out",
                                       str(out), "--first-period"])
    assert result.exit_code == 0, result.output
    rows = csv.DictReader(open(out / "payouts.csv", encoding="utf-8"))

    def cents(text: str) -> int:
        whole, fraction = text.split(".")
        return int(whole) * 100 + int(fraction) * (1 if not whole.startswith("-") else -1)

    return {row["collector_id"]: (cents(row["line_commission"]), cents(row["bonus"]), cents(row["net_payout"]))
            for row in rows}


def test_an_override_on_team_recovery_counts_members_on_another_plan(tmp_path):
    payouts = cross_plan_run(tmp_path, "team_recovered", "2%")
    # L1 leads C1 (lead-plan) and C2 (member-plan): 2% of (10,000.00 + 5,000.00) = 300.00; own 1,000.00 x 5%
    assert payouts["L1"] == (5000, 30000, 35000)
    assert payouts["C1"] == (50000, 0, 50000)  # 10,000.00 x 5%
    assert payouts["C2"] == (50000, 0, 50000)  # 5,000.00 x 10% under member-plan


def test_an_override_on_team_commission_counts_what_members_earned_under_their_own_plan(tmp_path):
    payouts = cross_plan_run(tmp_path, "team_commission", "10%")
    # team commission: C1 10,000.00 x 5% = 500.00 (lead-plan) + C2 5,000.00 x 10% = 500.00 (member-plan);
    # L1's override 10% of 1,000.00 = 100.00, plus own 1,000.00 x 5% = 50.00
    assert payouts["L1"] == (5000, 10000, 15000)
    assert payouts["C2"] == (50000, 0, 50000)


def fnv1(text: str) -> int:
    """FNV-1 (64-bit) over the UTF-8 bytes, written out one byte at a time."""
    value = 14695981039346656037
    for byte in text.encode():
        value = ((value * 1099511628211) % 2**64) ^ byte
    return value


def test_text_hashes_by_hand():
    assert fnv1("") == 14695981039346656037 and fnv1("a") == 0xAF63BD4C8601B7BE  # FNV-1's published value
    assert text_hashes(pa.array(["a", ""])).tolist() == [0xAF63BD4C8601B7BE, 14695981039346656037]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="0123456789Aé号", max_size=6), max_size=5), min_size=1, max_size=3),
       st.integers(0, 2))
def test_text_hashes_are_fnv1_whatever_the_lengths_slices_or_chunks(chunks, start):
    """Texts of one length take the fast path (a byte table), the others a masked loop: both give FNV-1."""
    column = pa.chunked_array([pa.array(["pad"] * start + c, type=pa.large_string()).slice(start) for c in chunks],
                              type=pa.large_string())
    assert text_hashes(column).tolist() == [fnv1(t) for c in chunks for t in c]


def test_equal_length_texts_hash_as_the_general_loop_does():
    same = ["62220001", "62220002", "A-000003"]
    assert text_hashes(pa.array(same)).tolist() == [fnv1(t) for t in same]
