"""What if I recover more: the collector's own month paid again on their own data, then with one more
repayment; numbers worked out from the plan (5% of every repayment)."""

from __future__ import annotations

import pytest

from commission.app.what_if import what_if
from commission.errors import InputError
from commission.store import NotFound


def test_the_pay_on_own_data_and_with_more(site):
    url = site[0].store_url
    # July: C1 recovered P1, 1,000.00 at 10 days past due (M1): 5% is 50.00
    plain = what_if(url, "cal", "C1", 1)
    assert (plain.before, plain.after, plain.buckets) == (5000, None, ["M1"])
    more = what_if(url, "cal", "C1", 1, "M1", "1,234.50")  # 5% of 2,234.50 = 111.725 -> 111.73 (half up per line)
    assert (more.before, more.after) == (5000, 5000 + 6173)
    assert more.changes.to_dict("records") == [{"rule": "base:base", "before": 5000, "after": 11173}]


def test_only_the_collectors_own_data_and_scope(site):
    url = site[0].store_url
    with pytest.raises(NotFound):
        what_if(url, "cat", "C1", 1)  # another collector
    with pytest.raises(NotFound):
        what_if(url, "cal", "C1", 2)  # a draft
    for bucket, extra in (("M2", "100"), ("M1", "-5"), ("M1", "1e3"), ("M1", "99999999999")):
        with pytest.raises(InputError):
            what_if(url, "cal", "C1", 1, bucket, extra)


def test_the_page(clients):
    page = clients["cal"].get("/collectors/C1/batches/1/what-if?bucket=M1&extra=1000")
    assert page.status_code == 200
    assert "<strong>50.00</strong>" in page.text and "<strong>100.00</strong>" in page.text
    wrong = clients["cal"].get("/collectors/C1/batches/1/what-if?bucket=M1&extra=%3Cb%3E")
    assert wrong.status_code == 400 and "<b>" not in wrong.text
    assert clients["cat"].get("/collectors/C1/batches/1/what-if").status_code == 404
