"""Scale work (issue 17): the fast paths give what the general ones give, checked on values worked out by
hand."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from commission.errors import ProblemCollector
from commission.inputs.columns import masked_account
from commission.inputs.tables import RawTable


def masked(*chunks, kind=pa.large_string()) -> list[str]:
    column = pa.chunked_array([pa.array(c, type=kind) for c in chunks], type=kind)
    problems = ProblemCollector()
    result = masked_account(RawTable("t.parquet", pa.table({"account_id": column}), 1, "", ("account_id",)),
                            "account_id", problems)
    assert not problems.problems
    assert result.type == kind  # as read: the lineage's schema does not depend on which path masked it
    return result.to_pylist()


def test_accounts_keep_their_last_four_characters_only():
    assert masked(["6222516846468557", "12345"], ["A-0001-99"]) == ["****8557", "****2345", "****1-99"]


def test_short_and_non_ascii_accounts_take_arrows_way_with_the_same_rule():
    assert masked(["6222516846468557", "1234"]) == ["****8557", "****"]
    assert masked(["账户62225"], kind=pa.string()) == ["****2225"]
    assert masked(["62225账户号码"]) == ["****账户号码"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="0123456789AZaz-_.é号", min_size=1, max_size=12)
                         .filter(lambda s: s[0] not in "-." and s not in (".", "..")), max_size=5), min_size=1,
                max_size=3))
def test_masking_is_the_last_four_characters_whatever_the_chunks(chunks):
    expected = ["****" + a[-4:] if len(a) > 4 else "****" for chunk in chunks for a in chunk]
    assert masked(*chunks) == expected
