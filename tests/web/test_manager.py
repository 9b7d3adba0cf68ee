"""The team view's attainment: the kpis report's exact ratio, the last window a collector was measured in."""

from commission.app.manager import _attainment
from commission.i18n import percent

KPIS = b'''"collector_id","kpi","window","numerator","denominator"
"C002","attainment","2026-09",9000000,10000000
"C002","attainment","2026-Q3",23586350,29500000
"C002","qa_score","2026-09",7700,100
"C003","attainment","2026-Q3",100,0
'''


def test_attainment_of_the_quarter_after_its_months():
    rows = _attainment(KPIS).to_dict("records")
    assert rows == [{"collector_id": "C002", "attainment": (23586350, 29500000, "2026-Q3")}]
    assert percent(23586350, 29500000, "en") == "79.95%"  # 0.799537... cut toward zero
